package dev.baton.proxy;

import dev.baton.config.Config;
import dev.baton.config.RouteConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.routing.PathPattern;
import dev.baton.routing.RouteDefinition;
import dev.baton.routing.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the request path reads, compiled from one config and never changed:
 * a reload compiles a new snapshot and swaps one reference, so requests in flight
 * finish on the snapshot they started with.
 */
public final class Snapshot {
    private final Config config;
    private final Router<RouteTarget> router;
    private final Map<String, ServiceTarget> services;

    private Snapshot(Config config, Router<RouteTarget> router, Map<String, ServiceTarget> services) {
        this.config = config;
        this.router = router;
        this.services = services;
    }

    public static Snapshot compile(Config config) {
        return compile(config, null);
    }

    /**
     * Compiles {@code config}, keeping from {@code previous} every service whose
     * definition did not change, with its live state (DESIGN: a reload does not reset
     * what requests have taught the balancers).
     */
    public static Snapshot compile(Config config, Snapshot previous) {
        Map<String, ServiceTarget> services = new LinkedHashMap<>();
        for (ServiceConfig s : config.services().values()) {
            ServiceTarget old = previous == null ? null : previous.services.get(s.id());
            services.put(s.id(), old != null && old.config().equals(s) ? old : new ServiceTarget(s));
        }
        long defaultTimeout = config.limits().requestTimeout().toMillis();
        List<RouteDefinition<RouteTarget>> defs = new ArrayList<>();
        for (RouteConfig r : config.routes()) {
            RouteTarget target = new RouteTarget(
                    r.id(),
                    services.get(r.service()),
                    r.stripPrefix().orElse(null),
                    r.timeout().map(java.time.Duration::toMillis).orElse(defaultTimeout),
                    r.preserveHost());
            defs.add(new RouteDefinition<>(PathPattern.parse(r.path()), r.host(), r.methods(), target));
        }
        if (config.server().orchestratorPath()) {
            for (ServiceTarget s : services.values()) {
                String prefix = "/orchestrator/" + s.id();
                RouteTarget target = new RouteTarget("orchestrator:" + s.id(), s, prefix, defaultTimeout, false);
                defs.add(new RouteDefinition<>(PathPattern.parse(prefix + "/**"), Optional.empty(), Set.of(), target));
            }
        }
        return new Snapshot(config, Router.build(defs), Map.copyOf(services));
    }

    public Config config() {
        return config;
    }

    public Router<RouteTarget> router() {
        return router;
    }

    public Map<String, ServiceTarget> services() {
        return services;
    }
}
