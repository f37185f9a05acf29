package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Upstreams that die mid-response, before answering, or drop idle keep-alive connections. */
class UpstreamFailureTest extends ProxyTestSupport {
    NetServer raw;

    @AfterEach
    void closeRaw() {
        if (raw != null) {
            ProxyHarness.await(raw.close().toCompletionStage().toCompletableFuture());
        }
    }

    /** An upstream speaking raw TCP: it reads one request head, then does what {@code then} says. */
    private int rawUpstream(Handler<NetSocket> then) {
        raw = vertx.createNetServer().connectHandler(socket -> {
            StringBuilder head = new StringBuilder();
            socket.handler(b -> {
                head.append(b.toString());
                if (head.indexOf("\r\n\r\n") >= 0) {
                    socket.handler(null);
                    then.handle(socket);
                }
            });
        });
        return ProxyHarness.await(raw.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture())
                .actualPort();
    }

    @Test
    void upstreamDyingMidResponseNeverLooksLikeACompleteResponse() throws Exception {
        int port = rawUpstream(socket -> {
            socket.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(5000));
            vertx.setTimer(50, t -> socket.close());
        });
        proxyTo("http://127.0.0.1:" + port);
        assertThatThrownBy(() -> proxy.get("/sized")).isInstanceOf(IOException.class);
        assertThat(proxy.proxy.inFlight()).isZero();
    }

    @Test
    void upstreamDyingMidChunkedResponseResetsTheClient() throws Exception {
        int port = rawUpstream(socket -> {
            socket.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            vertx.setTimer(50, t -> socket.close());
        });
        proxyTo("http://127.0.0.1:" + port);
        // Without a last chunk the client must not see a clean end of body.
        assertThatThrownBy(() -> proxy.get("/chunked")).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.proxy.inFlight() == 0);
    }

    @Test
    void aNewConnectionDyingBeforeAnsweringIs502WithoutRetry() throws Exception {
        AtomicInteger heads = new AtomicInteger();
        int port = rawUpstream(socket -> {
            heads.incrementAndGet();
            socket.close();
        });
        proxyTo("http://127.0.0.1:" + port);

        HttpResponse<String> get = proxy.get("/x");
        assertThat(get.statusCode()).isEqualTo(502);
        assertThat(get.body()).contains("\"error\":\"bad_gateway\"");
        assertThat(heads.get()).as("a broken upstream is not asked twice").isEqualTo(1);
    }

    /**
     * Each upstream connection answers its first request and dies on its second, like
     * a keep-alive connection the upstream closed just as the proxy reused it.
     */
    @Test
    void aReusedConnectionDyingIsRetriedOnlyForIdempotentRequests() throws Exception {
        AtomicInteger heads = new AtomicInteger();
        raw = vertx.createNetServer().connectHandler(socket -> {
            int[] seen = {0};
            StringBuilder head = new StringBuilder();
            socket.handler(b -> {
                head.append(b.toString());
                while (head.indexOf("\r\n\r\n") >= 0) {
                    head.delete(0, head.indexOf("\r\n\r\n") + 4);
                    heads.incrementAndGet();
                    if (++seen[0] == 1) {
                        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                    } else {
                        socket.close();
                    }
                }
            });
        });
        int port = ProxyHarness.await(
                        raw.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture())
                .actualPort();
        proxyTo("http://127.0.0.1:" + port);

        assertThat(proxy.get("/first").body()).isEqualTo("ok");
        HttpResponse<String> again = proxy.get("/second");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(heads.get())
                .as("the reused connection died, a fresh one answered")
                .isEqualTo(3);

        // The fresh connection that answered is pooled now; a POST reusing it dies with it.
        heads.set(0);
        HttpResponse<String> post =
                proxy.send(HttpRequest.newBuilder(proxy.uri("/x")).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(post.statusCode()).as("a POST is never replayed").isEqualTo(502);
        assertThat(heads.get()).isEqualTo(1);
    }

    /**
     * The upstream closes every connection that stays idle for 0–3 ms after a
     * response (a keep-alive timeout far shorter than the proxy's pool expects), so
     * pooled connections die under new requests all the time. Not one of those races
     * may reach a client. (Checked by removing the retry: this test then fails with
     * many 502s.)
     */
    @Test
    void idleKeepAliveClosesByTheUpstreamNeverFailARequest() throws Exception {
        Map<HttpConnection, Long> idleTimers = new ConcurrentHashMap<>();
        Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
        upstream = TestUpstream.start(vertx, req -> {
            HttpConnection conn = req.connection();
            connections.add(conn);
            Long timer = idleTimers.remove(conn);
            if (timer != null) {
                vertx.cancelTimer(timer);
            }
            req.response()
                    .end("ok")
                    .onComplete(v -> idleTimers.put(
                            conn, vertx.setTimer(1 + ThreadLocalRandom.current().nextInt(3), t -> {
                                idleTimers.remove(conn);
                                conn.close();
                            })));
        });
        proxyTo(upstream.url().toString());

        int clients = 8;
        int perClient = 250;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                List<String> failures = new ArrayList<>();
                for (int i = 0; i < perClient; i++) {
                    HttpResponse<String> r = proxy.get("/load/" + i);
                    if (r.statusCode() != 200) {
                        failures.add(r.statusCode() + " " + r.body());
                    }
                    // Not time passing: a random gap of 0-3 ms between a client's requests,
                    // so requests meet the upstream's closes at every point of their life.
                    Thread.sleep(ThreadLocalRandom.current().nextInt(4));
                }
                return failures;
            }));
        }
        List<String> failures = new ArrayList<>();
        for (Future<List<String>> f : results) {
            failures.addAll(f.get(120, TimeUnit.SECONDS));
        }
        pool.shutdown();
        assertThat(failures).isEmpty();
        assertThat(upstream.received()).hasSize(clients * perClient);
        assertThat(connections.size())
                .as("the upstream really did drop connections")
                .isGreaterThan(clients * 4);
    }

    @Test
    void anEarlyAnswerEndsTheUpstreamConnection() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        upstream = TestUpstream.start(vertx, req -> {
            req.connection().closeHandler(v -> closed.incrementAndGet());
            req.response().setStatusCode(401).end("no"); // without reading the body
        });
        proxyTo(upstream.url().toString());
        byte[] body = new byte[4 << 20];
        HttpResponse<String> r = proxy.send(
                HttpRequest.newBuilder(proxy.uri("/upload")).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
        assertThat(r.statusCode()).isEqualTo(401);
        await().atMost(java.time.Duration.ofSeconds(5)).until(() -> closed.get() == 1);
        assertThat(proxy.get("/again").statusCode()).as("the proxy carries on").isEqualTo(401);
    }
}
