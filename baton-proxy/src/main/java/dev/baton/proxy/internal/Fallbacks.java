package dev.baton.proxy.internal;

import dev.baton.config.ServiceConfig;
import dev.baton.control.ResponseCache;
import dev.baton.control.ServiceTarget;
import io.vertx.core.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a client gets while a service's circuit breaker is open, in this order: the
 * last good response to the same GET when {@code fallback.cache} keeps one (marked
 * {@code X-Baton-Fallback: cache}, with its {@code Age}); the configured fixed
 * response; or Baton's JSON 503 with {@code Retry-After}.
 */
final class Fallbacks {
    private Fallbacks() {}

    static void respond(Exchange ex, ServiceTarget service) {
        ServiceConfig.CircuitBreaker cb = service.breakers().config().orElseThrow();
        ServiceConfig.Fallback f = cb.fallback();
        ResponseCache cache = service.fallbackCache();
        if (cache != null && ex.request().method() == HttpMethod.GET) {
            Optional<ResponseCache.Entry> hit = cache.get(FallbackCapture.key(ex.route(), ex.request()));
            if (hit.isPresent()) {
                ResponseCache.Entry e = hit.get();
                List<Map.Entry<String, String>> headers = new ArrayList<>(e.headers());
                long age = Math.max(0, (ex.context().clock().millis() - e.storedAtMillis()) / 1000);
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
        ex.request().response().putHeader("retry-after", Long.toString(retryAfter));
        ex.reject(
                503,
                "circuit breaker of service " + service.id() + " is open; retry in " + retryAfter + " s",
                ex.hasUnreadBody());
    }
}
