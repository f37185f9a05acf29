package dev.baton.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code security:} section: token checking, admin authentication with its
 * role-to-permission map, the global IP allow and deny lists, and the proxies whose
 * {@code X-Forwarded-For} is believed ({@code trusted-proxies}; none by default).
 *
 * @param roles admin roles and the permissions each grants (seed 003's
 *     {@code config:read}, {@code config:write}, {@code registry:read},
 *     {@code registry:write}, {@code operations:write}); {@link #DEFAULT_ROLES} unless
 *     configured
 */
public record SecurityConfig(
        Optional<Jwt> jwt,
        boolean adminAuth,
        List<String> ipAllow,
        List<String> ipDeny,
        List<String> trustedProxies,
        Map<String, Set<String>> roles) {

    public static final Set<String> PERMISSIONS =
            Set.of("config:read", "config:write", "registry:read", "registry:write", "operations:write", "audit:read");

    /** CONTRACT §3: readonly may read, user may also operate, admin may do everything. */
    public static final Map<String, Set<String>> DEFAULT_ROLES = Map.of(
            "readonly", Set.of("config:read", "registry:read"),
            "user", Set.of("config:read", "registry:read", "operations:write"),
            "admin", PERMISSIONS);

    public SecurityConfig {
        ipAllow = List.copyOf(ipAllow);
        ipDeny = List.copyOf(ipDeny);
        trustedProxies = List.copyOf(trustedProxies);
        roles = Map.copyOf(roles);
    }

    /** How JWTs are verified: exactly one of secret, JWKS URL or public key. */
    public record Jwt(
            Optional<String> secret,
            Optional<String> jwksUrl,
            Optional<String> publicKey,
            Optional<String> issuer,
            Optional<String> audience,
            String rolesClaim) {}
}
