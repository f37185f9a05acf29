package dev.baton.proxy.stage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.RouteHmac;
import dev.baton.security.SecurityViolations;
import dev.baton.security.Tokens;
import io.vertx.core.MultiMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each stage against a fake request, and the order a route's policies compile to. */
class StagesTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef";

    static Step.Respond refused(Step step) {
        assertThat(step).isInstanceOf(Step.Respond.class);
        return (Step.Respond) step;
    }

    static Stage only(FakeRequest r, Class<? extends Stage> type) {
        return Pipeline.of(r.route).stages().stream()
                .filter(type::isInstance)
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aRouteWithoutPoliciesHasTheEmptyPipelineAndPoliciesCompileInOrder() {
        assertThat(Pipeline.of(FakeRequest.on("{ path: /**, service: s }").route)
                        .isEmpty())
                .isTrue();
        FakeRequest r = FakeRequest.on("""
                { path: /**, service: s, ip-allow: [10.0.0.0/8], validate: { max-headers: 5, json: { max-depth: 8 } },
                    auth: { jwt: true }, transform: { request: { headers: { set: { x-a: "1" } } } },
                    cors: { allow-origins: ["https://a.example"] },
                    rate-limit: { requests-per-second: 1, burst: 1, key: global } }""");
        assertThat(Pipeline.of(r.route).stages())
                .extracting(s -> s.getClass().getSimpleName())
                .containsExactly(
                        "IpStage",
                        "ValidationStage",
                        "TokenStage",
                        "BodyStage",
                        "TransformStage",
                        "CorsStage",
                        "RateLimitStage");
    }

    @Test
    void theIpStageRefusesAClientOutsideTheRoutesLists() {
        FakeRequest r = FakeRequest.on("{ path: /**, service: s, ip-allow: [10.0.0.0/8] }");
        Stage ip = only(r, IpStage.class);
        assertThat(ip.request(r)).isEqualTo(Step.next());
        r.client = "192.168.1.1";
        Step.Respond no = refused(ip.request(r));
        assertThat(no.status()).isEqualTo(403);
        assertThat(no.violation()).contains(SecurityViolations.IP_DENIED);
        assertThat(no.message()).contains("192.168.1.1");
    }

    @Test
    void theValidationStageChecksTheHead() {
        FakeRequest r = FakeRequest.on("{ path: /**, service: s, validate: { max-headers: 2 } }");
        Stage v = only(r, ValidationStage.class);
        r.header("a", "1").header("b", "2");
        assertThat(v.request(r)).isEqualTo(Step.next());
        r.header("c", "3");
        Step.Respond no = refused(v.request(r));
        assertThat(no.status()).isEqualTo(400);
        assertThat(no.violation()).contains(SecurityViolations.TOO_MANY_HEADERS);
    }

    @Test
    void theTokenStageAsksForATokenChecksRolesAndForwardsClaims() {
        FakeRequest r = FakeRequest.on(
                "{ path: /**, service: s, auth: { jwt: true, roles: [admin], forward-claims: { sub: X-User } } }");
        Stage token = only(r, TokenStage.class);
        Step.Respond none = refused(token.request(r));
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.violation()).contains(SecurityViolations.INVALID_TOKEN);
        assertThat(none.headers()).extracting(Map.Entry::getKey).containsExactly("www-authenticate");

        r.headers.set("authorization", "Bearer " + issue(List.of("user")));
        Step.Respond role = refused(token.request(r));
        assertThat(role.status()).isEqualTo(403);
        assertThat(role.violation()).contains(SecurityViolations.FORBIDDEN_ROLE);

        r.headers.set("authorization", "Bearer " + issue(List.of("admin")));
        assertThat(token.request(r)).isEqualTo(Step.next());
        assertThat(r.caller).isNotNull();
        MultiMap upstream = MultiMap.caseInsensitiveMultiMap().add("authorization", "Bearer x");
        token.forward(r, upstream);
        assertThat(upstream.get("x-user")).isEqualTo("alice");
        assertThat(upstream.contains("authorization"))
                .as("the token stays here")
                .isFalse();
    }

    static String issue(List<String> roles) {
        return Tokens.issue(
                SECRET, "roles", roles, "alice", Optional.of("baton"), Duration.ofMinutes(5), Instant.now());
    }

    @Test
    void theBodyStageReadsTheBodyOnlyWhenARuleNeedsItThenChecksTheSignature() {
        FakeRequest r = FakeRequest.on(
                "{ path: /**, service: s, auth: { hmac: { secret: kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk, max-skew: 1m } } }");
        Stage body = only(r, BodyStage.class);
        r.method = "POST";
        r.hasBody = true;
        assertThat(body.request(r)).isEqualTo(Step.pause());
        Step.Respond unsigned = refused(r.body("{}".getBytes(StandardCharsets.UTF_8)));
        assertThat(unsigned.status()).isEqualTo(401);
        assertThat(unsigned.violation()).contains(SecurityViolations.BAD_SIGNATURE);

        long now = r.clock.millis() / 1000;
        byte[] content = "{}".getBytes(StandardCharsets.UTF_8);
        String signed = "sha256=" + hmac("k".repeat(32), now, "POST", "/api/x", content);
        r.header("x-baton-timestamp", Long.toString(now)).header("x-baton-signature", signed);
        assertThat(body.request(r)).isEqualTo(Step.pause());
        assertThat(r.body(content)).isEqualTo(Step.next());
    }

    static String hmac(String secret, long ts, String method, String uri, byte[] body) {
        try {
            var mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String canonical = ts + "\n" + method + "\n" + uri + "\n" + RouteHmac.sha256Hex(body);
            return java.util.HexFormat.of().formatHex(mac.doFinal(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theBodyStageMapsAJsonBodyAfterTheChecks() {
        FakeRequest r = FakeRequest.on("""
                { path: /**, service: s, validate: { json: { max-depth: 8 } },
                    transform: { request: { body: { rename: { /a: b } } } } }""");
        Stage body = only(r, BodyStage.class);
        r.method = "POST";
        r.hasBody = true;
        r.header("content-type", "application/json").header("content-length", "7");
        assertThat(body.request(r)).isEqualTo(Step.pause());
        Step.Respond bad = refused(r.body("{not json".getBytes(StandardCharsets.UTF_8)));
        assertThat(bad.status()).isEqualTo(400);

        assertThat(body.request(r)).isEqualTo(Step.pause());
        assertThat(r.body("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isEqualTo(Step.next());
        assertThat(new String(r.replacedBody, StandardCharsets.UTF_8)).isEqualTo("{\"b\":1}");
    }

    @Test
    void theRateLimitStageRefusesPastTheBurstAndShowsTheLimitOnTheResponse() {
        FakeRequest r = FakeRequest.on(
                "{ path: /**, service: s, rate-limit: { requests-per-second: 1, burst: 1, key: global } }");
        Stage limit = only(r, RateLimitStage.class);
        assertThat(limit.request(r)).isEqualTo(Step.next());
        MultiMap response = MultiMap.caseInsensitiveMultiMap();
        limit.response(r, 200, response);
        assertThat(response.get("ratelimit-limit")).isEqualTo("1");
        assertThat(response.get("ratelimit-remaining")).isEqualTo("0");

        Step.Respond no = refused(limit.request(r));
        assertThat(no.status()).isEqualTo(429);
        assertThat(no.headers()).extracting(Map.Entry::getKey).contains("retry-after", "ratelimit-limit");
    }

    @Test
    void theCorsStageLetsOnlyAnAllowedOriginReadTheAnswer() {
        FakeRequest r = FakeRequest.on("{ path: /**, service: s, cors: { allow-origins: [\"https://a.example\"] } }");
        Stage cors = only(r, CorsStage.class);
        MultiMap foreign = MultiMap.caseInsensitiveMultiMap();
        r.header("origin", "https://evil.example");
        cors.response(r, 200, foreign);
        assertThat(foreign.isEmpty()).isTrue();

        r.headers.set("origin", "https://a.example");
        MultiMap own = MultiMap.caseInsensitiveMultiMap();
        cors.answered(r, own);
        assertThat(own.get("access-control-allow-origin")).isEqualTo("https://a.example");
    }

    @Test
    void theTransformStageRewritesHeadersBothWays() {
        FakeRequest r = FakeRequest.on("""
                { path: /**, service: s, transform: { request: { headers: { set: { x-a: "1" } } },
                    response: { headers: { remove: [server] } } } }""");
        Stage t = only(r, TransformStage.class);
        MultiMap upstream = MultiMap.caseInsensitiveMultiMap();
        t.forward(r, upstream);
        assertThat(upstream.get("x-a")).isEqualTo("1");
        MultiMap response = MultiMap.caseInsensitiveMultiMap().add("server", "x");
        t.response(r, 200, response);
        assertThat(response.contains("server")).isFalse();
    }
}
