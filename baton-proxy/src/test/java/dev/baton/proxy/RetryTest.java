package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Retries, their budget and deadlines through the proxy, against real failing upstreams. */
class RetryTest extends ProxyTestSupport {
    final AtomicInteger calls = new AtomicInteger();

    void start(String retry, String... instances) {
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    outlier-detection: { consecutive-failures: 0 }
                    retry: %s
                    instances: [ %s ]
                routes: [ { path: /**, service: s } ]
                """.formatted(retry, String.join(", ", instances)));
    }

    static String q(Object url) {
        return "\"" + url + "\"";
    }

    /** An upstream that answers {@code status} and counts calls, echoing the body it got. */
    TestUpstream answering(int status) {
        return TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    calls.incrementAndGet();
                    req.response().setStatusCode(status).end(status + ":" + body.toString());
                }));
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return proxy.send(b);
    }

    @Test
    void getsKeepSucceedingWhileOneInstanceRefusesConnections() throws Exception {
        upstream = answering(200);
        start("{ attempts: 2, backoff: 1ms }", q(upstream.url()), q("http://127.0.0.1:1"));
        for (int i = 0; i < 20; i++) {
            assertThat(proxy.get("/x").statusCode()).isEqualTo(200);
        }
        assertThat(proxy.snapshot
                        .get()
                        .services()
                        .get("s")
                        .retryBudget()
                        .orElseThrow()
                        .retried())
                .isBetween(1L, 20L);
    }

    @Test
    void aRetryGoesToAnotherInstanceAfterA503() throws Exception {
        upstream = answering(503);
        other = answering(200);
        start("{ attempts: 2, backoff: 1ms }", q(upstream.url()), q(other.url()));
        for (int i = 0; i < 10; i++) {
            assertThat(proxy.get("/x").body()).isEqualTo("200:");
        }
    }

    @Test
    void aPostIsNotRetriedUnlessItCarriesAnIdempotencyKey() throws Exception {
        upstream = answering(503);
        start("{ attempts: 3, backoff: 1ms }", q(upstream.url()));
        assertThat(post("/x", "order").statusCode()).isEqualTo(503);
        assertThat(calls.get()).as("a POST that reached the upstream goes once").isEqualTo(1);

        calls.set(0);
        assertThat(post("/x", "order", "Idempotency-Key", "k-1").body()).isEqualTo("503:order");
        assertThat(calls.get())
                .as("with an Idempotency-Key, every attempt, body replayed")
                .isEqualTo(3);
    }

    @Test
    void aPostThatNeverLeftIsRetriedAndItsBodyReplayed() throws Exception {
        upstream = answering(200);
        start("{ attempts: 2, backoff: 1ms }", q("http://127.0.0.1:1"), q(upstream.url()));
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> r = post("/x", "payload-" + i);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("200:payload-" + i);
        }
    }

    @Test
    void aBodyLargerThanTheBufferIsNotRetried() throws Exception {
        upstream = answering(503);
        start("{ attempts: 3, backoff: 1ms, methods: [POST], body-buffer: 1KB }", q(upstream.url()));
        assertThat(post("/x", "x".repeat(2048)).statusCode()).isEqualTo(503);
        assertThat(calls.get()).isEqualTo(1);
        calls.set(0);
        assertThat(post("/x", "small").statusCode()).isEqualTo(503);
        assertThat(calls.get()).isEqualTo(3);
    }

    @Test
    void theBudgetCapsARetryStorm() throws Exception {
        upstream = TestUpstream.start(vertx, req -> {
            calls.incrementAndGet();
            vertx.setTimer(100, t -> req.response().setStatusCode(503).end());
        });
        start("{ attempts: 3, backoff: 1ms, budget: { percent: 20, min-retries: 2 } }", q(upstream.url()));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(proxy.http.sendAsync(
                    HttpRequest.newBuilder(proxy.uri("/x")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : all) {
            assertThat(f.get().statusCode()).isEqualTo(503);
        }
        var budget = proxy.snapshot.get().services().get("s").retryBudget().orElseThrow();
        assertThat(calls.get()).as("without a budget: 60 calls").isLessThan(35);
        assertThat(budget.exhausted()).isGreaterThanOrEqualTo(10);
        assertThat(budget.activeRequests()).isZero();
        assertThat(budget.activeRetries()).isZero();
    }

    @Test
    void aTryThatHangsIsCutByItsPerTryTimeoutAndRetriedElsewhere() throws Exception {
        upstream = TestUpstream.start(vertx, req -> calls.incrementAndGet()); // never answers
        other = TestUpstream.start(vertx, req -> req.response().end("quick"));
        start(
                "{ attempts: 2, backoff: 1ms, per-try-timeout: 200ms, retry-on: [timeout, connect] }",
                q(upstream.url()),
                q(other.url()));
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = proxy.get("/x");
            assertThat(r.body()).isEqualTo("quick");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void theRouteTimeoutIsADeadlineAcrossAllTries() throws Exception {
        upstream = TestUpstream.start(vertx, req -> calls.incrementAndGet()); // never answers
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    timeout: 700ms
                    outlier-detection: { consecutive-failures: 0 }
                    retry: { attempts: 10, backoff: 1ms, per-try-timeout: 200ms, retry-on: [timeout] }
                    instances: [ "%s" ]
                routes: [ { path: /**, service: s } ]
                """.formatted(upstream.url()));
        long t0 = System.nanoTime();
        HttpResponse<String> r = proxy.get("/x");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(took).isBetween(Duration.ofMillis(500), Duration.ofSeconds(3));
        assertThat(calls.get()).isBetween(2, 5);
    }

    @Test
    void aRouteMayLetItsServiceRetryMoreMethods() throws Exception {
        upstream = answering(503);
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    outlier-detection: { consecutive-failures: 0 }
                    retry: { attempts: 2, backoff: 1ms }
                    instances: [ "%s" ]
                routes:
                  - { path: /search/**, service: s, retry-methods: [POST] }
                  - { path: /**, service: s }
                """.formatted(upstream.url()));
        post("/search/q", "query");
        assertThat(calls.get()).isEqualTo(2);
        calls.set(0);
        post("/orders", "order");
        assertThat(calls.get()).isEqualTo(1);
    }
}
