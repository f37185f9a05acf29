package dev.baton.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.baton.testing.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rolling one-second buckets: rates, error rates and percentiles over windows, on a fake clock. */
class StatsTest {
    final FakeClock clock = new FakeClock();
    final Stats stats = new Stats(clock);

    static long ms(double millis) {
        return (long) (millis * 1_000_000);
    }

    @Test
    void aWindowOfCompleteSecondsGivesRatesErrorsAndPercentiles() {
        // 10 seconds of 100 requests: latencies 1..100 ms, 5 errors a second.
        for (int s = 0; s < 10; s++) {
            for (int i = 1; i <= 100; i++) {
                stats.record("service:orders", ms(i), i <= 5);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        Stats.Summary sum =
                stats.summary("service:orders", Duration.ofSeconds(10)).orElseThrow();
        assertThat(sum.requests()).isEqualTo(1000);
        assertThat(sum.requestsPerSecond()).isEqualTo(100.0);
        assertThat(sum.errors()).isEqualTo(50);
        assertThat(sum.errorRate()).isEqualTo(0.05);
        // Buckets are 30% wide: within 15% of the true values.
        assertThat(sum.p50()).isCloseTo(0.050, within(0.050 * 0.15));
        assertThat(sum.p95()).isCloseTo(0.095, within(0.095 * 0.15));
        assertThat(sum.p99()).isCloseTo(0.099, within(0.099 * 0.15));

        // The current second is still filling and left out; a shorter window sees less.
        stats.record("service:orders", ms(5000), true);
        assertThat(stats.summary("service:orders", Duration.ofSeconds(10))
                        .orElseThrow()
                        .requests())
                .isEqualTo(1000);
        assertThat(stats.summary("service:orders", Duration.ofSeconds(2))
                        .orElseThrow()
                        .requests())
                .isEqualTo(200);
        assertThat(stats.summary("service:payments", Duration.ofSeconds(10))).isEmpty();
    }

    @Test
    void bucketsAreReusedAfterFifteenMinutesAndSeriesStepAlong() {
        stats.record("route:a", ms(1), false);
        clock.advance(Duration.ofSeconds(Stats.SECONDS)); // the same slot, a new second
        stats.record("route:a", ms(1), false);
        stats.record("route:a", ms(1), false);
        clock.advance(Duration.ofSeconds(1));
        Stats.Summary sum =
                stats.summary("route:a", Duration.ofSeconds(Stats.SECONDS - 1)).orElseThrow();
        assertThat(sum.requests()).as("the old second is gone").isEqualTo(2);

        for (int s = 0; s < 30; s++) {
            for (int i = 0; i <= s; i++) {
                stats.record("route:a", ms(2), false);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        List<Stats.Point> points = stats.series("route:a", Duration.ofSeconds(30), Duration.ofSeconds(10));
        assertThat(points).hasSize(3);
        assertThat(points).extracting(p -> p.summary().requests()).containsExactly(55L, 155L, 255L);
        assertThat(points.get(1).epochSecond() - points.get(0).epochSecond()).isEqualTo(10);

        stats.retain(Set.of(), Set.of("b"));
        assertThat(stats.keys()).isEmpty();
    }

    @Test
    void aRequestCountsInTheSecondItEndedInByItsOwnTimesUnderItsServiceAndRoute() {
        long now = clock.millis();
        long start = (now / 1000 - 5) * 1000 + 800; // 0.8 s into the second five seconds ago
        // 1.5 s long: it ended in the second three seconds ago, whatever the clock says now.
        stats.completed(FinishedRequest.of("r1", "/api/x", 502, start, ms(1500)));
        for (String key : List.of("service:orders", "route:orders")) {
            Stats.Summary last5 = stats.summary(key, Duration.ofSeconds(5)).orElseThrow();
            assertThat(last5.requests()).as(key).isEqualTo(1);
            assertThat(last5.errors()).as(key).isEqualTo(1);
            List<Stats.Point> seconds = stats.series(key, Duration.ofSeconds(5), Duration.ofSeconds(1));
            assertThat(seconds).extracting(p -> p.summary().requests()).containsExactly(0L, 0L, 1L, 0L, 0L);
        }
    }

    @Test
    void latencyBucketsCoverMicrosecondsToAMinute() {
        assertThat(Stats.bucket(10_000)).isZero();
        assertThat(Stats.bucket(ms(60_000))).isLessThan(Stats.BUCKETS - 1);
        assertThat(Stats.bucket(ms(3_600_000))).isEqualTo(Stats.BUCKETS - 1);
        for (long n = 60_000; n < ms(60_000); n = n * 11 / 10) {
            double v = Stats.value(Stats.bucket(n)) * 1e9;
            assertThat(Math.abs(v - n) / n).as("bucket of %d ns", n).isLessThan(0.15);
        }
    }
}
