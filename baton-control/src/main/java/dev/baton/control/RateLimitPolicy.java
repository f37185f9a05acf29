package dev.baton.control;

import dev.baton.config.ServiceConfig;
import dev.baton.resilience.TokenBuckets;
import dev.baton.security.Caller;
import dev.baton.time.Ticker;
import io.vertx.core.MultiMap;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * One {@code rate-limit:} of a route or a service, compiled: its name (the
 * {@code identifier} of {@code orchestrator_rate_limit_exceeded_total}, never a
 * client's key), how a request maps to a bucket, and the buckets themselves when
 * they live in this process ({@code store: redis} keeps them in Redis instead).
 * Kept across reloads that leave the limit unchanged, so a reload does not refill
 * every bucket. Local buckets refill on the ticker the policy is given.
 */
public final class RateLimitPolicy {
    private final String name;
    private final ServiceConfig.RateLimit config;
    private final @Nullable TokenBuckets local; // null when the buckets are in Redis
    private final LongAdder refused = new LongAdder();

    public RateLimitPolicy(String name, ServiceConfig.RateLimit config, Ticker ticker) {
        this.name = name;
        this.config = config;
        this.local = config.redis()
                ? null
                : new TokenBuckets(config.requestsPerSecond(), config.burst(), config.maxKeys(), ticker::nanos);
    }

    /** {@code route:ID} or {@code service:ID}. */
    public String name() {
        return name;
    }

    public ServiceConfig.RateLimit config() {
        return config;
    }

    /** The buckets in this process, or null when they are in Redis. */
    public @Nullable TokenBuckets local() {
        return local;
    }

    /**
     * The bucket a request draws from: its client address (behind trusted proxies,
     * from X-Forwarded-For), a header's value, a claim
     * of its verified token ({@code caller}, null on routes without JWT auth), its
     * route, or one for all. Requests without the header or claim share one bucket.
     */
    public String keyOf(MultiMap headers, @Nullable String clientAddress, String routeId, @Nullable Caller caller) {
        return switch (config.key()) {
            case "ip" -> clientAddress == null || clientAddress.isEmpty() ? "-" : clientAddress;
            case "route" -> routeId;
            case "global" -> "*";
            default -> {
                if (config.claimName() != null) {
                    Object v = caller == null ? null : caller.claims().get(config.claimName());
                    yield v == null ? "-" : String.valueOf(v);
                }
                String v = headers.get(config.headerName());
                yield v == null ? "-" : v;
            }
        };
    }

    public void refusedOne() {
        refused.increment();
    }

    /** Requests this limit refused since it was created. */
    public long refused() {
        return refused.sum();
    }
}
