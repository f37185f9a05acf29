package dev.baton.config;

import java.util.List;
import java.util.Map;

/**
 * A whole, validated Baton configuration. Immutable: a reload builds a new one.
 * Services keep their file order, which is also the order of generated routes.
 */
public record Config(
        ServerConfig server,
        LimitsConfig limits,
        SecurityConfig security,
        HealthConfig health,
        DiscoveryConfig discovery,
        RedisConfig redis,
        ObservabilityConfig observability,
        Map<String, ServiceConfig> services,
        List<RouteConfig> routes) {

    public Config {
        services = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(services));
        routes = List.copyOf(routes);
    }

    /** This config with {@code services} in place of its own (the registry layers run-time services in). */
    public Config withServices(Map<String, ServiceConfig> services) {
        return new Config(server, limits, security, health, discovery, redis, observability, services, routes);
    }
}
