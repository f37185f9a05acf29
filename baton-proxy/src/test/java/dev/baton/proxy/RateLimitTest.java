package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
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
        assertThat(proxy.snapshot.get().routeLimit("route-0").refused()).isEqualTo(1);
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
    void twoGatewaysShareOneLimitThroughRedisWithinFivePercentOverTenSeconds() throws Exception {
        upstream = TestUpstream.ok(vertx);
        String yaml = """
                redis: { url: "redis://127.0.0.1:6379" }
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - id: shared-%s
                    path: /**
                    service: s
                    rate-limit: { requests-per-second: 20, burst: 20, key: global, store: redis }
                """.formatted(upstream.url(), UUID.randomUUID());
        proxy = new ProxyHarness(vertx, yaml);
        try (ProxyHarness second = new ProxyHarness(vertx, yaml)) {
            AtomicInteger allowed = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (ProxyHarness p : List.of(proxy, second, proxy, second)) {
                Thread t = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            int status = p.get("/x").statusCode();
                            (status == 200 ? allowed : refused).incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                t.start();
                threads.add(t);
            }
            Thread.sleep(10_000);
            stop.set(true);
            for (Thread t : threads) {
                t.join();
            }
            // 20 at once, then 20 a second for 10 s: 220, shared by both gateways.
            assertThat(allowed.get()).isBetween(209, 231);
            // Four threads, one request at a time: their pace is the machine's. What matters is
            // that the load was well over the limit (220), so the shared count was tested.
            assertThat(refused.get()).as("the load went well over the limit").isGreaterThan(400);
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
