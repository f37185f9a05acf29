package dev.baton.resilience;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Baton's one backoff formula, for everything that waits longer after each failure:
 * proxy retries, webhook deliveries, process restarts and health checks of an instance
 * that is down. The n-th wait is {@code base × multiplier^n}, capped at {@code max};
 * then it is spread out so that many waiters do not all come back at once, either
 * with full jitter (uniform in [0, wait], AWS Architecture Blog, "Exponential Backoff
 * and Jitter": best when many clients retry the same thing) or by a share either side
 * of it (for schedules that should stay near their period).
 */
public final class Backoff {
    private Backoff() {}

    /**
     * {@code base × multiplier^exponent} milliseconds, at most {@code max}; 0 and
     * negative exponents give {@code base}. Never overflows: a wait past {@code max}
     * is {@code max}.
     */
    public static long millis(long base, double multiplier, long max, int exponent) {
        double wait = base * Math.pow(multiplier, Math.max(0, exponent));
        return wait >= max ? max : (long) wait;
    }

    /** Uniform in [0, {@code millis}]. */
    public static long fullJitter(long millis, RandomGenerator random) {
        return millis <= 0 ? 0 : random.nextLong(millis + 1);
    }

    /** Uniform in [{@code millis} − p%, {@code millis} + p%], p being {@code percent}. */
    public static long spread(long millis, int percent, RandomGenerator random) {
        long jitter = millis * percent / 100;
        return jitter <= 0 ? millis : millis - jitter + random.nextLong(2 * jitter + 1);
    }

    /** The wait before proxy retry number {@code retry} (1 for the first): doubling from {@code base}, full jitter. */
    public static long fullJitterMillis(Duration base, Duration max, int retry, RandomGenerator random) {
        return fullJitter(millis(base.toMillis(), 2, max.toMillis(), retry - 1), random);
    }
}
