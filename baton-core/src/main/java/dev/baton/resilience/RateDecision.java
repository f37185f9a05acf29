package dev.baton.resilience;

/**
 * The answer of a rate-limit check, with what the IETF RateLimit headers report.
 *
 * @param limit the bucket's size (burst): {@code RateLimit-Limit}
 * @param remaining requests left right now: {@code RateLimit-Remaining}
 * @param resetNanos until the bucket is full again: {@code RateLimit-Reset}
 * @param retryAfterNanos until a refused request would pass: {@code Retry-After}
 */
public record RateDecision(boolean allowed, int limit, int remaining, long resetNanos, long retryAfterNanos) {

    /** Whole seconds, rounded up, as the headers want them. */
    public static long seconds(long nanos) {
        return Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L);
    }
}
