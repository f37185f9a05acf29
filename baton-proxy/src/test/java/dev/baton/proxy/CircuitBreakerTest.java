package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.FakeClock;
import dev.baton.testing.TestUpstream;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Circuit breakers through the proxy, against real failing and recovering upstreams. */
class CircuitBreakerTest extends ProxyTestSupport {
    final FakeClock clock = new FakeClock();

    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicInteger calls = new AtomicInteger();
    /** Slow requests whose connection the proxy closed before the answer. */
    final AtomicInteger dropped = new AtomicInteger();

    String yaml;

    void start(String breaker) {
        upstream = TestUpstream.start(vertx, req -> {
            calls.incrementAndGet();
            if (req.path().equals("/slow")) {
                req.connection().closeHandler(v -> dropped.incrementAndGet());
                vertx.setTimer(2_000, t -> {
                    if (!req.response().closed()) {
                        req.response().end("late");
                    }
                });
            } else if (failing.get()) {
                req.response().setStatusCode(500).end("down");
            } else {
                req.response().putHeader("content-type", "text/plain").end("fresh " + req.uri());
            }
        });
        yaml = """
                services:
                  s:
                    outlier-detection: { consecutive-failures: 0 }
                    circuit-breaker: %s
                    instances: [ "%s" ]
                routes: [ { path: /**, service: s } ]
                """.formatted(breaker, upstream.url());
        proxy = new ProxyHarness(vertx, yaml, clock);
    }

    CircuitBreaker.State state() {
        return proxy.snapshot.get().services().get("s").breakers().state().orElseThrow();
    }

    @Test
    void opensShedsLoadHalfOpensAndCloses() throws Exception {
        start("{ minimum-calls: 4, window-size: 4, open-duration: 500ms, half-open-calls: 2 }");
        failing.set(true);
        for (int i = 0; i < 4; i++) {
            assertThat(proxy.get("/x").statusCode()).isEqualTo(500);
        }
        assertThat(state()).isEqualTo(CircuitBreaker.State.OPEN);

        int before = calls.get();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> shed = proxy.get("/x");
            assertThat(shed.statusCode()).isEqualTo(503);
            assertThat(shed.headers().firstValue("retry-after")).contains("1");
            assertThat(new JsonObject(shed.body()).getString("message"))
                    .contains("circuit breaker of service s is open");
        }
        assertThat(calls.get()).as("the upstream sees nothing while open").isEqualTo(before);

