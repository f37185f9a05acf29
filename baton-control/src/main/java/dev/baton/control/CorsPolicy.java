package dev.baton.control;

import dev.baton.config.RouteConfig;
import io.vertx.core.MultiMap;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@code cors:} (the Fetch standard's CORS protocol): Baton answers
 * preflights itself (204 with the allowed methods and headers, or 403 for an origin
 * not allowed), and adds {@code Access-Control-Allow-Origin} and friends to the
 * upstream's responses for allowed origins, replacing whatever the upstream said.
 */
public final class CorsPolicy {
    private final RouteConfig.Cors config;
    private final boolean anyOrigin;

    public CorsPolicy(RouteConfig.Cors config) {
        this.config = config;
        this.anyOrigin = config.allowOrigins().contains("*");
    }

    public boolean allows(@Nullable String origin) {
        return origin != null && (anyOrigin || config.allowOrigins().contains(origin));
    }

    /**
     * Writes a preflight's answer headers (the origin's come with every response of
     * the route, see {@link #response}); returns why not when the requested method
     * or headers are not allowed, else empty. {@code method} and {@code requestHeaders}
     * are the request's Access-Control-Request-* headers, null when it has none.
     */
    public Optional<String> preflight(@Nullable String method, @Nullable String requestHeaders, MultiMap out) {
        if (method == null || !config.allowMethods().contains(method.toUpperCase(Locale.ROOT))) {
            return Optional.of("method " + method + " is not allowed cross-origin");
        }
        if (requestHeaders != null
                && !requestHeaders.isBlank()
                && !config.allowHeaders().contains("*")) {
            for (String h : requestHeaders.split(",")) {
                String name = h.trim();
                if (!name.isEmpty() && config.allowHeaders().stream().noneMatch(a -> a.equalsIgnoreCase(name))) {
                    return Optional.of("request header " + name + " is not allowed cross-origin");
                }
            }
        }
        out.set("access-control-allow-methods", String.join(", ", config.allowMethods()));
        if (requestHeaders != null && !requestHeaders.isBlank()) {
            out.set("access-control-allow-headers", requestHeaders);
        }
        out.set("access-control-max-age", Long.toString(config.maxAge().toSeconds()));
        return Optional.empty();
    }

    /** The headers of an actual cross-origin response from an allowed origin. */
    public void response(String origin, MultiMap out) {
        out.remove("access-control-allow-origin");
        out.remove("access-control-allow-credentials");
        out.remove("access-control-expose-headers");
        origin(origin, out);
        if (!config.exposeHeaders().isEmpty()) {
            out.set("access-control-expose-headers", String.join(", ", config.exposeHeaders()));
        }
    }

    private void origin(String origin, MultiMap out) {
        boolean wildcard = anyOrigin && !config.allowCredentials();
        out.set("access-control-allow-origin", wildcard ? "*" : origin);
        if (!wildcard) {
            out.add("vary", "Origin");
        }
        if (config.allowCredentials()) {
            out.set("access-control-allow-credentials", "true");
        }
    }

    @Override
    public String toString() {
        return config.allowOrigins().stream().collect(Collectors.joining(","));
    }
}
