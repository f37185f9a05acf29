package dev.baton.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole, validated Baton configuration. Immutable: a reload builds a new one.
 * Services keep their file order, which is also the order of generated routes.
 * {@code warnings} are what the file says that was accepted but is probably not
 * meant (a route to a service the file does not define), each as {@code
 * FILE:LINE: key: message}; {@code baton validate} prints them and a start or reload
 * logs them. {@code store} is empty for the embedded store in {@code
 * server.data-dir}, the default. {@code sagas} are the saga definitions, by name;
 * {@code queues} the queues and topics.
 */
public record Config(
        ServerConfig server,
        LimitsConfig limits,
        SecurityConfig security,
        HealthConfig health,
        DiscoveryConfig discovery,
        RedisConfig redis,
        Optional<StoreConfig> store,
        ObservabilityConfig observability,
        Map<String, ServiceConfig> services,
        List<RouteConfig> routes,
        Map<String, SagaConfig> sagas,
        QueuesConfig queues,
        List<ConfigError> warnings) {

    public Config {
        services = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(services));
        routes = List.copyOf(routes);
        sagas = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(sagas));
        warnings = List.copyOf(warnings);
    }

    /** This config with {@code services} in place of its own (the registry layers run-time services in). */
    public Config withServices(Map<String, ServiceConfig> services) {
        return new Config(
                server,
                limits,
                security,
                health,
                discovery,
                redis,
                store,
                observability,
                services,
                routes,
                sagas,
                queues,
                warnings);
    }

    /** This config with {@code routes} in place of its own (the registry layers run-time routes in). */
    public Config withRoutes(List<RouteConfig> routes) {
        return new Config(
                server,
                limits,
                security,
                health,
                discovery,
                redis,
                store,
                observability,
                services,
                routes,
                sagas,
                queues,
                warnings);
    }
}