        failing.set(false);
        clock.advance(Duration.ofMillis(600)); // past open-duration
        assertThat(proxy.get("/x").statusCode()).isEqualTo(200);
        assertThat(state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(proxy.get("/x").statusCode()).isEqualTo(200);
        assertThat(state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aStaticFallbackAnswersWhileOpen() throws Exception {
        start("""
                { minimum-calls: 2, window-size: 2, open-duration: 1m,
                  fallback: { status: 200, headers: { x-degraded: "yes" }, body: '{"orders":[]}' } }""");
        failing.set(true);
        proxy.get("/x");
        proxy.get("/x");
        HttpResponse<String> r = proxy.get("/x");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"orders\":[]}");
        assertThat(r.headers().firstValue("x-degraded")).contains("yes");
        assertThat(r.headers().firstValue("content-type")).contains("application/json");
        assertThat(r.headers().firstValue("x-baton-fallback")).contains("static");
        assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }

    @Test
    void theLastGoodGetIsServedFromCacheWhileOpen() throws Exception {
        start("{ minimum-calls: 2, window-size: 2, open-duration: 1m, fallback: { cache: 1m } }");
        assertThat(proxy.get("/items?page=1").body()).isEqualTo("fresh /items?page=1");
        proxy.send(HttpRequest.newBuilder(proxy.uri("/private")).header("authorization", "Bearer x"));
        failing.set(true);
        proxy.get("/a");
        proxy.get("/b");
        assertThat(state()).isEqualTo(CircuitBreaker.State.OPEN);

        HttpResponse<String> cached = proxy.get("/items?page=1");
        assertThat(cached.statusCode()).isEqualTo(200);
        assertThat(cached.body()).isEqualTo("fresh /items?page=1");
        assertThat(cached.headers().firstValue("x-baton-fallback")).contains("cache");
        assertThat(cached.headers().firstValue("age")).isPresent();
        assertThat(cached.headers().firstValue("content-type")).contains("text/plain");
        assertThat(proxy.get("/items?page=2").statusCode()).as("never seen").isEqualTo(503);
        assertThat(proxy.get("/private").statusCode())
                .as("asked with credentials: not shared")
                .isEqualTo(503);
        assertThat(proxy.send(HttpRequest.newBuilder(proxy.uri("/items?page=1"))
                                .POST(HttpRequest.BodyPublishers.ofString("x")))
                        .statusCode())
                .as("only GETs")
                .isEqualTo(503);
    }

    @Test
    void perInstanceBreakersSteerAroundTheFailingInstance() throws Exception {
        other = TestUpstream.start(
                vertx, req -> req.response().setStatusCode(503).end("bad"));
        upstream = TestUpstream.start(vertx, req -> req.response().end("good"));
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    outlier-detection: { consecutive-failures: 0 }
                    circuit-breaker: { scope: instance, minimum-calls: 2, window-size: 2, open-duration: 1m }
                    instances: [ "%s", "%s" ]
                routes: [ { path: /**, service: s } ]
                """.formatted(upstream.url(), other.url()));
        for (int i = 0; i < 4; i++) {
            proxy.get("/x"); // round-robin: two calls each, the bad one's breaker opens
        }
        for (int i = 0; i < 10; i++) {
            assertThat(proxy.get("/x").body()).isEqualTo("good");
        }
        assertThat(state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(proxy.snapshot
                        .get()
                        .services()
                        .get("s")
                        .breakers()
                        .all()
                        .get("s-1")
                        .getState())
                .isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void aReloadThatLeavesTheServiceAloneKeepsItsBreakerOpen() throws Exception {
        start("{ minimum-calls: 2, window-size: 2, open-duration: 1m }");
        failing.set(true);
        proxy.get("/x");
        proxy.get("/x");
        assertThat(state()).isEqualTo(CircuitBreaker.State.OPEN);
        proxy.apply(yaml.replace(
                "routes: [ { path: /**, service: s } ]",
                "routes: [ { path: /other/**, service: s }, { path: /**, service: s } ]"));
        assertThat(state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(proxy.get("/other/x").statusCode()).isEqualTo(503);
        proxy.apply(yaml.replace("open-duration: 1m", "open-duration: 2m"));
        assertThat(state()).as("a changed breaker starts afresh").isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void aClientThatLeavesDoesNotCountAgainstTheUpstream() throws Exception {
        start("{ minimum-calls: 1, window-size: 1, open-duration: 1m }");
        for (int i = 0; i < 3; i++) {
            try {
                proxy.send(HttpRequest.newBuilder(proxy.uri("/slow")).timeout(Duration.ofMillis(200)));
            } catch (java.net.http.HttpTimeoutException expected) {
                // the client gave up and closed its connection
            }
        }
        var metrics = proxy.snapshot
                .get()
                .services()
                .get("s")
                .breakers()
                .all()
                .get("")
                .getMetrics();
        // The proxy settles a call its client left, then resets the upstream request (in
        // one turn of its loop): once the upstream has seen all three go, each was settled.
        await().atMost(Duration.ofSeconds(5)).until(() -> dropped.get() == 3);
        assertThat(metrics.getNumberOfBufferedCalls())
                .as("abandoned calls are not judged")
                .isZero();
        assertThat(state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(proxy.get("/x").statusCode()).isEqualTo(200);
    }
}
