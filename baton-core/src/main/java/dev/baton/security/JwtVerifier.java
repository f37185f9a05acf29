package dev.baton.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.baton.config.SecurityConfig;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Verifies JWTs with nimbus-jose-jwt against the configured key: HS256/384/512
 * with {@code secret}, RS/PS with an RSA {@code public-key}, ES with an EC one.
 * The key decides which algorithms are accepted, so {@code alg: none} and
 * algorithm confusion (an HS256 token signed with the RSA public key as secret)
 * fail. {@code exp} is required; {@code exp} and {@code nbf} allow a small clock
 * skew; {@code iss} and {@code aud} are checked when configured. Thread-safe.
 */
public final class JwtVerifier {
    static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    /** Nimbus' verifiers, plus the JDK's for Ed25519 keys (nimbus' own needs Tink). */
    private static final com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory ED25519_AWARE =
            new com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory() {
                @Override
                public com.nimbusds.jose.JWSVerifier createJWSVerifier(JWSHeader header, java.security.Key k)
                        throws JOSEException {
                    return k instanceof java.security.interfaces.EdECPublicKey edKey
                            ? new Ed25519Verifier(edKey)
                            : super.createJWSVerifier(header, k);
                }
            };

    private static final Set<JWSAlgorithm> RSA = Set.of(
            JWSAlgorithm.RS256,
            JWSAlgorithm.RS384,
            JWSAlgorithm.RS512,
            JWSAlgorithm.PS256,
            JWSAlgorithm.PS384,
            JWSAlgorithm.PS512);
    private static final Set<JWSAlgorithm> EC = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    private static final Set<JWSAlgorithm> ASYMMETRIC =
            java.util.stream.Stream.concat(RSA.stream(), EC.stream()).collect(java.util.stream.Collectors.toSet());

    /** The reason when no key verifies the token: with a JWKS, worth a refresh and another try. */
    public static final String UNKNOWN_KEY = "token signed with an unknown key";

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String rolesClaim;

    private final @Nullable JwksKeys jwks; // null without a jwks-url

    private JwtVerifier(DefaultJWTProcessor<SecurityContext> processor, String rolesClaim, @Nullable JwksKeys jwks) {
        this.processor = processor;
        this.rolesClaim = rolesClaim;
        this.jwks = jwks;
    }

    /** The JWKS keys this verifier reads, when it is configured with a jwks-url. */
    public java.util.Optional<JwksKeys> jwks() {
        return java.util.Optional.ofNullable(jwks);
    }

