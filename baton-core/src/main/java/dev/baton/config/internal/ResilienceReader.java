package dev.baton.config.internal;

import dev.baton.config.Durations;
import dev.baton.config.ServiceConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** Reads a service's resilience sections: {@code circuit-breaker}, {@code retry} and {@code rate-limit}. */
final class ResilienceReader {
    private ResilienceReader() {}

    static ServiceConfig.CircuitBreaker breaker(Section s) {
        String scope = s.string("scope", "service");
        if (!scope.equals("service") && !scope.equals("instance")) {
            s.error("scope", "'" + scope + "' is not a breaker scope (expected service or instance)");
        }
        String windowType = s.string("window-type", "count");
        if (!windowType.equals("count") && !windowType.equals("time")) {
            s.error("window-type", "'" + windowType + "' is not a window type (expected count or time)");
        }
        boolean time = windowType.equals("time");
        int windowSize = s.integer("window-size", time ? 60 : 100, 1, time ? 3600 : 100_000);
        int rate = s.integer("failure-rate-threshold", 50, 1, 100);
        int minCalls = s.integer("minimum-calls", 10, 1, 100_000);
        Optional<Duration> slow = s.has("slow-call-duration")
                ? Optional.of(s.duration(
                        "slow-call-duration", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMinutes(5)))
                : Optional.empty();
        int slowRate = s.integer("slow-call-rate-threshold", 100, 1, 100);
        if (s.has("slow-call-rate-threshold") && slow.isEmpty()) {
            s.error("slow-call-rate-threshold", "needs slow-call-duration (which calls count as slow)");
        }
        Duration open = s.duration("open-duration", Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofHours(1));
        int halfOpen = s.integer("half-open-calls", 3, 1, 1000);
        ServiceConfig.FailureOn failureOn =
                s.has("failure-on") ? failureOn(s, "failure-on") : ServiceConfig.FailureOn.DEFAULT;
        ServiceConfig.Fallback fallback = ServiceConfig.Fallback.DEFAULT;
        if (s.has("fallback")) {
            Section f = s.section("fallback");
            Optional<Integer> status =
                    f.has("status") ? Optional.of(f.integer("status", 503, 100, 599)) : Optional.empty();
            Optional<Duration> cache = f.has("cache")
                    ? Optional.of(f.duration("cache", Duration.ofSeconds(30), Duration.ofMillis(1), Duration.ofDays(1)))
                    : Optional.empty();
            fallback = new ServiceConfig.Fallback(status, f.stringMap("headers"), f.string("body"), cache);
            f.finish();
        }
        s.finish();
        return new ServiceConfig.CircuitBreaker(
                scope.equals("instance"),
                time,
                windowSize,
                rate,
                minCalls,
                slow,
                slowRate,
                open,
                halfOpen,
                failureOn,
                fallback);
    }

    /** {@code failure-on} or {@code retry-on}: {@code [connect, timeout, reset, 5xx, 4xx, 429, ...]}. */
    private static ServiceConfig.FailureOn failureOn(Section s, String key) {
        boolean connect = false;
        boolean timeout = false;
        boolean reset = false;
        Set<Integer> statuses = new java.util.HashSet<>();
        for (String item : s.strings(key)) {
            switch (item) {
                case "connect" -> connect = true;
                case "timeout" -> timeout = true;
                case "reset" -> reset = true;
                case "5xx" -> statuses.addAll(ServiceConfig.FailureOn.range(500, 599));
                case "4xx" -> statuses.addAll(ServiceConfig.FailureOn.range(400, 499));
                default -> {
                    if (item.matches("[1-5][0-9][0-9]")) {
                        statuses.add(Integer.parseInt(item));
                    } else {
                        s.error(
                                key,
                                "'" + item
                                        + "' is not an outcome (expected connect, timeout, reset, 5xx, 4xx or a status)");
                    }
                }
            }
        }
        return new ServiceConfig.FailureOn(connect, timeout, reset, statuses);
    }

    static ServiceConfig.Retry retry(Section s) {
        int attempts = s.integer("attempts", 3, 1, 10);
        Duration backoff = s.duration("backoff", Duration.ofMillis(50), Duration.ZERO, Duration.ofMinutes(1));
        // The default cap never undercuts a longer backoff the user gave.
        Duration defaultMax = backoff.compareTo(Duration.ofSeconds(1)) > 0 ? backoff : Duration.ofSeconds(1);
        Duration max = s.duration("max-backoff", defaultMax, Duration.ZERO, Duration.ofMinutes(5));
        if (max.compareTo(backoff) < 0) {
            s.error("max-backoff", "must be at least backoff (" + Durations.format(backoff) + ")");
        }
        Set<String> methods = RouteReader.methods(s, "methods");
        Optional<Duration> perTry = s.has("per-try-timeout")
                ? Optional.of(s.duration(
                        "per-try-timeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMinutes(5)))
                : Optional.empty();
        ServiceConfig.FailureOn retryOn =
                s.has("retry-on") ? failureOn(s, "retry-on") : ServiceConfig.Retry.DEFAULT_RETRY_ON;
        long buffer = s.size("body-buffer", 64 * 1024);
        int percent = 20;
        int floor = 3;
        if (s.has("budget")) {
            Section b = s.section("budget");
            percent = b.integer("percent", 20, 0, 100);
            floor = b.integer("min-retries", 3, 0, 100_000);
            b.finish();
        }
        s.finish();
        return new ServiceConfig.Retry(attempts, backoff, max, methods, perTry, retryOn, buffer, percent, floor);
    }

    static ServiceConfig.RateLimit rateLimit(Section s) {
        double rps = s.number("requests-per-second", 100, 0.001, 10_000_000);
        int burst = s.integer("burst", (int) Math.max(1, Math.ceil(rps)), 1, 10_000_000);
        String key = s.string("key", "ip");
        if (!(key.matches("claim:[A-Za-z0-9_.-]+")
                || key.equals("ip")
                || key.equals("route")
                || key.equals("global")
                || key.matches("header:[A-Za-z0-9!#$%&'*+.^_`|~-]+"))) {
            s.error(
                    "key",
                    "'" + key + "' is not a rate-limit key (expected ip, route, global, header:NAME or claim:NAME)");
        }
        String store = s.string("store", "local");
        if (!store.equals("local") && !store.equals("redis")) {
            s.error("store", "'" + store + "' is not a rate-limit store (expected local or redis)");
        }
        int maxKeys = s.integer("max-keys", 100_000, 1, 10_000_000);
        s.finish();
        return new ServiceConfig.RateLimit(rps, burst, key, store.equals("redis"), maxKeys);
    }
}
