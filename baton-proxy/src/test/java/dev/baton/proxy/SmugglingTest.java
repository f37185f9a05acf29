package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawHttp;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests with ambiguous framing get 400 and a closed connection; nothing reaches the upstream. */
class SmugglingTest {
    static Vertx vertx;
    static TestUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = TestUpstream.start(
                vertx, req -> req.body().onSuccess(b -> req.response().end("len=" + b.length())));
        proxy = new ProxyHarness(
                vertx,
                "services: { s: { instances: [\"" + upstream.url() + "\"] } }\n"
                        + "routes: [{ path: /**, service: s }]");
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private RawHttp.Result send(String request) throws Exception {
        int before = upstream.received().size();
        RawHttp.Result r = RawHttp.send(proxy.port(), request, 2000);
        if (r.status() == 400) {
            assertThat(upstream.received()).as("nothing forwarded").hasSize(before);
        }
        return r;
    }

    private void assertRejected(String request) throws Exception {
        RawHttp.Result r = send(request);
        assertThat(r.status()).as(request).isEqualTo(400);
        assertThat(r.closedByServer()).as("connection closed").isTrue();
        assertThat(r.responses()).as("no second response").isEqualTo(1);
        assertThat(r.text()).contains("\"error\":\"bad_request\"");
    }

    @Test
    void contentLengthWithTransferEncoding() throws Exception {
        assertRejected("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
        assertRejected("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n"
                + "0\r\n\r\n");
    }

    @Test
    void conflictingOrMalformedContentLength() throws Exception {
        assertRejected("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde");
        assertRejected("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n");
        assertRejected("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1e3\r\n\r\n");
    }

    @Test
    void unsupportedTransferEncodings() throws Exception {
        assertRejected("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        assertRejected(
                "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n");
        assertRejected("POST /x HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void malformedRequestLinesAndHeaders() throws Exception {
        assertRejected("GET /x HTTP/1.1 extra\r\nHost: a\r\n\r\n");
        assertRejected("GET /x HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n");
        assertRejected("GET /x HTTP/1.1\r\nHost: a\r\n: empty\r\n\r\n");
    }

    @Test
    void wellFormedChunkedRequestsStillWork() throws Exception {
        RawHttp.Result chunked = send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
        assertThat(chunked.status()).isEqualTo(200);
        assertThat(chunked.text()).endsWith("len=5");
        // Lots of optional whitespace is fine as long as it stays under what a dropped header would leave.
        RawHttp.Result spaced = send("POST /x HTTP/1.1\r\nHost:   a\r\nTransfer-Encoding:  chunked \r\n\r\n0\r\n\r\n");
        assertThat(spaced.status()).isEqualTo(200);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        RawHttp.Result r = send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /three HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.responses()).as(r.text()).isEqualTo(3);
        assertThat(r.text().indexOf("len=0")).isLessThan(r.text().indexOf("len=3"));
    }
}
