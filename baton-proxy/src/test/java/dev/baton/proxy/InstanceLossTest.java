package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawUpstream;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One of two instances dies under concurrent load: its connections are reset and
 * new ones refused. Requests that failed for that reason go to the other instance
 * whatever the retry budget says, so no idempotent request fails (the budget exists
 * against retry storms on a struggling upstream, which this is not).
 */
class InstanceLossTest {
    @Test
    void killingOneOfTwoInstancesUnderLoadFailsNoGet() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (RawUpstream a = RawUpstream.start(r -> RawUpstream.ok("a"));
                RawUpstream b = RawUpstream.start(r -> RawUpstream.ok("b"));
                ProxyHarness proxy = new ProxyHarness(
                        vertx,
                        "services: { s: { instances: [\"" + a.url() + "\", \"" + b.url() + "\"],"
                                + " retry: { attempts: 3, backoff: 1ms, max-backoff: 5ms } } }\n"
                                + "routes: [{ path: /**, service: s }]")) {
            int clients = 20;
            int perClient = 150;
            AtomicInteger done = new AtomicInteger();
            CountDownLatch halfway = new CountDownLatch(1);
            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(4))
                    .build();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            for (int c = 0; c < clients; c++) {
                pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        String outcome;
                        try {
                            HttpResponse<String> r = http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/x"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            outcome = r.statusCode() == 200 ? "200" : r.statusCode() + " " + r.body();
                        } catch (Exception e) {
                            outcome = e.toString();
                        }
                        outcomes.computeIfAbsent(outcome, k -> new AtomicInteger())
                                .incrementAndGet();
                        if (done.incrementAndGet() == clients * perClient / 3) {
                            halfway.countDown();
                        }
                    }
                    return null;
                });
            }
            assertThat(halfway.await(60, TimeUnit.SECONDS)).isTrue();
            a.kill();
            pool.shutdown();
            assertThat(pool.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
            assertThat(outcomes).as("outcomes of %d GETs", clients * perClient).containsOnlyKeys("200");
            assertThat(b.requests()).isNotEmpty();
            long retried = proxy.snapshot
                    .get()
                    .services()
                    .get("s")
                    .retryBudget()
                    .orElseThrow()
                    .retried();
            assertThat(retried)
                    .as("requests that lost their instance went elsewhere")
                    .isPositive();
            assertThat(List.of(a.violations(), b.violations())).allMatch(List::isEmpty);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
