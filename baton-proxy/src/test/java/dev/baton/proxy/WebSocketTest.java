package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** WebSocket upgrades pass through the proxy as a byte tunnel. */
class WebSocketTest {
    static Vertx vertx;
    static TestUpstream upstream;
    static ProxyHarness proxy;
    static WebSocketClient client;

    @BeforeAll
    static void start() {
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