    /** A verifier for {@code config}; IllegalArgumentException when its key cannot be used. */
    public static JwtVerifier of(SecurityConfig.Jwt config, Clock clock) {
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        JwksKeys jwks = null;
        if (config.secret().isPresent()) {
            JWKSource<SecurityContext> secret =
                    new ImmutableSecret<>(config.secret().get().getBytes(StandardCharsets.UTF_8));
            p.setJWSKeySelector(new JWSVerificationKeySelector<>(
                    Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512), secret));
        } else if (config.publicKey().isPresent()) {
            PublicKey key = pem(config.publicKey().get());
            if (key instanceof RSAPublicKey rsa) {
                p.setJWSKeySelector(new JWSVerificationKeySelector<>(
                        RSA, new ImmutableJWKSet<>(new JWKSet(new RSAKey.Builder(rsa).build()))));
            } else if (key instanceof ECPublicKey ec) {
                ECKey jwk =
                        new ECKey.Builder(com.nimbusds.jose.jwk.Curve.forECParameterSpec(ec.getParams()), ec).build();
                p.setJWSKeySelector(new JWSVerificationKeySelector<>(EC, new ImmutableJWKSet<>(new JWKSet(jwk))));
            } else if (key instanceof java.security.interfaces.EdECPublicKey ed) {
                p.setJWSKeySelector((header, context) ->
                        JWSAlgorithm.EdDSA.equals(header.getAlgorithm()) ? List.of(ed) : List.of());
                p.setJWSVerifierFactory(ED25519_AWARE);
            } else {
                throw new IllegalArgumentException("public-key must be an RSA, EC or Ed25519 key");
            }
        } else if (config.jwksUrl().isPresent()) {
            JwksKeys keys = new JwksKeys(config.jwksUrl().get(), clock);
            jwks = keys;
            JWSVerificationKeySelector<SecurityContext> standard = new JWSVerificationKeySelector<>(ASYMMETRIC, keys);
            p.setJWSKeySelector((header, context) -> {
                if (JWSAlgorithm.EdDSA.equals(header.getAlgorithm())) {
                    java.security.PublicKey ed = keys.ed25519(header.getKeyID());
                    return ed == null ? List.of() : List.of(ed);
                }
                return standard.selectJWSKeys(header, context);
            });
            p.setJWSVerifierFactory(ED25519_AWARE);
        } else {
            throw new IllegalArgumentException("security.jwt needs a secret, public-key or jwks-url");
        }
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        config.issuer().ifPresent(exact::issuer);
        Set<String> required = new HashSet<>(Set.of("exp"));
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(config.audience().orElse(null), exact.build(), required) {
                    @Override
                    protected Date currentTime() {
                        return Date.from(clock.instant());
                    }
                };
        claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
        p.setJWTClaimsSetVerifier(claims);
        return new JwtVerifier(p, config.rolesClaim(), jwks);
    }

    /** Verifies a compact JWT, returning its caller; TokenException says why it does not verify. */
    public Caller verify(String token) throws TokenException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new TokenException("malformed token");
        } catch (BadJOSEException e) {
            String why = reason(e.getMessage());
            // Without a JWKS there is no other key to fetch: the algorithm or key is simply wrong.
            throw new TokenException(
                    why.equals(UNKNOWN_KEY) && jwks == null ? "token signature or algorithm not accepted" : why);
        } catch (JOSEException e) {
            throw new TokenException("token could not be verified");
        }
        List<String> roles = new ArrayList<>();
        Object value = claims.getClaim(rolesClaim);
        if (value instanceof List<?> list) {
            list.forEach(r -> roles.add(String.valueOf(r)));
        } else if (value instanceof String s) {
            roles.addAll(List.of(s.trim().split("[\\s,]+")));
        }
        return new Caller(java.util.Optional.ofNullable(claims.getSubject()), roles, claims.getClaims());
    }

    /** Nimbus' reasons, shortened to what a caller may be told. */
    private static String reason(@Nullable String message) {
        String m = message == null ? "" : message;
        if (m.contains("missing required claims")) {
            return "token lacks a required claim (exp)";
        }
        if (m.contains("Expired")) {
            return "token expired";
        }
        if (m.contains("before use time") || m.contains("nbf")) {
            return "token not valid yet";
        }
        if (m.contains("JWT iss claim")) {
            return "token has the wrong issuer";
        }
        if (m.contains("JWT aud claim") || m.contains("audience")) {
            return "token has the wrong audience";
        }
        if (m.contains("plain") || m.contains("Unsecured")) {
            return "unsigned tokens (alg: none) are refused";
        }
        if (m.contains("no matching key")) {
            return UNKNOWN_KEY;
        }
        if (m.contains("key selector") || m.contains("algorithm") || m.contains("Signed JWT rejected")) {
            return "token signature or algorithm not accepted";
        }
        return "token not accepted";
    }

    /** A PEM {@code PUBLIC KEY} (SubjectPublicKeyInfo), RSA or EC. */
    public static PublicKey pem(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("public-key is not PEM (-----BEGIN PUBLIC KEY----- ...)");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception tryNext) {
                // not this kind of key
            }
        }
        throw new IllegalArgumentException("public-key is not an RSA, EC or Ed25519 public key in PEM");
    }
}
