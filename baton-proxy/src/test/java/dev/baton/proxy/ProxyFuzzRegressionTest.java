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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the fuzzers of {@link ProxyFuzzTest} and {@code internal.http.SyntaxFuzzTest} found,
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
     * whose HEADERS end the stream, UpstreamLeg.send resumes the ended request once it has
     * been sent upstream (Answers, once Baton has refused it), and Vert.x throws
     * IllegalStateException ("Request has already been read") out of the pool's
     * callback or the request's end handler. The answer still comes; the exception is
     * logged as unhandled, on every such request.
     */
    @Test
    void aBodilessHttp2RequestThrowsNothing() throws Exception {
        int mark = errors.count();
        for (int i = 0; i < 3; i++) { // the first connects upstream, the next reuse the connection
            try (RawH2 h2 = RawH2.connect(proxy.port())) {
                h2.headers(1, true, true, RawH2.request("GET", "http", "a", "/x"));
                assertThat(h2.awaitStream(1, Duration.ofSeconds(5)).status()).isEqualTo(200);
            }
        }
        // Refused ones too: Answers resumes them the same way.
        try (RawH2 h2 = RawH2.connect(proxy.port())) {
            h2.headers(1, true, true, RawH2.request("GET", "http", "a", "/a/../b"));
            assertThat(h2.awaitStream(1, Duration.ofSeconds(5)).status()).isEqualTo(400);
        }
        assertThat(ProxyFuzzTest.waitFor(Duration.ofSeconds(5), () -> proxy.proxy.inFlight() == 0))
                .isTrue();
        assertThat(errors.since(mark)).isEmpty();
    }

    /**
     * Found by the HTTP/1.1 fuzzer: {@code CONNECT /x} was forwarded upstream as an
     * ordinary request. A 2xx to CONNECT makes both connections tunnels (RFC 9110
     * §9.3.6), so Netty's client codec passed the upstream's body bytes on raw, and
     * UpstreamConnection leaked them (Netty's leak detector fails this class); the
     * client got a 200 with Content-Length: 2 and no body, and its next request no
     * answer. A gateway that routes by path runs no tunnels: CONNECT is refused.
     */
    @Test
    void connectIsNotForwarded() throws Exception {
        int before = upstream.requests().size();
        RawHttp.Result r = RawHttp.send(
                proxy.port(),
                "CONNECT /x HTTP/1.1\r\nHost: a.example\r\n\r\nGET /next HTTP/1.1\r\nHost: a.example\r\n"
                        + "Connection: close\r\n\r\n",
                1000);
        assertThat(r.status()).as(r.text()).isIn(400, 405);
        assertThat(upstream.requests().subList(before, upstream.requests().size()))
                .extracting(RawUpstream.Request::method)
                .doesNotContain("CONNECT");
    }

    /**
     * Found by SyntaxFuzzTest: an authority with an empty port ({@code a.example:}) is
     * valid and means the default port (RFC 3986 §3.2.3), but Vert.x reads it as port
     * 0, and Baton forwards that as the original host.
     */
    @Test
    void anEmptyPortIsTheDefaultPort() throws Exception {
        for (String raw : new String[] {
            "GET /x HTTP/1.1\r\nHost: a.example:\r\nConnection: close\r\n\r\n",
            "GET http://a.example:/x HTTP/1.1\r\nHost: b.example\r\nConnection: close\r\n\r\n"
        }) {
            int before = upstream.requests().size();
            RawHttp.Result r = RawHttp.send(proxy.port(), raw, 1000);
            if (r.status() == 400) {
                continue; // refusing it is fine too
            }
            assertThat(r.status()).as(raw).isEqualTo(200);
            RawUpstream.Request got = upstream.requests().get(before);
            assertThat(got.header("x-forwarded-host")).as(raw).isIn("a.example", "a.example:");
        }
    }

    /**
     * Found by the HTTP/1.1 fuzzer: an unsupported version after a tab (or any
     * whitespace but a single space) gets past ClientAcceptor.unsupportedVersion, which
     * splits the request line at its last space, while Netty's decoder splits at any
     * whitespace; Vert.x then answers with a bare 501 whose status line carries the
     * request's version, "HTTP/2.0 501 Not Implemented", on an HTTP/1.1 connection.
     * The answer should be Baton's own HTTP/1.1 505, or a 400 for the request line.
     */
    @Test
    void anUnsupportedVersionAfterATabGetsAnHttp11Answer() throws Exception {
        for (String line : new String[] {"GET /x\tHTTP/2.0", "GET  /x\tHTTP/1.2", "GET /x\tHTTP/9.9"}) {
            RawHttp.Result r = RawHttp.send(proxy.port(), line + "\r\nHost: a\r\n\r\n", 1000);
            assertThat(r.text()).as(line).startsWith("HTTP/1.1 ");
            assertThat(r.status()).as(line).isIn(400, 505);
        }
    }
}
