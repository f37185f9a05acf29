package dev.baton.config;

import dev.baton.config.internal.RuntimeRouteReader;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A route added at run time through the admin API ({@code POST /routes}), read from a
 * JSON body in the config's shape for one entry of {@code routes:} (kebab-case keys),
 * whose {@code id} is required. It obeys exactly the config file's rules, and the
 * {@code body} is kept as given so the route can be stored and read again after a
 * restart exactly as it was accepted. Run-time routes are layered after the config
 * file's (see {@link dev.baton.registry.Registry#merge}).
 *
 * @param warnings what was accepted but is probably not meant (a service that is not
 *     defined yet), said back to the caller as {@code field: message}
 */
public record RuntimeRoute(RouteConfig route, String body, List<String> warnings) {

    public RuntimeRoute {
        warnings = List.copyOf(warnings);
    }

    /**
     * Reads and validates a route ({@code body} null reads as empty). {@code id} is the
     * id the request's path gives ({@code PUT /routes/{id}}), which the body may omit
     * and must not contradict; {@code context} is the config in force, services from
     * every source included: what a route may name and need. Throws {@link
     * ConfigException} listing every problem, each with the JSON field it is about.
     */
    public static RuntimeRoute parse(@Nullable String body, Optional<String> id, Config context) {
        return new RuntimeRouteReader().read(body, id, context, true);
    }

    /**
     * Reads a route stored by an earlier run: as {@link #parse}, except that what it
     * needs from the config file is not checked, so that a route the file no longer
     * allows is kept, idle, rather than lost (see {@link #unmetBy}).
     */
    public static RuntimeRoute restore(String body, String id, Config context) {
        return new RuntimeRouteReader().read(body, Optional.of(id), context, false);
    }

    public String id() {
        return route.id();
    }

    /**
     * What this route needs that {@code file} (the config file in force) does not
     * give: {@code security.jwt} for {@code auth.jwt}, {@code redis.url} for a rate
     * limit kept in Redis; empty when nothing is missing.
     */
    public Optional<String> unmetBy(Config file) {
        return needs(route, file);
    }

    /** What {@code route} needs that {@code file} lacks (see {@link #unmetBy}). */
    public static Optional<String> needs(RouteConfig route, Config file) {
        if (route.auth().filter(RouteConfig.Auth::jwt).isPresent()
                && file.security().jwt().isEmpty()) {
            return Optional.of("auth.jwt needs security.jwt (a secret or public-key) in the config file");
        }
        if (route.rateLimit().filter(ServiceConfig.RateLimit::redis).isPresent()
                && file.redis().url().isEmpty()) {
            return Optional.of("a rate-limit with store: redis needs redis.url in the config file");
        }
        return Optional.empty();
    }
}
