package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Stopping the proxy: no new connections, requests in flight finish within the grace period. */
class ShutdownTest extends ProxyTestSupport {

    /** An upstream that answers after {@code delayMillis}, or never when it is negative. */
    private void start(long delayMillis, Duration grace) {
        upstream = TestUpstream.start(vertx, req -> {
            if (delayMillis == 0) {
                req.response().end("at once");
            } else if (delayMillis > 0) {
                vertx.setTimer(delayMillis, t -> req.response().end("finally"));
            }
        });
        proxy = new ProxyHarness(
                vertx,
                "services: { s: { instances: [\"" + upstream.url() + "\"] } }\nroutes: [{ path: /**, service: s }]",
                grace);
    }

    @Test
    void inFlightRequestsFinishWhileNewConnectionsAreRefused() throws Exception {
        start(1500, Duration.ofSeconds(10));
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return proxy.get("/slow");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !upstream.received().isEmpty());
        int port = proxy.port();
        long t0 = System.nanoTime();
        CompletableFuture<Void> stopped = proxy.proxy.stop().toCompletionStage().toCompletableFuture();

        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                        .isInstanceOf(ConnectException.class));
        HttpResponse<String> r = slow.get(10, TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("finally");
        stopped.get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0))
                .as("no waiting for the full grace")
                .isLessThan(Duration.ofSeconds(8));
    }

    @Test
    void http2StreamsInFlightFinishAfterGoAway() throws Exception {
        start(1500, Duration.ofSeconds(10));
        HttpClient h2 = vertx.createHttpClient(
                new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
        try {
            CompletableFuture<String> slow = h2.request(HttpMethod.GET, proxy.port(), "127.0.0.1", "/slow")
                    .compose(req -> req.send())
                    .compose(res -> res.body().map(b -> res.version() + " " + b))
                    .toCompletionStage()
                    .toCompletableFuture();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !upstream.received().isEmpty());
            CompletableFuture<Void> stopped =
                    proxy.proxy.stop().toCompletionStage().toCompletableFuture();
            assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("HTTP_2 finally");
            stopped.get(10, TimeUnit.SECONDS);
        } finally {
            h2.close();
        }
    }

    @Test
    void idleKeepAliveConnectionsDoNotHoldUpShutdown() throws Exception {
        start(0, Duration.ofSeconds(10));
        assertThat(proxy.get("/quick").statusCode()).isEqualTo(200); // leaves a kept-alive connection open
        long t0 = System.nanoTime();
        proxy.proxy.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void requestsOutlastingTheGraceAreCutOff() throws Exception {
        start(-1, Duration.ofMillis(500));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CompletableFuture<Void> hanging = CompletableFuture.runAsync(() -> {
            try {
                proxy.get("/forever");
            } catch (Exception e) {
                failure.set(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !upstream.received().isEmpty());
        long t0 = System.nanoTime();
        proxy.proxy.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        hanging.get(10, TimeUnit.SECONDS);
        assertThat(failure.get()).as("the client saw its connection close").isNotNull();
    }
}
