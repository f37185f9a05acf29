package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.baton.testing.RawHttp;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** WebSocket upgrades pass through the proxy as a byte tunnel. */
class WebSocketTest {
    static Vertx vertx;
    static TestUpstream upstream;
    static ProxyHarness proxy;
    static WebSocketClient client;
    static final List<String> errorLines = new CopyOnWriteArrayList<>();
    static final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    static final AppenderBase<ILoggingEvent> errorLog = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.ERROR)) {
                errorLines.add(e.getLoggerName() + ": " + e.getFormattedMessage());
            }
        }
    };

    @BeforeAll
    static void start() {
        errorLog.setContext(root.getLoggerContext());
        errorLog.start();
        root.addAppender(errorLog);
        vertx = Vertx.vertx();
        upstream = TestUpstream.start(vertx, new HttpServerOptions().setMaxWebSocketMessageSize(8 << 20), req -> {
            if (req.path().equals("/ws/echo")) {
                req.toWebSocket().onSuccess(ws -> {
                    ws.textMessageHandler(m -> {
                        if (m.equals("bye")) {
                            ws.close();
                        } else {
                            ws.writeTextMessage("echo:" + m + " via " + req.getHeader("host"));
                        }
                    });
                    ws.binaryMessageHandler(ws::writeBinaryMessage);
                });
            } else {
                req.response().setStatusCode(403).end("no websockets here");
            }
        });
        proxy = new ProxyHarness(
                vertx,
                "services: { s: { instances: [\"" + upstream.url() + "\"] } }\n"
                        + "routes: [{ path: /ws/**, service: s }]");
        client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(8 << 20));
    }

    @AfterAll
    static void stop() throws Exception {
        root.detachAppender(errorLog);
        client.close();
        proxy.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private WebSocket connect(String path) {
        return ProxyHarness.await(client.connect(new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(proxy.port())
                        .setURI(path))
                .toCompletionStage()
                .toCompletableFuture());
    }

    @Test
    void textAndLargeBinaryMessagesRoundTrip() {
        WebSocket ws = connect("/ws/echo");
        CompletableFuture<String> text = new CompletableFuture<>();
        CompletableFuture<Buffer> binary = new CompletableFuture<>();
        ws.textMessageHandler(text::complete);
        ws.binaryMessageHandler(binary::complete);

        ws.writeTextMessage("hello");
        assertThat(ProxyHarness.await(text))
                .isEqualTo("echo:hello via " + upstream.url().getAuthority());

        byte[] payload = new byte[3 << 20];
        new Random(7).nextBytes(payload);
        ws.writeBinaryMessage(Buffer.buffer(payload));
        assertThat(ProxyHarness.await(binary).getBytes()).isEqualTo(payload);
        assertThat(upstream.last().headers().get("x-request-id")).isNotBlank();

        ProxyHarness.await(ws.close().toCompletionStage().toCompletableFuture());
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.proxy.inFlight() == 0);
        closingLogsNoError();
    }

    /**
     * Every WebSocket ends with its connections closing: nothing an operator must act
     * on, so no ERROR line (Vert.x logs "Connection was closed" for a tunnel's
     * request without a handler). An absence is checked over a short window: the
     * upstream connection's close is seen a moment after the exchange is over.
     */
    private static void closingLogsNoError() {
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(errorLines).isEmpty());
    }

    @Test
    void closeFromTheUpstreamReachesTheClient() {
        WebSocket ws = connect("/ws/echo");
        CompletableFuture<Void> closed = new CompletableFuture<>();
        ws.closeHandler(v -> closed.complete(null));
        ws.writeTextMessage("bye");
        ProxyHarness.await(closed);
        assertThat(ws.isClosed()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.proxy.inFlight() == 0);
        closingLogsNoError();
    }

    @Test
    void anUpgradeTheUpstreamRefusesIsRelayedAsAPlainResponse() throws Exception {
        RawHttp.Result r = RawHttp.send(
                proxy.port(),
                "GET /ws/other HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                1000);
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.text()).endsWith("no websockets here");
    }
}
