package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.security.SecurityViolations;
import dev.baton.testing.RawUpstream;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Clients that hold connections without using them (slowloris): a head trickled in a
 * line at a time, a body that stalls, a connection left idle, more connections than
 * allowed. The limits are set short here so that the real timeouts fire within a
 * test's patience; the client's pauses are the attack itself.
 */
@Tag("hostile")
class SlowClientTest {
    static RawProxy env;
    static Vertx vertx;
    static RawUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        env = RawProxy.start(
                "limits: { header-timeout: 600ms, body-timeout: 600ms, keep-alive-timeout: 1s, max-connections: 50, max-connections-per-client: 40 }");
        vertx = env.vertx;
        upstream = env.upstream;
        proxy = env.proxy;
    }

    @AfterAll
    static void stop() throws Exception {
        env.close();
    }

    /** Writes {@code lines} one every {@code pauseMillis} until the server closes; returns what came back. */
    static String trickle(Socket s, List<String> lines, long pauseMillis) throws Exception {
        OutputStream out = s.getOutputStream();
        for (String line : lines) {
            try {
                out.write(line.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException closed) {
                break;
            }
            if (s.getInputStream().available() > 0) {
                break;
            }
            Thread.sleep(pauseMillis); // the attack: a line at a time
        }
        return readUntilClosed(s, 5000);
    }

    static String readUntilClosed(Socket s, int timeoutMillis) throws IOException {
        s.setSoTimeout(timeoutMillis);
        InputStream in = s.getInputStream();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            got.writeBytes("<still open>".getBytes(StandardCharsets.UTF_8));
        } catch (IOException reset) {
            // closed
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    static List<String> slowHead() {
        List<String> lines = new ArrayList<>(List.of("GET /x HTTP/1.1\r\n", "Host: a\r\n"));
        for (int i = 0; i < 30; i++) {
            lines.add("X-" + i + ": y\r\n");
        }
        return lines;
    }

    @Test
    void aFirstHeadSentALineAtATimeGets408() throws Exception {
        long closedBefore = proxy.proxy.clients().closedTotal(ClientConnections.Closed.HEADER_TIMEOUT);
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            String got = trickle(s, slowHead(), 150);
            assertThat(got)
                    .startsWith("HTTP/1.1 408 ")
                    .contains("limits.header-timeout")
                    .doesNotContain("<still open>");
        }
        assertThat(proxy.proxy.clients().closedTotal(ClientConnections.Closed.HEADER_TIMEOUT))
                .isGreaterThan(closedBefore);
        assertThat(proxy.proxy
                        .violations()
                        .counts()
                        .get(SecurityViolations.SLOW_CLIENT)
                        .sum())
                .isPositive();
    }

    @Test
    void aLaterHeadSentALineAtATimeGets408() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.getOutputStream().write("GET /first HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] first = new byte[256];
            s.setSoTimeout(5000);
            int n = s.getInputStream().read(first);
            assertThat(new String(first, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            String got = trickle(s, slowHead(), 150);
            assertThat(got).contains("HTTP/1.1 408 ").doesNotContain("<still open>");
        }
    }

    @Test
    void anIdleConnectionIsClosedAfterTheKeepAliveTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String got = readUntilClosed(s, 5000);
            assertThat(got).startsWith("HTTP/1.1 200").doesNotContain("<still open>");
        }
    }

    @Test
    void aStalledBodyGets408() throws Exception {
        int before = upstream.requests().size();
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.getOutputStream()
                    .write("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc"
                            .getBytes(StandardCharsets.US_ASCII));
            String got = readUntilClosed(s, 5000);
            assertThat(got).startsWith("HTTP/1.1 408 ").contains("limits.body-timeout");
        }
        assertThat(upstream.requests()).hasSize(before);
        assertThat(upstream.violations()).isEmpty();
    }

    @Test
    void closedConnectionsAreCountedOut() throws Exception {
        // More connections one after the other than max-connections allows at once.
        for (int i = 0; i < 60; i++) {
            try (Socket s = new Socket("127.0.0.1", proxy.port())) {
                s.getOutputStream()
                        .write("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                assertThat(readUntilClosed(s, 5000)).as("connection " + i).startsWith("HTTP/1.1 200");
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (proxy.proxy.clients().open() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(proxy.proxy.clients().open()).isZero();
    }

    @Test
    void connectionsOverTheLimitPerClientAreClosedAtOnce() throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                held.add(new Socket("127.0.0.1", proxy.port()));
            }
            // The guard counts a connection as it is accepted: wait until all 40 are.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (proxy.proxy.clients().open() < 40 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            try (Socket extra = new Socket("127.0.0.1", proxy.port())) {
                extra.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readUntilClosed(extra, 5000)).isEmpty();
            }
            assertThat(proxy.proxy.clients().closedTotal(ClientConnections.Closed.MAX_CONNECTIONS_PER_CLIENT))
                    .isPositive();
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
