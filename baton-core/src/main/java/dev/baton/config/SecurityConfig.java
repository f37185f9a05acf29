package dev.baton.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code security:} section: token checking, admin authentication with its
 * role-to-permission map, the global IP allow and deny lists, the proxies whose
 * {@code X-Forwarded-For} is believed ({@code trusted-proxies}; none by default), and
 * what the admin API accepts from browsers beyond its own address: the web origins
 * that may change it and the {@code Host} names it answers to.
 *
 * @param roles admin roles and the permissions each grants ({@code config:read},
 *     {@code config:write}, {@code registry:read}, {@code registry:write},
 *     {@code operations:write}, {@code audit:read}); {@link #DEFAULT_ROLES} unless
 *     configured
 * @param adminOrigins origins ({@code https://ops.example.com}) whose pages may change the
 *     admin API, besides the admin address's own; as written, checked by the reader
 * @param adminHosts {@code Host} names (optionally with a port) the admin API answers
 *     besides its own address and {@code localhost}, while it listens on a loopback,
 *     private or wildcard address; as written, checked by the reader
 */
public record SecurityConfig(
        Optional<Jwt> jwt,
        boolean adminAuth,
        List<String> ipAllow,
        List<String> ipDeny,
        List<String> trustedProxies,
        Map<String, Set<String>> roles,
        List<String> adminOrigins,
        List<String> adminHosts) {

    public static final Set<String> PERMISSIONS = Set.of(
            "config:read",
            "config:write",
            "registry:read",
            "registry:write",
            "operations:write",
            "audit:read",
            "sagas:read",
            "sagas:write",
            "queues:read",
            "queues:write");

    /** The built-in roles: readonly may read, user may also operate, admin may do everything. */
    public static final Map<String, Set<String>> DEFAULT_ROLES = Map.of(
            "readonly", Set.of("config:read", "registry:read"),
            "user",
                    Set.of(
                            "config:read",
                            "registry:read",
                            "operations:write",
                            "sagas:read",
                            "sagas:write",
                            "queues:read",
                            "queues:write"),
            "admin", PERMISSIONS);

    public SecurityConfig {
        ipAllow = List.copyOf(ipAllow);
        ipDeny = List.copyOf(ipDeny);
        trustedProxies = List.copyOf(trustedProxies);
        roles = Map.copyOf(roles);
        adminOrigins = List.copyOf(adminOrigins);
        adminHosts = List.copyOf(adminHosts);
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
