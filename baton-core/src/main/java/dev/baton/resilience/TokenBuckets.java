package dev.baton.resilience;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Token buckets per key, in this process: {@code burst} requests at once, refilled
 * at {@code requestsPerSecond}. Each bucket is one number, its theoretical arrival
 * time (GCRA, the algorithm behind many cell-rate and API limiters), updated with
 * one compare-and-set: no lock, no timer, no refill thread. A bucket idle long
 * enough to be full again is the same as no bucket, so idle ones are evicted, and
 * at most {@code maxKeys} are kept (Caffeine): a million distinct clients cost a
 * bounded amount of memory. Time comes from a supplier of nanoseconds, so tests
 * move it by hand.
 */
public final class TokenBuckets {
    private final long interval;
    private final long tolerance;
    private final int burst;
    private final LongSupplier nanos;
    private final Cache<String, AtomicLong> buckets;
    private final LongAdder refused = new LongAdder();

    public TokenBuckets(double requestsPerSecond, int burst, int maxKeys, LongSupplier nanos) {
        this.interval = Math.max(1, Math.round(1_000_000_000d / requestsPerSecond));
        this.burst = burst;
        this.tolerance = interval * burst;
        this.nanos = nanos;
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .expireAfterAccess(Duration.ofNanos(Math.max(tolerance, 1_000_000_000L)))
                .ticker(nanos::getAsLong)
                .build();
    }

    /** Buckets on the system's monotonic clock. */
    public TokenBuckets(double requestsPerSecond, int burst, int maxKeys) {
        this(requestsPerSecond, burst, maxKeys, Ticker.systemTicker()::read);
    }

    /** Takes a token from {@code key}'s bucket if it has one. */
    public RateDecision check(String key) {
        AtomicLong tat = buckets.get(key, k -> new AtomicLong(Long.MIN_VALUE));
        while (true) {
            long now = nanos.getAsLong();
            long stored = tat.get();
            long start = stored == Long.MIN_VALUE || stored - now < 0 ? now : stored;
            long next = start + interval;
            if (next - now > tolerance) {
                refused.increment();
                return new RateDecision(false, burst, 0, start - now, next - now - tolerance);
            }
            if (tat.compareAndSet(stored, next)) {
                int remaining = (int) ((tolerance - (next - now)) / interval);
                return new RateDecision(true, burst, remaining, next - now, 0);
            }
        }
    }

    /** Requests refused since creation. */
    public long refused() {
        return refused.sum();
    }

    /** Buckets held now (after pending evictions), for tests and the admin API. */
    public long size() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }
}
