package dev.baton.proxy.stage;

import dev.baton.config.ServiceConfig;
import dev.baton.control.RateLimitPolicy;
import dev.baton.resilience.RateDecision;
import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

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
        @Nullable
        RateDecision decision; // none until a limit is passed
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
        List<Map.Entry<String, String>> headers = new ArrayList<>(4);
        headers(shown.decision, (name, value) -> headers.add(Map.entry(name, value)));
        headers.add(Map.entry("retry-after", Long.toString(Math.max(1, RateDecision.seconds(d.retryAfterNanos())))));
        return Optional.of(new Step.Respond(
                429,
                "rate limit exceeded: " + l.requestsPerSecond() + " requests/s (burst " + l.burst() + ") per " + l.key()
                        + " on " + policy.name(),
                Optional.empty(),
                headers,
                false));
    }

    @Override
    public void response(StageContext request, int status, MultiMap headers) {
        request.noted(Shown.class).ifPresent(s -> {
            if (s.decision != null) {
                headers(s.decision, headers::set);
            }
        });
    }

    /** The IETF RateLimit fields of {@code shown}, to {@code put}. */
    private static void headers(RateDecision shown, BiConsumer<String, String> put) {
        put.accept("ratelimit-limit", Integer.toString(shown.limit()));
        put.accept("ratelimit-remaining", Integer.toString(shown.remaining()));
        put.accept("ratelimit-reset", Long.toString(RateDecision.seconds(shown.resetNanos())));
    }
}
