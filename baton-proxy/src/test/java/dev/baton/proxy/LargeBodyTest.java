package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * One gibibyte up and one down through the proxy, in a JVM whose heap is 64 MB (the
 * {@code large-bodies} surefire execution): if any layer buffered a whole body the
 * test would die of OutOfMemoryError. Checksums prove no byte was lost or reordered.
 */
@Tag("large-body")
class LargeBodyTest {
    static final long SIZE = 1L << 30;
    static final byte[] PATTERN = new byte[65_521]; // prime, so chunk boundaries never line up with it

    static Vertx vertx;
    static TestUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() {
        new Random(42).nextBytes(PATTERN);
        vertx = Vertx.vertx();
        upstream = TestUpstream.start(vertx, req -> {
            if (req.path().equals("/upload")) {
                CRC32 crc = new CRC32();
                long[] count = {0};
                req.handler(b -> {
                    count[0] += b.length();
                    crc.update(b.getBytes());
                });
                req.endHandler(v -> req.response().end(count[0] + " " + crc.getValue()));
            } else {
                HttpServerResponse res = req.response().setChunked(true);
                writePattern(res, Buffer.buffer(PATTERN), SIZE);
            }
        });
        proxy = new ProxyHarness(
                vertx,
                "services: { s: { instances: [\"" + upstream.url() + "\"] } }\n"
                        + "routes: [{ path: /**, service: s, timeout: 60s }]\n"
                        + "limits: { max-body-size: 2GB }");
    }

    /** Writes {@code remaining} bytes of the pattern, pausing whenever the client falls behind. */
    static void writePattern(HttpServerResponse res, Buffer chunk, long remaining) {
        while (remaining > 0 && !res.writeQueueFull()) {
            int n = (int) Math.min(chunk.length(), remaining);
            res.write(n == chunk.length() ? chunk : chunk.slice(0, n));
            remaining -= n;
        }
        if (remaining == 0) {
            res.end();
        } else {
            long left = remaining;
            res.drainHandler(v -> writePattern(res, chunk, left));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void uploadLargerThanTheHeapStreams() throws Exception {
        PatternStream body = new PatternStream(SIZE);
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> body), SIZE)));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(SIZE + " " + body.crc.getValue());
    }

    @Test
    void downloadLargerThanTheHeapStreams() throws Exception {
        HttpResponse<InputStream> r = proxy.http.send(
                HttpRequest.newBuilder(proxy.uri("/download")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        CRC32 got = new CRC32();
        long count = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.update(buf, 0, n);
                count += n;
            }
        }
        PatternStream expected = new PatternStream(SIZE);
        expected.transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(count).isEqualTo(SIZE);
        assertThat(got.getValue()).isEqualTo(expected.crc.getValue());
    }

    /** The repeated pattern as a stream, checksummed as it is read. */
    static final class PatternStream extends InputStream {
        final CRC32 crc = new CRC32();
        long remaining;
        int at;

        PatternStream(long size) {
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(Math.min(len, remaining), PATTERN.length - at);
            System.arraycopy(PATTERN, at, b, off, n);
            crc.update(b, off, n);
            at = (at + n) % PATTERN.length;
            remaining -= n;
            return n;
        }
    }
}
