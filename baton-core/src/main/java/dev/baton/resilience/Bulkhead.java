package dev.baton.resilience;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * A service's {@code max-concurrent}: at most that many requests in flight to it,
 * the rest refused at once (a 503), so one slow service cannot take every
 * connection and thread the gateway has. Resilience4j's semaphore bulkhead keeps
 * the count; this adds the count of refusals. Never waits: the event loop must not.
 */
public final class Bulkhead {
    private final io.github.resilience4j.bulkhead.Bulkhead bulkhead;
    private final int max;
    private final LongAdder rejected = new LongAdder();

    public Bulkhead(String serviceId, int maxConcurrent) {
        this.max = maxConcurrent;
        this.bulkhead = io.github.resilience4j.bulkhead.Bulkhead.of(
                serviceId,
                BulkheadConfig.custom()
                        .maxConcurrentCalls(maxConcurrent)
                        .maxWaitDuration(Duration.ZERO)
                        .build());
    }

    /** Takes a place; false (and counted) when the service is full. */
    public boolean tryEnter() {
        if (bulkhead.tryAcquirePermission()) {
            return true;
        }
        rejected.increment();
        return false;
    }

    /** Gives back a place taken by {@link #tryEnter}. */
    public void leave() {
        bulkhead.onComplete();
    }

    public int max() {
        return max;
    }

    public int inUse() {
        return max - bulkhead.getMetrics().getAvailableConcurrentCalls();
    }

    public long rejected() {
        return rejected.sum();
    }
}
