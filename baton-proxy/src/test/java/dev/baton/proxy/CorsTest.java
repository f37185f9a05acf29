package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CORS per route: preflights answered by Baton, headers on real and error responses, others untouched. */
class CorsTest extends ProxyTestSupport {

    @BeforeEach
    void start() {
        upstream = TestUpstream.start(
                vertx,
                req -> req.response()
                        .putHeader("access-control-allow-origin", "*") // the upstream's own say is replaced
                        .putHeader("x-total", "7")
                        .end("ok"));
        proxy = new ProxyHarness(vertx, """
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - path: /api/**
                    service: s
                    methods: [GET, PUT]
                    cors:
                      allow-origins: [ "https://app.example.com" ]
                      allow-methods: [GET, PUT]
                      allow-headers: [Content-Type, X-Trace]
                      expose-headers: [X-Total]
                      allow-credentials: true
                      max-age: 1h
                    rate-limit: { requests-per-second: 0.01, burst: 2, key: global }
                  - { path: /**, service: s }
                """.formatted(upstream.url()));
    }

    HttpResponse<String> preflight(String origin, String method, String headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri("/api/items"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", method);
        if (headers != null) {
            b.header("Access-Control-Request-Headers", headers);
        }
        return proxy.send(b);
    }

    @Test
    void preflightsAreAnsweredByBaton() throws Exception {
        HttpResponse<String> ok = preflight("https://app.example.com", "PUT", "content-type, x-trace");
        assertThat(ok.statusCode()).isEqualTo(204);
        assertThat(ok.headers().firstValue("access-control-allow-origin")).contains("https://app.example.com");
        assertThat(ok.headers().firstValue("access-control-allow-credentials")).contains("true");
        assertThat(ok.headers().firstValue("access-control-allow-methods"))
                .hasValueSatisfying(m -> assertThat(m).contains("PUT"));
        assertThat(ok.headers().firstValue("access-control-allow-headers")).contains("content-type, x-trace");
        assertThat(ok.headers().firstValue("access-control-max-age")).contains("3600");
        assertThat(ok.headers().allValues("vary")).contains("Origin");
        assertThat(upstream.received()).as("never proxied").isEmpty();

        assertThat(preflight("https://evil.example.com", "PUT", null).statusCode())
                .isEqualTo(403);
        assertThat(preflight("https://app.example.com", "DELETE", null).statusCode())
                .isEqualTo(403);
        assertThat(preflight("https://app.example.com", "GET", "x-secret").statusCode())
                .isEqualTo(403);
    }

    @Test
    void responsesAndBatonsOwnErrorsCarryTheHeadersForAllowedOrigins() throws Exception {
        HttpResponse<String> r =
                proxy.send(HttpRequest.newBuilder(proxy.uri("/api/items")).header("Origin", "https://app.example.com"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().allValues("access-control-allow-origin")).containsExactly("https://app.example.com");
        assertThat(r.headers().firstValue("access-control-expose-headers")).contains("X-Total");

        proxy.send(HttpRequest.newBuilder(proxy.uri("/api/items")).header("Origin", "https://app.example.com"));
        HttpResponse<String> limited =
                proxy.send(HttpRequest.newBuilder(proxy.uri("/api/items")).header("Origin", "https://app.example.com"));
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("access-control-allow-origin")).contains("https://app.example.com");

        HttpResponse<String> other =
                proxy.send(HttpRequest.newBuilder(proxy.uri("/plain")).header("Origin", "https://app.example.com"));
        assertThat(other.headers().firstValue("access-control-allow-origin"))
                .as("a route without cors passes the upstream's headers through")
                .contains("*");
    }
}
