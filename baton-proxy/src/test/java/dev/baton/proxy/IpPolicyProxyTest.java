package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** IP allow and deny lists, globally and per route, and X-Forwarded-For only from trusted proxies. */
class IpPolicyProxyTest extends ProxyTestSupport {

    HttpResponse<String> get(String path, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return proxy.send(b);
    }

    @Test
    void globalAndRouteListsApplyToTheClientAddress() throws Exception {
        upstream = TestUpstream.ok(vertx);
        proxy = new ProxyHarness(vertx, """
                security: { ip-allow: [127.0.0.0/8, "::1/128"] }
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - { path: /internal/**, service: s, ip-allow: [10.0.0.0/8] }
                  - { path: /blocked/**, service: s, ip-deny: [127.0.0.1] }
                  - { path: /**, service: s }
                """.formatted(upstream.url()));
        assertThat(get("/x", null).statusCode()).isEqualTo(200);
        HttpResponse<String> internal = get("/internal/x", "10.1.2.3");
        assertThat(internal.statusCode())
                .as("X-Forwarded-For is not believed from an untrusted peer")
                .isEqualTo(403);
        assertThat(new JsonObject(internal.body()).getString("error")).isEqualTo("forbidden");
        assertThat(get("/blocked/x", null).statusCode()).isEqualTo(403);

        proxy.apply("""
                security: { ip-allow: [8.8.8.8] }
                services: { s: { instances: [ "%s" ] } }
                routes: [ { path: /**, service: s } ]
                """.formatted(upstream.url()));
        assertThat(get("/x", null).statusCode()).isEqualTo(403);
    }

    @Test
    void behindATrustedProxyTheForwardedClientDecidesAndIsRateLimited() throws Exception {
        upstream = TestUpstream.ok(vertx);
        proxy = new ProxyHarness(vertx, """
                security: { trusted-proxies: [127.0.0.0/8, "::1/128"] }
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - { path: /internal/**, service: s, ip-allow: [10.0.0.0/8] }
                  - { path: /**, service: s, rate-limit: { requests-per-second: 1, burst: 1, key: ip } }
                """.formatted(upstream.url()));
        assertThat(get("/internal/x", "10.1.2.3").statusCode()).isEqualTo(200);
        assertThat(get("/internal/x", "6.6.6.6, 10.1.2.3").statusCode())
                .as("the nearest untrusted hop decides")
                .isEqualTo(200);
        assertThat(get("/internal/x", "10.1.2.3, 203.0.113.9").statusCode()).isEqualTo(403);

        assertThat(get("/x", "198.51.100.1").statusCode()).isEqualTo(200);
        assertThat(get("/x", "198.51.100.1").statusCode()).isEqualTo(429);
        assertThat(get("/x", "198.51.100.2").statusCode())
                .as("another client, another bucket")
                .isEqualTo(200);
    }
}
