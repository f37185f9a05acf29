package dev.baton.resilience;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff and Jitter"): the n-th retry waits a uniformly random time in
 * [0, min(max, base × 2^(n-1))], which spreads retries of many clients apart
 * better than a jitter around the exponential value.
 */
public final class Backoff {
    private Backoff() {}

    /** The wait before retry number {@code retry} (1 for the first retry), in milliseconds. */
    public static long fullJitterMillis(Duration base, Duration max, int retry, RandomGenerator random) {
        long cap = cap(base.toMillis(), max.toMillis(), retry);
        return cap <= 0 ? 0 : random.nextLong(cap + 1);
    }

    /** The upper bound of the wait before retry number {@code retry}. */
    static long cap(long baseMillis, long maxMillis, int retry) {
        int shift = Math.min(Math.max(0, retry - 1), 30);
        long exp = baseMillis > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : baseMillis << shift;
        return Math.min(maxMillis, exp);
    }
}
