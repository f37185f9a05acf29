package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spans exported by OTLP/HTTP to a real (if minimal) collector: a server span per
 * request, child of the client's, and a client span per try, whose id the upstream
 * got as its parent.
 */
class TracingTest {
    static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CLIENT_SPAN = "00f067aa0ba902b7";

    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    TestUpstream collector;
    final List<byte[]> exports = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();
    Baton baton;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        up = TestUpstream.ok(vertx);
        collector = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    if (req.path().equals("/v1/traces")) {
                        exports.add(body.getBytes());
                        contentTypes.add(req.getHeader("content-type") + " key=" + req.getHeader("x-api-key"));
                    }
                    req.response()
                            .putHeader("content-type", "application/x-protobuf")
                            .end();
                }));
        Path file = Files.writeString(
                dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                tracing: { otlp-endpoint: "%s", service-name: baton-test, headers: { x-api-key: secret } }
                services:
                  orders: { instances: [ "%s" ] }
                  broken:
                    retry: { attempts: 2, backoff: 1ms }
                    instances: [ "http://127.0.0.1:1" ]
                routes:
                  - { id: orders, path: /api/**, service: orders }
                  - { id: broken, path: /broken/**, service: broken }
                """.formatted(dir.resolve("data"), collector.url(), up.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        Calls.closeAll(vertx, baton, up, collector);
    }

    HttpResponse<String> get(String path, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.proxyPort() + path));
        if (traceparent != null) {
            b.header("traceparent", traceparent);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    boolean exported(byte[] needle) {
        return exports.stream().anyMatch(e -> contains(e, needle));
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRequestAndItsTriesAreExportedAsSpansUnderTheClientsTrace() throws Exception {
        assertThat(get("/api/x", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01")
                        .statusCode())
                .isEqualTo(200);
        String sent = up.last().headers().get("traceparent");
        assertThat(sent).startsWith("00-" + CLIENT_TRACE + "-").endsWith("-01");
        String trySpan = sent.substring(36, 52);
        assertThat(trySpan)
                .as("the upstream's parent is Baton's try, not the client")
                .isNotEqualTo(CLIENT_SPAN);

        assertThat(get("/broken/x", null).statusCode()).isEqualTo(502);

        await().atMost(Duration.ofSeconds(10)).until(() -> exported(hex(trySpan)) && exported(text("GET broken")));
        assertThat(contentTypes).allMatch(t -> t.startsWith("application/x-protobuf") && t.endsWith(" key=secret"));
        assertThat(exported(hex(CLIENT_TRACE))).isTrue();
        assertThat(exported(hex(CLIENT_SPAN))).as("the server span's parent").isTrue();
        assertThat(exported(text("GET orders"))).as("the server span's name").isTrue();
        assertThat(exported(text("baton-test"))).as("service.name").isTrue();
        assertThat(exported(text("http.response.status_code"))).isTrue();
        assertThat(exported(text("connect_failure")))
                .as("the failed tries' error.type")
                .isTrue();
        assertThat(exported(text("http.request.resend_count"))).as("the retry").isTrue();

        String metrics = Calls.get(baton.adminPort(), "/metrics").body();
        assertThat(metrics).containsPattern("orchestrator_spans_total\\{result=\"exported\"} [1-9]");
    }

    @Test
    void anUnsampledClientTraceIsPassedOnAndNotRecorded() throws Exception {
        String unsampled = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-00";
        assertThat(get("/api/y", unsampled).statusCode()).isEqualTo(200);
        assertThat(up.last().headers().get("traceparent")).isEqualTo(unsampled);
        assertThat(get("/api/z", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01")
                        .statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> exported(text("/api/z")));
        assertThat(exported(text("/api/y"))).isFalse();
    }

    @Test
    void tracingConfigIsChecked() {
        var loader = new dev.baton.config.ConfigLoader(java.util.Map.of());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.parse("""
                        tracing: { otlp-endpoint: "grpc://collector:4317", sample-rate: 2 }
                        """, "baton.yaml"))
                .hasMessageContaining("tracing.otlp-endpoint: 'grpc://collector:4317' is not an http(s) URL")
                .hasMessageContaining("tracing.sample-rate");
        var ok = loader.parse("tracing: { otlp-endpoint: \"http://collector:4318\" }", "baton.yaml");
        assertThat(ok.observability().tracing().otlpEndpoint())
                .hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("http://collector:4318/v1/traces"));
    }
}
