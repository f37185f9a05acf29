package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HMAC-signed routes as the README's config reference describes them: skew, signature, replay. */
class HmacTest extends ProxyTestSupport {
    static final String KEY = "webhook-shared-secret-of-32-chars";
    String yaml;

    @BeforeEach
    void start() {
        upstream = TestUpstream.start(
                vertx, req -> req.body().onSuccess(b -> req.response().end("got:" + b)));
        yaml = """
                limits: { max-body-size: 1KB }
                services: { s: { instances: [ "%s" ] } }
                routes: [ { path: /hooks/**, service: s, auth: { hmac: { secret: "%s", max-skew: 1m } } } ]
                """.formatted(upstream.url(), KEY);
        proxy = new ProxyHarness(vertx, yaml);
    }

    static String sign(long ts, String method, String pathAndQuery, String body) throws Exception {
        String bodyHash = HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(body.getBytes(StandardCharsets.UTF_8)));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(KEY.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String text = ts + "\n" + method + "\n" + pathAndQuery + "\n" + bodyHash;
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    HttpResponse<String> post(String path, String body, long ts, String signature) throws Exception {
        return proxy.send(HttpRequest.newBuilder(proxy.uri(path))
                .header("X-Baton-Timestamp", Long.toString(ts))
                .header("X-Baton-Signature", signature)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }

    @Test
    void aSignedRequestPassesOnceWithItsBody() throws Exception {
        long ts = now();
        String sig = sign(ts, "POST", "/hooks/push?repo=baton", "{\"ref\":\"main\"}");
        HttpResponse<String> ok = post("/hooks/push?repo=baton", "{\"ref\":\"main\"}", ts, sig);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("got:{\"ref\":\"main\"}");

        HttpResponse<String> replay = post("/hooks/push?repo=baton", "{\"ref\":\"main\"}", ts, sig);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(replay.body()).getString("message")).contains("replay");

        proxy.apply(yaml); // a reload that leaves the route alone remembers what it saw
        assertThat(post("/hooks/push?repo=baton", "{\"ref\":\"main\"}", ts, sig).statusCode())
                .isEqualTo(401);

        long later = now();
        HttpResponse<String> get = proxy.send(HttpRequest.newBuilder(proxy.uri("/hooks/ping"))
                .header("X-Baton-Timestamp", Long.toString(later))
                .header("X-Baton-Signature", sign(later, "GET", "/hooks/ping", "")));
        assertThat(get.statusCode()).isEqualTo(200);
    }

    @Test
    void skewTamperingAndMissingHeadersAreRefused() throws Exception {
        long old = now() - 120;
        assertThat(new JsonObject(post("/hooks/x", "a", old, sign(old, "POST", "/hooks/x", "a"))
                                .body())
                        .getString("message"))
                .contains("clock skew");
        long ts = now();
        assertThat(post("/hooks/x", "tampered", ts, sign(ts, "POST", "/hooks/x", "original"))
                        .statusCode())
                .isEqualTo(401);
        assertThat(post("/hooks/y", "a", ts, sign(ts, "POST", "/hooks/x", "a")).statusCode())
                .as("signed for another path")
                .isEqualTo(401);
        HttpResponse<String> bare = proxy.send(
                HttpRequest.newBuilder(proxy.uri("/hooks/x")).POST(HttpRequest.BodyPublishers.ofString("a")));
        assertThat(bare.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(bare.body()).getString("message")).contains("X-Baton-Signature");
        String big = "x".repeat(2048);
        assertThat(post("/hooks/x", big, ts, sign(ts, "POST", "/hooks/x", big)).statusCode())
                .isEqualTo(413);
    }
}
