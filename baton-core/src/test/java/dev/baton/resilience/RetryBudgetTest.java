package dev.baton.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    @Test
    void retriesStayWithinAShareOfActiveRequestsOrTheFloor() {
        RetryBudget b = new RetryBudget(20, 3);
        for (int i = 0; i < 100; i++) {
            b.requestStarted();
        }
        int granted = 0;
        for (int i = 0; i < 100; i++) {
            if (b.tryRetry()) {
                granted++;
            }
        }
        assertThat(granted).isEqualTo(20);
        assertThat(b.exhausted()).isEqualTo(80);
        b.retryEnded();
        assertThat(b.tryRetry()).isTrue();

        RetryBudget quiet = new RetryBudget(20, 3);
        quiet.requestStarted();
        assertThat(quiet.tryRetry()).isTrue();
        assertThat(quiet.tryRetry()).isTrue();
        assertThat(quiet.tryRetry()).isTrue();
        assertThat(quiet.allowsRetry()).as("a look, not a take").isFalse();
        assertThat(quiet.tryRetry()).as("the floor is 3").isFalse();
        assertThat(quiet.retried()).isEqualTo(3);
        assertThat(quiet.exhausted()).as("looking counts no refusal").isEqualTo(1);
        quiet.retryEnded();
        assertThat(quiet.allowsRetry()).isTrue();
        assertThat(quiet.retried()).isEqualTo(3);
    }

    @Test
    void fullJitterStaysUnderTheExponentialCap() {
        assertThat(Backoff.millis(50, 2, 1000, 0)).isEqualTo(50);
        assertThat(Backoff.millis(50, 2, 1000, 1)).isEqualTo(100);
        assertThat(Backoff.millis(50, 2, 1000, 4)).isEqualTo(800);
        assertThat(Backoff.millis(50, 2, 1000, 5)).isEqualTo(1000);
        assertThat(Backoff.millis(50, 2, 1000, 63)).isEqualTo(1000);
        Random random = new Random(42);
        long max = 0;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 10_000; i++) {
            long w = Backoff.fullJitterMillis(Duration.ofMillis(50), Duration.ofSeconds(1), 3, random);
            max = Math.max(max, w);
            min = Math.min(min, w);
        }
        assertThat(max).isLessThanOrEqualTo(200).isGreaterThan(190);
        assertThat(min).isLessThan(10);
        assertThat(Backoff.fullJitterMillis(Duration.ZERO, Duration.ZERO, 1, random))
                .isZero();
    }
}
