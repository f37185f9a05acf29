package dev.baton.proxy.internal;

import dev.baton.config.ServiceConfig;
import dev.baton.control.ResponseCache;
import dev.baton.control.RouteTarget;
import dev.baton.control.ServiceTarget;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a client gets when its route's service cannot take the request now. While the
 * service's circuit breaker is open, in this order: the last good response to the
 * same GET when {@code fallback.cache} keeps one (marked {@code X-Baton-Fallback:
 * cache}, with its {@code Age}); the configured fixed response; or Baton's JSON 503
 * with {@code Retry-After} when the breaker half-opens. Without an available
 * instance: a 503 with {@code Retry-After} one health-check interval away.
 */
final class Unavailable {
    private Unavailable() {}

    /** The service's breaker is open (it shed the request). */
    static void breakerOpen(Exchange ex, HttpServerRequest req, RouteTarget route, Clock clock) {
        ServiceTarget service = route.service();
        ServiceConfig.CircuitBreaker cb = service.breakers().config().orElseThrow();
        ServiceConfig.Fallback f = cb.fallback();
        Optional<ResponseCache> cache = service.fallbackCache();
        if (cache.isPresent() && req.method() == HttpMethod.GET) {
            Optional<ResponseCache.Entry> hit = cache.get().get(FallbackCapture.key(route, req));
            if (hit.isPresent()) {
                ResponseCache.Entry e = hit.get();
                List<Map.Entry<String, String>> headers = new ArrayList<>(e.headers());
                long age = Math.max(0, (clock.millis() - e.storedAtMillis()) / 1000);
                headers.add(Map.entry("age", Long.toString(age)));
                headers.add(Map.entry("x-baton-fallback", "cache"));
                ex.answer(e.status(), headers, e.body());
                return;
            }
        }
        if (f.fixed()) {
            List<Map.Entry<String, String>> headers =
                    new ArrayList<>(f.headers().entrySet());
            if (f.headers().keySet().stream().noneMatch(h -> h.equalsIgnoreCase("content-type"))) {
                headers.add(Map.entry("content-type", "application/json"));
            }
            headers.add(Map.entry("x-baton-fallback", "static"));
            ex.answer(f.status().orElse(503), headers, f.body().orElse("").getBytes(StandardCharsets.UTF_8));
            return;
        }
        long retryAfter = Math.max(1, (cb.openDuration().toMillis() + 999) / 1000);
        req.response().putHeader("retry-after", Long.toString(retryAfter));
        ex.reject(
                503,
                "circuit breaker of service " + service.id() + " is open; retry in " + retryAfter + " s",
                ex.hasUnreadBody());
    }

    /**
     * The service has no available instance. Instances come back at a passing health
     * check (a process still starting, one restarting), so the client is told to try
     * again after one check interval; a second without checks. A route to a service
     * no source defines yet says so, with a second's wait.
     */
    static void noInstance(Exchange ex, HttpServerRequest req, ServiceTarget service) {
        if (!service.defined()) {
            req.response().putHeader("retry-after", "1");
            ex.reject(503, "no instance of service '" + service.id() + "' is registered", ex.hasUnreadBody());
            return;
        }
        long retryAfter = service.config()
                .healthCheck()
                .map(h -> Math.max(1, (h.interval().toMillis() + 999) / 1000))
                .orElse(1L);
        req.response().putHeader("retry-after", Long.toString(retryAfter));
        ex.reject(503, "no available instance of service " + service.id(), ex.hasUnreadBody());
    }
}
