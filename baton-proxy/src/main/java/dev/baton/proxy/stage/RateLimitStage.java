package dev.baton.proxy.stage;

import dev.baton.config.ServiceConfig;
import dev.baton.control.RateLimitPolicy;
import dev.baton.resilience.RateDecision;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Optional;

/**
 * A route's rate limits, in order (the route's own, then its service's), each from
 * this process or from Redis; a refusal answers 429 with {@code Retry-After}. The
 * tightest limit passed is shown on the response as the IETF {@code RateLimit-*}
 * headers.
 */
final class RateLimitStage implements Stage {
    private final List<RateLimitPolicy> limits;

    /** The tightest decision so far, kept for the response side. */
    private static final class Shown {
        RateDecision decision;
    }

    RateLimitStage(List<RateLimitPolicy> limits) {
        this.limits = List.copyOf(limits);
    }

    @Override
    public Step request(StageContext request) {
        Shown shown = new Shown();
        request.note(Shown.class, shown);
        return check(request, shown, 0);
    }

    private Step check(StageContext request, Shown shown, int from) {
        for (int i = from; i < limits.size(); i++) {
            RateLimitPolicy policy = limits.get(i);
            String key = policy.keyOf(
                    request.headers(),
                    request.clientAddress(),
                    request.route().id(),
                    request.caller().orElse(null));
            if (policy.local() != null) {
                Optional<Step.Respond> refused = decided(policy, policy.local().check(key), shown);
                if (refused.isPresent()) {
                    return refused.get();
                }
                continue;
            }
            Optional<RedisRateLimiter> redis = request.redisLimits();
            if (redis.isEmpty()) {
                // redis.url was added after start: there is no client for it.
                return Step.respond(
                        503, "rate limit " + policy.name() + " needs Redis, configured after start", Optional.empty());
            }
            int next = i + 1;
            request.await(redis.get().check(policy, key), ar -> {
                if (ar.failed()) {
                    return Step.respond(503, "rate limit " + policy.name() + " could not be checked", Optional.empty());
                }
                if (ar.result() == null) {
                    return check(request, shown, next); // Redis failed and the limit fails open
                }
                return decided(policy, ar.result(), shown)
                        .map(Step.class::cast)
                        .orElseGet(() -> check(request, shown, next));
            });
            return Step.pause();
        }
        return Step.next();
    }

    private static Optional<Step.Respond> decided(RateLimitPolicy policy, RateDecision d, Shown shown) {
        if (shown.decision == null || d.remaining() < shown.decision.remaining()) {
            shown.decision = d;
        }
        if (d.allowed()) {
            return Optional.empty();
        }
        policy.refusedOne();
        ServiceConfig.RateLimit l = policy.config();
        Step.Respond refusal = Step.respond(
                429,
                "rate limit exceeded: " + l.requestsPerSecond() + " requests/s (burst " + l.burst() + ") per " + l.key()
                        + " on " + policy.name(),
                Optional.empty());
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        headers(shown.decision, headers);
        for (var h : headers) {
            refusal = refusal.withHeader(h.getKey(), h.getValue());
        }
        return Optional.of(refusal.withHeader(
                "retry-after", Long.toString(Math.max(1, RateDecision.seconds(d.retryAfterNanos())))));
    }

    @Override
    public void response(StageContext request, int status, MultiMap headers) {
        request.noted(Shown.class).ifPresent(s -> {
            if (s.decision != null) {
                headers(s.decision, headers);
            }
        });
    }

    private static void headers(RateDecision shown, MultiMap headers) {
        headers.set("ratelimit-limit", Integer.toString(shown.limit()));
        headers.set("ratelimit-remaining", Integer.toString(shown.remaining()));
        headers.set("ratelimit-reset", Long.toString(RateDecision.seconds(shown.resetNanos())));
    }
}
