package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawHttp;
import dev.baton.testing.RawUpstream;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that misbehave: ambiguous framing (Content-Length with
 * Transfer-Encoding, two Content-Lengths), a garbage status line, a header too large,
 * a control character in a value, bytes after the response. The client gets a 502
 * of Baton's (or the one well-formed response), and a connection that carried
 * anything doubtful is never used again, so no later request reads its leftovers.
 */
@Tag("hostile")
class HostileUpstreamTest {
    Vertx vertx;
    RawUpstream upstream;
    ProxyHarness proxy;

    @BeforeEach
    void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void start(Function<RawUpstream.Request, byte[]> answer) throws Exception {
        upstream = RawUpstream.start(answer);
        proxy = new ProxyHarness(
                vertx,
                "services: { s: { instances: [\"" + upstream.url() + "\"] } }\n"
                        + "routes: [{ path: /**, service: s }]");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    RawHttp.Result get(String path) throws Exception {
        return RawHttp.send(proxy.port(), "GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 3000);
    }

    void assertBadGateway(String response) throws Exception {
        start(r -> r.target().equals("/good") ? RawUpstream.ok("good") : bytes(response));
        RawHttp.Result r = get("/bad");
        assertThat(r.status()).as(response).isEqualTo(502);
        assertThat(r.text()).contains("\"error\":\"bad_gateway\"").doesNotContain("smuggled");
        assertThat(r.responses()).isEqualTo(1);
        // The next request is served on a new connection, not on what the bad one left behind.
        RawHttp.Result next = get("/good");
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.text()).endsWith("good");
        assertThat(upstream.connections()).isEqualTo(2);
    }

    @Test
    void contentLengthWithTransferEncoding() throws Exception {
        assertBadGateway("HTTP/1.1 200 OK\r\nContent-Length: 45\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled");
    }

    @Test
    void twoContentLengths() throws Exception {
        assertBadGateway("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 10\r\n\r\nok");
    }

    @Test
    void aGarbageStatusLine() throws Exception {
        assertBadGateway("HTTX/1.1 2OO OK\r\n\r\n");
    }

    @Test
    void aHeaderTooLarge() throws Exception {
        assertBadGateway("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(200 * 1024) + "\r\nContent-Length: 2\r\n\r\nok");
    }

    @Test
    void aControlCharacterInAValue() throws Exception {
        assertBadGateway("HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\nok");
    }

    @Test
    void bytesAfterTheResponseNeverReachAnotherRequest() throws Exception {
        start(r -> r.target().equals("/first")
                ? bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled")
                : RawUpstream.ok("second"));
        RawHttp.Result first = get("/first");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text()).endsWith("first").doesNotContain("smuggled");
        RawHttp.Result second = get("/second");
        assertThat(second.text()).endsWith("second").doesNotContain("smuggled");
        assertThat(upstream.connections()).isEqualTo(2);
    }
}
