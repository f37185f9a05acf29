package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Route transforms: headers both ways, a path rewrite with groups, query parameters. */
class TransformTest extends ProxyTestSupport {

    @Test
    void headersPathAndQueryAreRewritten() throws Exception {
        upstream = TestUpstream.start(
                vertx,
                req -> req.response()
                        .putHeader("server", "internal-1.2")
                        .putHeader("x-internal-id", "42")
                        .end(req.uri()));
        proxy = new ProxyHarness(vertx, """
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - path: /api/**
                    service: s
                    strip-prefix: /api
                    transform:
                      request:
                        headers:
                          add: { X-Gateway: baton }
                          set: { X-Env: prod }
                          remove: [ X-Debug ]
                          rename: { X-Old-Token: X-Token }
                        path: { pattern: "^/v1/users/([0-9]+)$", replacement: "/users/$1/profile" }
                        query: { set: { source: gateway }, remove: [ debug ] }
                      response:
                        headers: { remove: [ Server ], rename: { X-Internal-Id: X-Request-Ref } }
                """.formatted(upstream.url()));
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/api/v1/users/7?debug=1&page=2"))
                .header("X-Env", "dev")
                .header("X-Debug", "yes")
                .header("X-Old-Token", "t"));
        assertThat(r.body()).isEqualTo("/users/7/profile?page=2&source=gateway");
        var seen = upstream.last().headers();
        assertThat(seen.get("x-gateway")).isEqualTo("baton");
        assertThat(seen.getAll("x-env")).containsExactly("prod");
        assertThat(seen.get("x-debug")).isNull();
        assertThat(seen.get("x-token")).isEqualTo("t");
        assertThat(seen.get("x-old-token")).isNull();
        assertThat(r.headers().firstValue("server")).isEmpty();
        assertThat(r.headers().firstValue("x-request-ref")).contains("42");
        assertThat(r.headers().firstValue("x-internal-id")).isEmpty();

        assertThat(proxy.get("/api/other").body())
                .as("no match: the path stays")
                .isEqualTo("/other?source=gateway");
    }

    @Test
    void jsonBodiesAreMappedBothWaysAndOthersStreamUntouched() throws Exception {
        upstream = TestUpstream.start(
                vertx,
                req -> req.body()
                        .onSuccess(b -> req.response()
                                .putHeader("content-type", "application/json")
                                .end("{\"received\":" + (b.length() == 0 ? "null" : b.toString())
                                        + ",\"secret\":\"s\"}")));
        proxy = new ProxyHarness(vertx, """
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - path: /**
                    service: s
                    transform:
                      request:
                        body: { rename: { /qty: quantity }, set: { /channel: web }, max-size: 1KB }
                      response:
                        body: { remove: [ /secret ], wrap: data }
                """.formatted(upstream.url()));
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/orders"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"a\",\"qty\":2}")));
        assertThat(r.body()).isEqualTo("{\"data\":{\"received\":{\"sku\":\"a\",\"quantity\":2,\"channel\":\"web\"}}}");
        assertThat(r.headers().firstValue("content-length"))
                .contains(Integer.toString(r.body().length()));

        HttpResponse<String> text = proxy.send(HttpRequest.newBuilder(proxy.uri("/orders"))
                .header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"qty\":2}")));
        assertThat(text.body()).as("not JSON: the request streams as it was").contains("\"qty\":2");

        String big = "{\"qty\":\"" + "x".repeat(2000) + "\"}";
        HttpResponse<String> large = proxy.send(HttpRequest.newBuilder(proxy.uri("/orders"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(big)));
        assertThat(large.body()).as("over max-size: untouched").contains("\"qty\"");
    }
}
