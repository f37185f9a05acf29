package dev.baton.config;

import java.util.List;
import java.util.Optional;

/**
 * The {@code security:} section: token checking, admin authentication and the global
 * IP allow-list.
 */
public record SecurityConfig(Optional<Jwt> jwt, boolean adminAuth, List<String> ipAllow) {

    public SecurityConfig {
        ipAllow = List.copyOf(ipAllow);
    }

    /** How JWTs are verified: exactly one of secret, JWKS URL or public key. */
    public record Jwt(
            Optional<String> secret,
            Optional<String> jwksUrl,
            Optional<String> publicKey,
            Optional<String> issuer,
            String rolesClaim) {}
}
