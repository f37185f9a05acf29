package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.baton.testing.FakeClock;
import dev.baton.testing.TestUpstream;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Tokens verified against a JWKS URL: fetched without blocking, refreshed on an unknown key id, rate-limited. */
class JwksTest extends ProxyTestSupport {
    final AtomicReference<String> jwks = new AtomicReference<>();
    final AtomicInteger fetches = new AtomicInteger();

    static String token(RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder()
                        .subject("alice")
                        .claim("roles", List.of("user"))
                        .expirationTime(Date.from(Instant.now().plusSeconds(300)))
                        .build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    HttpResponse<String> call(String token) throws Exception {
        return proxy.send(HttpRequest.newBuilder(proxy.uri("/api/x")).header("Authorization", "Bearer " + token));
    }

    @Test
    void keysAreFetchedOnDemandAndAfterRotation() throws Exception {
        RSAKey k1 = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey k2 = new RSAKeyGenerator(2048).keyID("k2").generate();
        jwks.set(new JWKSet(k1.toPublicJWK()).toString());
        other = TestUpstream.start(vertx, req -> {
            fetches.incrementAndGet();
            req.response().putHeader("content-type", "application/json").end(jwks.get());
        });
        upstream = TestUpstream.ok(vertx);
        String yaml = """
                security: { jwt: { jwks-url: "%s/.well-known/jwks.json" } }
                services: { s: { instances: [ "%s" ] } }
                routes: [ { path: /api/**, service: s, auth: { jwt: true, roles: [user] } } ]
                """.formatted(other.url(), upstream.url());
        FakeClock clock = new FakeClock();
        proxy = new ProxyHarness(vertx, yaml, clock);

        assertThat(call(token(k1)).statusCode())
                .as("the first token fetches the keys")
                .isEqualTo(200);
        assertThat(call(token(k1)).statusCode()).isEqualTo(200);
        assertThat(fetches.get()).isEqualTo(1);

        jwks.set(new JWKSet(List.of(k1.toPublicJWK(), k2.toPublicJWK())).toString());
        proxy.apply(yaml + "\n");
        assertThat(call(token(k1)).statusCode()).isEqualTo(200);
        assertThat(fetches.get())
                .as("a reload that leaves security.jwt alone keeps the keys")
                .isEqualTo(1);

        clock.advance(Duration.ofMillis(10_100)); // past the minimum interval between refreshes
        assertThat(call(token(k2)).statusCode()).as("a rotated key is fetched").isEqualTo(200);
        assertThat(fetches.get()).isEqualTo(2);

        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k9").generate();
        HttpResponse<String> unknown = call(token(stranger));
        assertThat(unknown.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(unknown.body()).getString("message")).contains("unknown key");
        call(token(stranger));
        assertThat(fetches.get()).as("made-up key ids do not turn into fetches").isEqualTo(2);
    }
}
