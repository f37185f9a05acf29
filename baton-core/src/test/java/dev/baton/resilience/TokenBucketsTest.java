package dev.baton.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketsTest {
    final AtomicLong now = new AtomicLong(1_000_000_000_000L);

    void advanceMillis(long ms) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
    }

    @Test
    void aBurstThenTheRate() {
        TokenBuckets b = new TokenBuckets(10, 5, 1000, now::get);
        for (int i = 0; i < 5; i++) {
            RateDecision d = b.check("k");
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(4 - i);
            assertThat(d.limit()).isEqualTo(5);
        }
        RateDecision refused = b.check("k");
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(RateDecision.seconds(refused.retryAfterNanos())).isEqualTo(1);
        assertThat(RateDecision.seconds(refused.resetNanos())).isEqualTo(1); // 500 ms until full

        advanceMillis(100);
        assertThat(b.check("k").allowed()).isTrue();
        assertThat(b.check("k").allowed()).isFalse();
        assertThat(b.check("other").allowed()).as("keys are independent").isTrue();
        assertThat(b.refused()).isEqualTo(2);
    }

    @Test
    void overTenSecondsTheRateHoldsExactly() {
        TokenBuckets b = new TokenBuckets(100, 10, 1000, now::get);
        int allowed = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            for (int i = 0; i < 3; i++) { // 300 requests a second offered
                if (b.check("k").allowed()) {
                    allowed++;
                }
            }
            advanceMillis(1);
        }
        assertThat(allowed).isBetween(1000, 1010); // the rate plus the burst
    }

    @Test
    void idleBucketsAreForgottenAndTheCountIsBounded() {
        TokenBuckets b = new TokenBuckets(1, 1, 100, now::get);
        for (int i = 0; i < 1000; i++) {
            b.check("client-" + i);
        }
        assertThat(b.size()).isLessThanOrEqualTo(100);
        advanceMillis(2_000);
        b.check("fresh");
        assertThat(b.size()).isEqualTo(1);
    }

    @Test
    void aMillionDistinctClientsStayWithinMaxKeys() {
        TokenBuckets b = new TokenBuckets(10, 10, 100_000, now::get);
        for (int i = 0; i < 1_000_000; i++) {
            assertThat(b.check("client-" + i).allowed()).isTrue();
        }
        assertThat(b.size()).isLessThanOrEqualTo(100_000);
    }
}
