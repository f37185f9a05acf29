package dev.baton.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.baton.config.SecurityConfig;
import dev.baton.testing.FakeClock;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JwtVerifierTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef";
    final FakeClock clock = new FakeClock();

    static SecurityConfig.Jwt secret(Optional<String> issuer, Optional<String> audience) {
        return new SecurityConfig.Jwt(
                Optional.of(SECRET), Optional.empty(), Optional.empty(), issuer, audience, "roles");
    }

    static SecurityConfig.Jwt publicKey(KeyPair pair) {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        return new SecurityConfig.Jwt(
                Optional.empty(), Optional.empty(), Optional.of(pem), Optional.empty(), Optional.empty(), "roles");
    }

    JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .subject("alice")
                .claim("roles", List.of("user", "ops"))
                .expirationTime(Date.from(clock.instant().plus(Duration.ofMinutes(5))));
    }

    static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    @Test
    void hmacTokensVerifyAndYieldTheCaller() throws Exception {
        JwtVerifier v = JwtVerifier.of(secret(Optional.empty(), Optional.empty()), clock);
        Caller c = v.verify(sign(new MACSigner(SECRET), JWSAlgorithm.HS256, claims().build()));
        assertThat(c.subject()).contains("alice");
        assertThat(c.roles()).containsExactly("user", "ops");
        assertThat(c.hasAnyRole(List.of("admin", "ops"))).isTrue();
        assertThat(c.hasAnyRole(List.of("admin"))).isFalse();
        String longSecret = SECRET + SECRET;
        JwtVerifier v512 = JwtVerifier.of(
                new SecurityConfig.Jwt(
                        Optional.of(longSecret),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        "roles"),
                clock);
        assertThat(v512.verify(sign(new MACSigner(longSecret), JWSAlgorithm.HS512, claims().build()))
                        .roles())
                .as("HS512 with a 64-byte secret")
                .isNotEmpty();
    }

    @Test
    void timeIssuerAudienceAndSignatureAreChecked() throws Exception {
        JwtVerifier v = JwtVerifier.of(secret(Optional.of("baton"), Optional.of("orders")), clock);
        MACSigner signer = new MACSigner(SECRET);
        String good = sign(
                signer,
                JWSAlgorithm.HS256,
                claims().issuer("baton").audience("orders").build());
        assertThat(v.verify(good).subject()).contains("alice");

        clock.advance(Duration.ofMinutes(5).plusSeconds(20));
        assertThat(v.verify(good).subject()).as("within the clock skew").contains("alice");
        clock.advance(Duration.ofSeconds(20));
        assertThatThrownBy(() -> v.verify(good)).hasMessage("token expired");

        String early = sign(
                signer,
                JWSAlgorithm.HS256,
                claims().issuer("baton")
                        .audience("orders")
                        .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1))))
                        .notBeforeTime(Date.from(clock.instant().plus(Duration.ofMinutes(10))))
                        .build());
        assertThatThrownBy(() -> v.verify(early)).hasMessage("token not valid yet");
        String wrongIssuer = sign(
                signer,
                JWSAlgorithm.HS256,
                claims().issuer("evil").audience("orders").build());
        clock.advance(Duration.ofMinutes(-6));
        assertThatThrownBy(() -> v.verify(wrongIssuer)).hasMessage("token has the wrong issuer");
        String wrongAudience = sign(
                signer,
                JWSAlgorithm.HS256,
                claims().issuer("baton").audience("billing").build());
        assertThatThrownBy(() -> v.verify(wrongAudience)).hasMessage("token has the wrong audience");
        String noExp = sign(
                signer,
                JWSAlgorithm.HS256,
                new JWTClaimsSet.Builder().issuer("baton").audience("orders").build());
        assertThatThrownBy(() -> v.verify(noExp)).hasMessage("token lacks a required claim (exp)");
        String forged = sign(new MACSigner("another-secret-another-secret-xx"), JWSAlgorithm.HS256, claims().build());
        assertThatThrownBy(() -> v.verify(forged)).isInstanceOf(TokenException.class);
        assertThatThrownBy(() -> v.verify("not.a.jwt")).hasMessage("malformed token");
    }

    @Test
    void unsignedTokensAndAlgorithmConfusionAreRefused() throws Exception {
        JwtVerifier hs = JwtVerifier.of(secret(Optional.empty(), Optional.empty()), clock);
        String none = new PlainJWT(claims().build()).serialize();
        assertThatThrownBy(() -> hs.verify(none)).isInstanceOf(TokenException.class);

        KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
        gen.initialize(2048);
        KeyPair rsa = gen.generateKeyPair();
        JwtVerifier rs = JwtVerifier.of(publicKey(rsa), clock);
        assertThat(rs.verify(sign(new RSASSASigner(rsa.getPrivate()), JWSAlgorithm.RS256, claims().build()))
                        .subject())
                .contains("alice");
        // The classic confusion: HS256 "signed" with the RSA public key as the HMAC secret.
        String confused = sign(new MACSigner(rsa.getPublic().getEncoded()), JWSAlgorithm.HS256, claims().build());
        assertThatThrownBy(() -> rs.verify(confused)).hasMessage("token signature or algorithm not accepted");
    }

    @Test
    void ecKeysVerifyEs256() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ec = gen.generateKeyPair();
        JwtVerifier v = JwtVerifier.of(publicKey(ec), clock);
        assertThat(v.verify(sign(
                                new ECDSASigner((java.security.interfaces.ECPrivateKey) ec.getPrivate()),
                                JWSAlgorithm.ES256,
                                claims().build()))
                        .roles())
                .contains("user");
        assertThatThrownBy(() -> JwtVerifier.pem("not pem at all")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ed25519KeysVerifyEdDsa() throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        JwtVerifier v = JwtVerifier.of(publicKey(ed), clock);
        String header = b64("{\"alg\":\"EdDSA\"}");
        String payload = b64(claims().build().toString());
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initSign(ed.getPrivate());
        s.update((header + "." + payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String token = header + "." + payload + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        assertThat(v.verify(token).subject()).contains("alice");
        String tampered = header + "." + b64(claims().subject("mallory").build().toString())
                + token.substring(token.lastIndexOf('.'));
        assertThatThrownBy(() -> v.verify(tampered)).isInstanceOf(TokenException.class);
        String hs = sign(new MACSigner(SECRET), JWSAlgorithm.HS256, claims().build());
        assertThatThrownBy(() -> v.verify(hs))
                .as("only EdDSA with an Ed25519 key")
                .isInstanceOf(TokenException.class);
    }

    @Test
    void ed25519KeysFromAJwksVerifyEdDsaByKeyId() throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = ed.getPublic().getEncoded();
        byte[] x = java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        com.nimbusds.jose.jwk.OctetKeyPair okp = new com.nimbusds.jose.jwk.OctetKeyPair.Builder(
                        com.nimbusds.jose.jwk.Curve.Ed25519, com.nimbusds.jose.util.Base64URL.encode(x))
                .keyID("ed1")
                .build();
        JwtVerifier v = JwtVerifier.of(
                new SecurityConfig.Jwt(
                        Optional.empty(),
                        Optional.of("http://127.0.0.1:1/jwks"),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        "roles"),
                clock);
        v.jwks().orElseThrow().update(new com.nimbusds.jose.jwk.JWKSet(okp).toString());
        java.security.PrivateKey priv = ed.getPrivate();
        String header = b64("{\"alg\":\"EdDSA\",\"kid\":\"ed1\"}");
        String payload = b64(claims().build().toString());
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initSign(priv);
        s.update((header + "." + payload).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String token = header + "." + payload + "."
                + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        assertThat(v.verify(token).subject()).contains("alice");
        String otherKid = b64("{\"alg\":\"EdDSA\",\"kid\":\"ed2\"}") + token.substring(token.indexOf('.'));
        assertThatThrownBy(() -> v.verify(otherKid)).hasMessage(JwtVerifier.UNKNOWN_KEY);
    }

    static String b64(String json) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
