package dev.baton.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final RandomGenerator random = new SplittableRandom(7);

    @Test
    void growsByItsMultiplierUpToItsCap() {
        assertThat(Backoff.millis(100, 2, 10_000, 0)).isEqualTo(100);
        assertThat(Backoff.millis(100, 2, 10_000, 3)).isEqualTo(800);
        assertThat(Backoff.millis(100, 2, 10_000, 7)).isEqualTo(10_000);
        assertThat(Backoff.millis(1000, 1.5, 60_000, 2)).isEqualTo(2250);
        assertThat(Backoff.millis(1000, 1, 60_000, 50))
                .as("a multiplier of 1 is a fixed delay")
                .isEqualTo(1000);
        assertThat(Backoff.millis(100, 2, 10_000, -3)).as("no failures yet").isEqualTo(100);
    }

    @Test
    void neverOverflows() {
        assertThat(Backoff.millis(Long.MAX_VALUE / 2, 2, Long.MAX_VALUE, 10_000))
                .isEqualTo(Long.MAX_VALUE);
        assertThat(Backoff.millis(50, 2, 1000, Integer.MAX_VALUE)).isEqualTo(1000);
    }

    @Test
    void spreadStaysWithinItsShareEitherSide() {
        long low = Long.MAX_VALUE;
        long high = 0;
        for (int i = 0; i < 10_000; i++) {
            long w = Backoff.spread(1000, 20, random);
            low = Math.min(low, w);
            high = Math.max(high, w);
        }
        assertThat(low).isBetween(800L, 820L);
        assertThat(high).isBetween(1180L, 1200L);
        assertThat(Backoff.spread(4, 20, random)).as("too small to spread").isEqualTo(4);
    }

    @Test
    void fullJitterCoversZeroToTheWait() {
        long low = Long.MAX_VALUE;
        long high = 0;
        for (int i = 0; i < 10_000; i++) {
            long w = Backoff.fullJitter(400, random);
            low = Math.min(low, w);
            high = Math.max(high, w);
        }
        assertThat(low).isLessThan(10);
        assertThat(high).isGreaterThan(390).isLessThanOrEqualTo(400);
        assertThat(Backoff.fullJitter(0, random)).isZero();
    }
}
