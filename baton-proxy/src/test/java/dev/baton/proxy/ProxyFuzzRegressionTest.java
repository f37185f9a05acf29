package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawH2;
import dev.baton.testing.RawHttp;
import dev.baton.testing.RawUpstream;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the fuzzers of {@link ProxyFuzzTest} and {@code internal.SyntaxFuzzTest} found,
 * each written out as a plain test of the behaviour that was wrong, so that it reads
 * without the fuzzer and stays fixed.
 */
@Tag("hostile")
class ProxyFuzzRegressionTest {
    static Vertx vertx;
    static RawUpstream upstream;
    static ProxyHarness proxy;
    static UnhandledErrors errors;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        errors = new UnhandledErrors(vertx);
        upstream = RawUpstream.start();
        proxy = new ProxyHarness(
                vertx,
                "services: { s: { instances: [\"" + upstream.url() + "\"] } }\n"
                        + "routes: [{ path: /**, service: s }]");
    }

    @AfterAll
    static void stop() throws Exception {
        errors.close();
        proxy.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * Found by the fuzzer's settle check: a connection counted by the acceptor was never
     * counted out once it closed, so after max-connections requests in a row (one at a
     * time) every new connection was refused; with the default of 10 000, the proxy
     * stops serving after its 10 000th connection.
     */
    @Test
    @Disabled("Baton bug: ConnectionGuard.install removes ClientAcceptor.FirstHead, whose channelInactive counted"
            + " the connection out; enable once fixed")
    void closedConnectionsNoLongerCountAgainstMaxConnections() throws Exception {
        // A Vert.x of its own: servers on port 0 of one Vert.x share the port, and so the limit.
        Vertx own = Vertx.vertx();
        try (ProxyHarness limited = new ProxyHarness(
                own,
                "limits: { max-connections: 3 }\n"
                        + "services: { s: { instances: [\"" + upstream.url() + "\"] } }\n"
                        + "routes: [{ path: /**, service: s }]")) {
            for (int i = 0; i < 6; i++) {
                RawHttp.Result r =
                        RawHttp.send(limited.port(), "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 2000);
                assertThat(r.status())
                        .as(
                                "request %d of 6, one connection at a time (%d counted open)",
                                i + 1, limited.proxy.clients().open())
                        .isEqualTo(200);
            }
            assertThat(ProxyFuzzTest.waitFor(
                            Duration.ofSeconds(5), () -> limited.proxy.clients().open() == 0))
                    .as(
                            "connections counted open once all are closed: %d",
                            limited.proxy.clients().open())
                    .isTrue();
        } finally {
            own.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Found by the fuzz harness's check for unhandled exceptions: for an HTTP/2 request
     * whose HEADERS end the stream, Exchange.send resumes the ended request once it has
     * been sent upstream, and Vert.x throws IllegalStateException ("Request has already
     * been read") out of the pool's callback. The answer still comes; the exception is
     * logged as unhandled, on every such request.
     */
    @Test
    @Disabled("Baton bug: Exchange.send calls req.resume() on an HTTP/2 request that has ended; enable once fixed")
    void aBodilessHttp2RequestThrowsNothing() throws Exception {
        int mark = errors.count();
        for (int i = 0; i < 3; i++) { // the first connects upstream, the next reuse the connection
            try (RawH2 h2 = RawH2.connect(proxy.port())) {
                h2.headers(1, true, true, RawH2.request("GET", "http", "a", "/x"));
                assertThat(h2.awaitStream(1, Duration.ofSeconds(5)).status()).isEqualTo(200);
            }
        }
        assertThat(ProxyFuzzTest.waitFor(Duration.ofSeconds(5), () -> proxy.proxy.inFlight() == 0))
                .isTrue();
        assertThat(errors.since(mark)).isEmpty();
    }
}
