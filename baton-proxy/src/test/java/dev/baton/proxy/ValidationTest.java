package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.security.SecurityViolations;
import dev.baton.testing.RawHttp;
import dev.baton.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Request validation per route and the path rules for every route; each refusal named and counted. */
class ValidationTest extends ProxyTestSupport {

    @BeforeEach
    void start() throws Exception {
        upstream = TestUpstream.start(
                vertx, req -> req.body().onSuccess(b -> req.response().end("got:" + b)));
        Path schema = Path.of(getClass().getResource("/order.schema.json").toURI());
        proxy = new ProxyHarness(vertx, """
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - path: /orders/**
                    service: s
                    validate:
                      max-url-length: 64
                      max-headers: 20
                      max-header-size: 2KB
                      json: { max-depth: 4, schema: "%s" }
                  - path: /upload/**
                    service: s
                    validate: { content-types: [ "image/*", "application/pdf" ] }
                  - { path: /**, service: s }
                """.formatted(upstream.url(), schema));
    }

    HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return proxy.send(HttpRequest.newBuilder(proxy.uri(path))
                .header("content-type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    String message(HttpResponse<String> r) {
        return new JsonObject(r.body()).getString("message");
    }

    long count(String type) {
        return proxy.proxy.violations().counts().get(type).sum();
    }

    @Test
    void aValidJsonBodyPassesWhole() throws Exception {
        HttpResponse<String> ok = post("/orders", "application/json", "{\"sku\":\"a1\",\"quantity\":2}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("got:{\"sku\":\"a1\",\"quantity\":2}");
    }

    @Test
    void eachRuleRefusesWithItsOwnMessageAndCount() throws Exception {
        HttpResponse<String> malformed = post("/orders", "application/json", "{\"sku\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(message(malformed)).startsWith("malformed JSON body");

        HttpResponse<String> deep = post("/orders", "application/json", "{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}");
        assertThat(message(deep)).contains("max-depth 4");

        HttpResponse<String> schema = post("/orders", "application/json", "{\"sku\":\"a1\",\"quantity\":0}");
        assertThat(schema.statusCode()).isEqualTo(400);
        assertThat(message(schema)).contains("JSON Schema").contains("quantity");

        HttpResponse<String> text = post("/orders", "text/plain", "hello");
        assertThat(text.statusCode()).isEqualTo(415);

        assertThat(post("/upload/a", "image/png", "png").statusCode()).isEqualTo(200);
        assertThat(post("/upload/a", "application/zip", "zip").statusCode()).isEqualTo(415);

        HttpResponse<String> longUrl = proxy.get("/orders/" + "x".repeat(100));
        assertThat(longUrl.statusCode()).isEqualTo(400);
        assertThat(message(longUrl)).contains("max-url-length");

        HttpRequest.Builder many = HttpRequest.newBuilder(proxy.uri("/orders/1"));
        for (int i = 0; i < 25; i++) {
            many.header("x-h" + i, "v");
        }
        assertThat(message(proxy.send(many))).contains("max-headers");

        assertThat(count(SecurityViolations.INVALID_JSON)).isEqualTo(1);
        assertThat(count(SecurityViolations.JSON_TOO_DEEP)).isEqualTo(1);
        assertThat(count(SecurityViolations.SCHEMA)).isEqualTo(1);
        assertThat(count(SecurityViolations.CONTENT_TYPE)).isEqualTo(2);
        assertThat(count(SecurityViolations.URL_TOO_LONG)).isEqualTo(1);
        assertThat(count(SecurityViolations.TOO_MANY_HEADERS)).isEqualTo(1);
    }

    @Test
    void traversalAndNulBytesAreRefusedOnEveryRoute() throws Exception {
        for (String target : new String[] {
            "/a/../etc/passwd", "/a/%2e%2e/etc", "/a/%2E%2e%2fetc", "/a/%252e%252e/x", "/a/..%5cx", "/a%00b", "/a?x=%00"
        }) {
            RawHttp.Result r = RawHttp.send(
                    proxy.port(), "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 300);
            assertThat(r.status()).as(target).isEqualTo(400);
        }
        assertThat(count(SecurityViolations.PATH_TRAVERSAL)).isEqualTo(5);
        assertThat(count(SecurityViolations.NULL_BYTE)).isEqualTo(2);
        assertThat(proxy.get("/a/..b/c..d/.x").statusCode())
                .as("dots that are not a '..' segment")
                .isEqualTo(200);
        assertThat(upstream.received())
                .noneMatch(r -> r.uri().contains("..") && !r.uri().contains("..b"));
    }
}
