package dev.baton.proxy.internal;

import dev.baton.config.ServiceConfig;
import dev.baton.control.RateLimitPolicy;
import dev.baton.control.RouteTarget;
import dev.baton.resilience.RateDecision;
import io.vertx.core.MultiMap;

/**
 * One exchange's pass through its route's rate limits, in order (the route's own,
 * then its service's), each from this process or from Redis; a refusal answers
 * 429. Remembers the tightest limit passed, for the IETF {@code RateLimit-*}
 * headers of the response. On the exchange's event loop.
 */
final class RateLimiting {
    private final Exchange exchange;
    private final RouteTarget route;
    private RateDecision shown;

    RateLimiting(Exchange exchange) {
        this.exchange = exchange;
        this.route = exchange.route();
    }

    /** Runs {@code then} once every limit has passed. */
    void check(Runnable then) {
        check(0, then);
    }

    private void check(int i, Runnable then) {
        if (exchange.released()) {
            return;
        }
        if (i == route.limits().size()) {
            then.run();
            return;
        }
        RateLimitPolicy policy = route.limits().get(i);
        String key = policy.keyOf(exchange.request(), exchange.clientAddress(), route.id(), exchange.caller());
        RedisRateLimiter redis = exchange.context().redisLimits();
        if (policy.local() != null) {
            decided(i, policy, policy.local().check(key), then);
        } else if (redis == null) {
            // redis.url was added after start: there is no client for it.
            exchange.reject(
                    503,
                    "rate limit " + policy.name() + " needs Redis, configured after start",
                    exchange.hasUnreadBody());
        } else {
            redis.check(policy, key).onComplete(ar -> {
                if (ar.failed()) {
                    exchange.reject(
                            503, "rate limit " + policy.name() + " could not be checked", exchange.hasUnreadBody());
                } else if (ar.result() == null) {
                    check(i + 1, then); // Redis failed and the limit fails open
                } else {
                    decided(i, policy, ar.result(), then);
                }
            });
        }
    }

    private void decided(int i, RateLimitPolicy policy, RateDecision d, Runnable then) {
        if (shown == null || d.remaining() < shown.remaining()) {
            shown = d;
        }
        if (d.allowed()) {
            check(i + 1, then);
            return;
        }
        policy.refusedOne();
        MultiMap headers = exchange.request().response().headers();
        headers(headers);
        headers.set("retry-after", Long.toString(Math.max(1, RateDecision.seconds(d.retryAfterNanos()))));
        ServiceConfig.RateLimit l = policy.config();
        exchange.reject(
                429,
                "rate limit exceeded: " + l.requestsPerSecond() + " requests/s (burst " + l.burst() + ") per " + l.key()
                        + " on " + policy.name(),
                exchange.hasUnreadBody());
    }

    /** The IETF RateLimit headers of the tightest limit this request passed or hit. */
    void headers(MultiMap headers) {
        if (shown != null) {
            headers.set("ratelimit-limit", Integer.toString(shown.limit()));
            headers.set("ratelimit-remaining", Integer.toString(shown.remaining()));
            headers.set("ratelimit-reset", Long.toString(RateDecision.seconds(shown.resetNanos())));
        }
    }
}
