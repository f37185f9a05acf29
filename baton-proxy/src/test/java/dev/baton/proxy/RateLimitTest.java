package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RequiredServer;
import dev.baton.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rate limits through the proxy: per key, 429 with the IETF headers, in this process and shared through Redis. */
class RateLimitTest extends ProxyTestSupport {

    HttpResponse<String> get(ProxyHarness p, String path, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(p.uri(path));
        if (apiKey != null) {
            b.header("x-api-key", apiKey);
        }
        return p.send(b);
    }

    @Test
    void aBurstPassesThenEachKeyIsRefusedWithTheHeaders() throws Exception {
        upstream = TestUpstream.ok(vertx);
        proxy = new ProxyHarness(vertx, """
                services:
                  s: { instances: [ "%s" ] }
                routes:
                  - { path: /api/**, service: s, rate-limit: { requests-per-second: 1, burst: 3, key: "header:x-api-key" } }
                  - { path: /**, service: s }
                """.formatted(upstream.url()));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = get(proxy, "/api/x", "alice");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.headers().firstValue("ratelimit-limit")).contains("3");
            assertThat(ok.headers().firstValue("ratelimit-remaining")).contains(Integer.toString(2 - i));
        }
        HttpResponse<String> refused = get(proxy, "/api/x", "alice");
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).contains("1");
        assertThat(refused.headers().firstValue("ratelimit-remaining")).contains("0");
        assertThat(refused.headers().firstValue("ratelimit-reset")).isPresent();
        JsonObject body = new JsonObject(refused.body());
        assertThat(body.getString("error")).isEqualTo("too_many_requests");
        assertThat(body.getString("message")).contains("header:x-api-key").contains("route:route-0");

        assertThat(get(proxy, "/api/x", "bob").statusCode())
                .as("another key, another bucket")
                .isEqualTo(200);
        assertThat(get(proxy, "/other", "alice").statusCode())
                .as("another route, no limit")
                .isEqualTo(200);
        assertThat(proxy.snapshot.get().routeLimit("route-0").orElseThrow().refused())
                .isEqualTo(1);
    }

    @Test
    void aServiceLimitCoversEveryRouteToIt() throws Exception {
        upstream = TestUpstream.ok(vertx);
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    rate-limit: { requests-per-second: 1, burst: 2, key: global }
                    instances: [ "%s" ]
                routes: [ { path: /a/**, service: s }, { path: /b/**, service: s } ]
                """.formatted(upstream.url()));
        assertThat(proxy.get("/a/1").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/b/1").statusCode()).isEqualTo(200);
        assertThat(proxy.get("/orchestrator/s/x").statusCode()).isEqualTo(429);
        assertThat(proxy.get("/a/2").statusCode()).isEqualTo(429);
    }

    @Test
    void twoGatewaysShareOneLimitThroughRedis() throws Exception {
        // Redis times the buckets by its own clock (so nodes with skewed clocks share one
        // limit), which a test cannot move. So rather than waiting for many refills, the
        // load is a fixed number of requests, and the time it took bounds what could pass:
        // the burst, plus what refilled meanwhile. Two limits instead of one would pass at
        // least twice the burst.
        RequiredServer.REDIS.require();
        int burst = 30;
        double perSecond = 2;
        int perThread = 40;
        upstream = TestUpstream.ok(vertx);
        String yaml = """
                redis: { url: "redis://127.0.0.1:6379" }
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - id: shared-%s
                    path: /**
                    service: s
                    rate-limit: { requests-per-second: %s, burst: %d, key: global, store: redis }
                """.formatted(upstream.url(), UUID.randomUUID(), perSecond, burst);
        proxy = new ProxyHarness(vertx, yaml);
        try (ProxyHarness second = new ProxyHarness(vertx, yaml)) {
            AtomicInteger allowed = new AtomicInteger();
            List<String> retryAfter = new CopyOnWriteArrayList<>();
            List<Thread> threads = new ArrayList<>();
            long started = System.nanoTime();
            for (ProxyHarness p : List.of(proxy, second, proxy, second)) {
                Thread t = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        try {
                            HttpResponse<String> r = p.get("/x");
                            if (r.statusCode() == 200) {
                                allowed.incrementAndGet();
                            } else {
                                retryAfter.add(
                                        r.headers().firstValue("retry-after").orElse("none"));
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            int refilled = (int) Math.ceil(seconds * perSecond);
            assertThat(allowed.get())
                    .as("one limit for both gateways over %.1f s", seconds)
                    .isBetween(burst, burst + refilled + 1);
            assertThat(retryAfter)
                    .as("the rest refused, each told the shared bucket's next token is a second away at most")
                    .hasSize(4 * perThread - allowed.get())
                    .containsOnly("1");
        }
    }

    @Test
    void withRedisDownALimitFailsOpenOrClosedAsConfigured() throws Exception {
        upstream = TestUpstream.ok(vertx);
        String yaml = """
                redis: { url: "redis://127.0.0.1:1", timeout: 200ms %s }
                services: { s: { instances: [ "%s" ] } }
                routes: [ { path: /**, service: s, rate-limit: { requests-per-second: 1, burst: 1, store: redis } } ]
                """;
        proxy = new ProxyHarness(vertx, yaml.formatted("", upstream.url()));
        for (int i = 0; i < 3; i++) {
            assertThat(proxy.get("/x").statusCode()).as("fail-open: passes").isEqualTo(200);
        }
        proxy.close();
        proxy = new ProxyHarness(vertx, yaml.formatted(", fail-open: false", upstream.url()));
        HttpResponse<String> closed = proxy.get("/x");
        assertThat(closed.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(closed.body()).getString("message")).contains("could not be checked");
    }
}
