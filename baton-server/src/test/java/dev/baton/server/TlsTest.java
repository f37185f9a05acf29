package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestCerts;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination: PEM and PKCS#12, ALPN h2, X-Forwarded-Proto, and a renewed certificate taken without a restart. */
class TlsTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    Baton baton;

    @AfterEach
    void stop() throws Exception {
        if (baton != null) {
            baton.close();
        }
        if (up != null) {
            up.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    Path keystore(String name, String cn) throws Exception {
        return TestCerts.keystore(dir, name, cn);
    }

    static void pem(Path p12, Path cert, Path key) throws Exception {
        TestCerts.pem(p12, cert, key);
    }

    static SSLContext trustAll() throws Exception {
        return TestCerts.trustAll();
    }

    void start(String tls) throws Exception {
        vertx = Vertx.vertx();
        up = TestUpstream.start(vertx, req -> req.response().end("proto=" + req.getHeader("x-forwarded-proto")));
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s, tls: %s }
                services: { s: { instances: [ "%s" ] } }
                routes: [ { path: /**, service: s } ]
                """.formatted(dir.resolve("data"), tls, up.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    String servedCertificate() throws Exception {
        try (SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", baton.proxyPort())) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0])
                    .getSubjectX500Principal()
                    .getName();
        }
    }

    @Test
    void pemTerminatesTlsWithH2AndPicksUpARenewedCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        pem(keystore("first", "first.example"), cert, key);
        start("{ cert: \"" + cert + "\", key: \"" + key + "\" }");

        HttpClient h2 = HttpClient.newBuilder()
                .sslContext(trustAll())
                .version(HttpClient.Version.HTTP_2)
                .build();
        HttpResponse<String> r = h2.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + baton.proxyPort() + "/x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).as("ALPN chose h2").isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.body()).isEqualTo("proto=https");
        assertThat(servedCertificate()).isEqualTo("CN=first.example");

        pem(keystore("second", "second.example"), cert, key);
        await().atMost(Duration.ofSeconds(10)).until(() -> servedCertificate().equals("CN=second.example"));
    }

    @Test
    void pkcs12WithTls13Only() throws Exception {
        Path ks = keystore("store", "p12.example");
        start("{ pkcs12: \"" + ks + "\", password: changeit, protocols: [TLSv1.3] }");
        HttpClient http = HttpClient.newBuilder()
                .sslContext(trustAll())
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + baton.proxyPort() + "/x"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).isEqualTo("proto=https");
        try (SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket("127.0.0.1", baton.proxyPort())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            org.assertj.core.api.Assertions.assertThatThrownBy(s::startHandshake)
                    .as("TLS 1.2 is not offered")
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}
