package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestCerts;
import dev.baton.testing.TestUpstream;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https upstreams: verified against the service's CA, SNI and names checked, client certificates for mTLS. */
class UpstreamTlsTest extends ProxyTestSupport {
    @TempDir
    Path dir;

    Path serverCert;
    Path serverKey;
    Path clientCert;
    Path clientKey;

    void certificates() throws Exception {
        serverCert = dir.resolve("server.pem");
        serverKey = dir.resolve("server-key.pem");
        TestCerts.pem(TestCerts.keystore(dir, "server", "localhost"), serverCert, serverKey);
        clientCert = dir.resolve("client.pem");
        clientKey = dir.resolve("client-key.pem");
        TestCerts.pem(TestCerts.keystore(dir, "client", "baton-client"), clientCert, clientKey);
    }

    HttpServerOptions https(boolean requireClient) {
        HttpServerOptions o = new HttpServerOptions()
                .setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions()
                        .setCertPath(serverCert.toString())
                        .setKeyPath(serverKey.toString()));
        if (requireClient) {
            o.setClientAuth(ClientAuth.REQUIRED)
                    .setTrustOptions(new PemTrustOptions().addCertPath(clientCert.toString()));
        }
        return o;
    }

    void proxyTo(String tls) {
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    outlier-detection: { consecutive-failures: 0 }
                    instances: [ "https://localhost:%d" ]
                    %s
                routes: [ { path: /**, service: s } ]
                """.formatted(upstream.port(), tls));
    }

    @Test
    void anHttpsUpstreamIsReachedWithItsCaAndRefusedWithout() throws Exception {
        certificates();
        upstream = TestUpstream.start(vertx, https(false), req -> req.response().end("secure " + req.isSSL()));
        proxyTo("tls: { ca: \"" + serverCert + "\" }");
        HttpResponse<String> ok = proxy.get("/x");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("secure true");
        assertThat(upstream.last().headers().get("host")).isEqualTo("localhost:" + upstream.port());

        proxy.close();
        proxyTo(""); // the JDK's trust store does not know this self-signed certificate
        HttpResponse<String> untrusted = proxy.get("/x");
        assertThat(untrusted.statusCode()).isEqualTo(502);

        proxy.close();
        proxyTo("tls: { ca: \"" + serverCert + "\", server-name: other.example }");
        assertThat(proxy.get("/x").statusCode())
                .as("the certificate's name is checked")
                .isEqualTo(502);
    }

    @Test
    void mutualTlsSendsTheClientCertificate() throws Exception {
        certificates();
        upstream = TestUpstream.start(vertx, https(true), req -> req.response().end("hello client"));
        proxyTo("tls: { ca: \"" + serverCert + "\", cert: \"" + clientCert + "\", key: \"" + clientKey + "\" }");
        assertThat(proxy.get("/x").body()).isEqualTo("hello client");

        proxy.close();
        proxyTo("tls: { ca: \"" + serverCert + "\" }");
        HttpResponse<String> refused = proxy.get("/x");
        assertThat(refused.statusCode()).isEqualTo(502);
        assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("bad_gateway");
    }

    @Test
    void webSocketsReachAnHttpsUpstreamOverTls() throws Exception {
        certificates();
        upstream = TestUpstream.start(
                vertx,
                https(false),
                req -> req.toWebSocket()
                        .onSuccess(ws -> ws.textMessageHandler(m -> ws.writeTextMessage("tls echo:" + m))));
        proxyTo("tls: { ca: \"" + serverCert + "\" }");
        io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
        try {
            io.vertx.core.http.WebSocket ws =
                    ProxyHarness.await(client.connect(new io.vertx.core.http.WebSocketConnectOptions()
                                    .setHost("127.0.0.1")
                                    .setPort(proxy.port())
                                    .setURI("/ws"))
                            .toCompletionStage()
                            .toCompletableFuture());
            java.util.concurrent.CompletableFuture<String> reply = new java.util.concurrent.CompletableFuture<>();
            ws.textMessageHandler(reply::complete);
            ws.writeTextMessage("hi");
            assertThat(reply.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("tls echo:hi");
        } finally {
            client.close();
        }
    }
}
