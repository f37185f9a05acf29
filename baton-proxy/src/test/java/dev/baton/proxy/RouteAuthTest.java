package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.security.SecurityViolations;
import dev.baton.security.Tokens;
import dev.baton.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JWT-protected routes: 401 and 403 as the README says, claims forwarded, spoofed headers dropped. */
class RouteAuthTest extends ProxyTestSupport {
    static final String SECRET = "0123456789abcdef0123456789abcdef";

    @BeforeEach
    void start() {
        upstream = TestUpstream.ok(vertx);
        proxy = new ProxyHarness(vertx, """
                security: { jwt: { secret: "%s", issuer: baton } }
                services: { s: { instances: [ "%s" ] } }
                routes:
                  - path: /admin/**
                    service: s
                    auth: { jwt: true, roles: [admin], forward-claims: { sub: X-User-Id, roles: X-Roles } }
                  - path: /limited/**
                    service: s
                    auth: { jwt: true }
                    rate-limit: { requests-per-second: 0.01, burst: 1, key: "claim:sub" }
                  - path: /raw/**
                    service: s
                    auth: { jwt: true, forward-token: true }
                  - { path: /**, service: s }
                """.formatted(SECRET, upstream.url()));
    }

    static String token(List<String> roles) {
        return Tokens.issue(
                SECRET, "roles", roles, "alice", Optional.of("baton"), Duration.ofMinutes(5), Instant.now());
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return proxy.send(b);
    }

    @Test
    void aTokenWithTheRoleGoesThroughWithItsClaimsAndWithoutItself() throws Exception {
        HttpResponse<String> r =
                get("/admin/x", "Authorization", "Bearer " + token(List.of("admin", "user")), "X-User-Id", "mallory");
        assertThat(r.statusCode()).isEqualTo(200);
        var seen = upstream.last().headers();
        assertThat(seen.getAll("x-user-id"))
                .as("the client's own X-User-Id is dropped")
                .containsExactly("alice");
        assertThat(seen.get("x-roles")).isEqualTo("admin,user");
        assertThat(seen.get("authorization")).isNull();

        assertThat(get("/raw/x", "Authorization", "Bearer " + token(List.of())).statusCode())
                .isEqualTo(200);
        assertThat(upstream.last().headers().get("authorization")).startsWith("Bearer ");
        assertThat(get("/open").statusCode()).isEqualTo(200);
    }

    @Test
    void aClaimWithALineBreakIsNeverForwardedAsAHeader() throws Exception {
        // Signed and valid, but its subject was chosen by the user at the identity provider.
        String injected = Tokens.issue(
                SECRET,
                "roles",
                List.of("admin"),
                "alice\r\nX-Roles: superuser",
                Optional.of("baton"),
                Duration.ofMinutes(5),
                Instant.now());
        int before = upstream.received().size();
        HttpResponse<String> r = get("/admin/x", "Authorization", "Bearer " + injected);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("message")).contains("X-User-Id");
        assertThat(upstream.received()).hasSize(before);
        assertThat(proxy.proxy
                        .violations()
                        .counts()
                        .get(SecurityViolations.INVALID_HEADER)
                        .sum())
                .isPositive();
    }

    @Test
    void missingBadAndUnderprivilegedTokensAreRefused() throws Exception {
        HttpResponse<String> none = get("/admin/x");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(new JsonObject(none.body()).getString("error")).isEqualTo("unauthorized");

        HttpResponse<String> forged = get(
                "/admin/x",
                "Authorization",
                "Bearer "
                        + Tokens.issue(
                                "another-secret-another-secret-xx",
                                "roles",
                                List.of("admin"),
                                "eve",
                                Optional.of("baton"),
                                Duration.ofMinutes(5),
                                Instant.now()));
        assertThat(forged.statusCode()).isEqualTo(401);

        HttpResponse<String> expired = get(
                "/admin/x",
                "Authorization",
                "Bearer "
                        + Tokens.issue(
                                SECRET,
                                "roles",
                                List.of("admin"),
                                "alice",
                                Optional.of("baton"),
                                Duration.ofMinutes(1),
                                Instant.now().minus(Duration.ofHours(1))));
        assertThat(new JsonObject(expired.body()).getString("message")).isEqualTo("token expired");

        HttpResponse<String> weak = get("/admin/x", "Authorization", "Bearer " + token(List.of("user")));
        assertThat(weak.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(weak.body()).getString("error")).isEqualTo("forbidden");
    }

    @Test
    void aRateLimitMayKeyOnAClaimOfTheVerifiedToken() throws Exception {
        String alice = token(List.of());
        String bob = Tokens.issue(
                SECRET, "roles", List.of(), "bob", Optional.of("baton"), Duration.ofMinutes(5), Instant.now());
        assertThat(get("/limited/x", "Authorization", "Bearer " + alice).statusCode())
                .isEqualTo(200);
        assertThat(get("/limited/x", "Authorization", "Bearer " + alice).statusCode())
                .isEqualTo(429);
        assertThat(get("/limited/x", "Authorization", "Bearer " + bob).statusCode())
                .as("bob's own bucket")
                .isEqualTo(200);
    }
}
