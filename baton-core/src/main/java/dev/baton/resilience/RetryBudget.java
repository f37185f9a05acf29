package dev.baton.resilience;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Envoy's retry budget for one service: retries in flight may be at most
 * {@code percent} of the requests in flight, or {@code minRetries} when that is
 * more, so that a failing upstream sees a bounded extra load instead of a retry
 * storm. Counts what was retried and what the budget refused. Lock-free.
 */
public final class RetryBudget {
    private final int percent;
    private final int minRetries;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger retrying = new AtomicInteger();
    private final LongAdder retried = new LongAdder();
    private final LongAdder exhausted = new LongAdder();

    public RetryBudget(int percent, int minRetries) {
        this.percent = percent;
        this.minRetries = minRetries;
    }

    public void requestStarted() {
        active.incrementAndGet();
    }

    public void requestEnded() {
        active.decrementAndGet();
    }

    /** Whether a retry would get a slot now, without taking one or counting a refusal. */
    public boolean allowsRetry() {
        return retrying.get() < Math.max(minRetries, (int) ((long) active.get() * percent / 100));
    }

    /** Takes a retry slot if the budget allows one; false (and counted) when it does not. */
    public boolean tryRetry() {
        while (true) {
            int now = retrying.get();
            int limit = Math.max(minRetries, (int) ((long) active.get() * percent / 100));
            if (now >= limit) {
                exhausted.increment();
                return false;
            }
            if (retrying.compareAndSet(now, now + 1)) {
                retried.increment();
                return true;
            }
        }
    }

    /**
     * Takes a retry slot whatever the budget says, for a request whose instance is
     * gone (its connection refused, or reset before any response byte) while another
     * instance is available: that retry adds no load to an upstream that is
     * struggling, it routes around one that is not there, so it is not the storm the
     * budget is against. Counted as retried like any other.
     */
    public void retryElsewhere() {
        retrying.incrementAndGet();
        retried.increment();
    }

    /** Gives back a slot taken by {@link #tryRetry}, when the retried request ends. */
    public void retryEnded() {
        retrying.decrementAndGet();
    }

    /** Retries started since the service was created. */
    public long retried() {
        return retried.sum();
    }

    /** Retries the budget refused. */
    public long exhausted() {
        return exhausted.sum();
    }

    public int activeRequests() {
        return active.get();
    }

    public int activeRetries() {
        return retrying.get();
    }
}
