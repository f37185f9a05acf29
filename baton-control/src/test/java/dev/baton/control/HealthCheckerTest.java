package dev.baton.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.config.ConfigLoader;
import dev.baton.events.EventSink;
import dev.baton.health.HealthStatus;
import dev.baton.testing.FakeClock;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The checker's schedule on a fake clock: first checks within one interval, the
 * interval while up, backing off while down, and timeouts, each seen by moving the
 * clock and running one tick, without waiting for either. The probes are fakes that
 * answer on the checker's loop, as real ones do; real probes against real upstreams
 * are in the proxy's {@code HealthCheckTest}.
 */
class HealthCheckerTest {
    final FakeClock clock = new FakeClock();
    final Vertx vertx = Vertx.vertx();
    final FakeProber prober = new FakeProber();
    HealthChecker checker;
    Upstream instance;

    @AfterEach
    void close() throws Exception {
        if (checker != null) {
            checker.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Answers every probe with {@link #passing} on the next turn of the loop, or never when {@link #silent}. */
    static final class FakeProber implements Prober, Prober.Factory {
        final List<String> probes = new CopyOnWriteArrayList<>();
        final List<String> aborted = new CopyOnWriteArrayList<>();
        volatile boolean passing = true;
        volatile boolean silent;
        Context context;

        @Override
        public Prober create(Vertx vertx, Context context) {
            this.context = context;
            return this;
        }

        @Override
        public Probe http(
                Upstream u,
                String path,
                int minStatus,
                int maxStatus,
                Optional<String> bodyContains,
                int timeoutMillis,
                Result result) {
            probes.add(u.id() + " " + path);
            boolean passed = passing;
            if (!silent) {
                context.runOnContext(v -> result.done(passed, passed ? null : "status 503"));
            }
            return why -> {
                aborted.add(why);
                result.done(false, why);
            };
        }

        @Override
        public Probe tcp(Upstream u, int timeoutMillis, Result result) {
            throw new AssertionError("an HTTP check was configured");
        }

        @Override
        public void closeIdle() {}

        @Override
        public void close() {}
    }

    private void start(String check) throws Exception {
        Snapshot snapshot = Snapshot.compile(new ConfigLoader(Map.of()).parse("""
                services:
                  s:
                    health-check: %s
                    instances: [ "http://127.0.0.1:1" ]
                """.formatted(check), "test.yaml"));
        instance = snapshot.services().get("s").instances().get(0);
        checker = new HealthChecker(vertx, 10, EventSink.NONE, prober, clock::nanos);
        checker.sync(snapshot);
        // The sync runs on the checker's loop: let it schedule the first check at this
        // time, before the test first moves the clock.
        checker.tickNow().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Moves the clock by {@code millis} and runs a tick; returns how many probes have been made in all. */
    private int after(long millis) throws Exception {
        clock.advance(Duration.ofMillis(millis));
        checker.tickNow().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return prober.probes.size();
    }

    @Test
    void aDownInstanceIsCheckedLessOftenTheLongerItStaysDown() throws Exception {
        start("{ path: /health, interval: 1s, timeout: 500ms, unhealthy-threshold: 1, healthy-threshold: 1 }");
        assertThat(after(0))
                .as("the first check comes within one interval, not at once")
                .isZero();
        assertThat(after(1_000)).isEqualTo(1);
        assertThat(checker.status(instance)).isEqualTo(HealthStatus.HEALTHY);
        assertThat(after(890)).as("healthy: every interval, less its jitter").isEqualTo(1);
        assertThat(after(210)).isEqualTo(2);

        prober.passing = false;
        assertThat(after(1_100)).isEqualTo(3);
        assertThat(checker.status(instance)).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(instance.endpoint().available()).isFalse();
        assertThat(after(1_100))
                .as("the first check while down comes after one interval")
                .isEqualTo(4);
        assertThat(after(1_790)).as("then after two").isEqualTo(4);
        assertThat(after(410)).isEqualTo(5);
        assertThat(after(3_590)).as("then after four").isEqualTo(5);
        assertThat(after(810)).isEqualTo(6);

        prober.passing = true;
        assertThat(after(8_800)).isEqualTo(7);
        assertThat(checker.status(instance)).isEqualTo(HealthStatus.HEALTHY);
        assertThat(instance.endpoint().available()).isTrue();
        assertThat(after(1_100)).as("up again: back to every interval").isEqualTo(8);
    }

    @Test
    void theLastFiveChecksAreKeptNewestFirstWithTheirAgeOnTheClock() throws Exception {
        start("{ path: /health, interval: 1s, timeout: 500ms, unhealthy-threshold: 1, healthy-threshold: 1 }");
        assertThat(checker.recentChecks(instance)).as("none before the first").isEmpty();
        after(1_000);
        prober.passing = false;
        for (int i = 0; i < 5; i++) {
            after(20_000); // past any back-off: one check each time
        }
        assertThat(prober.probes).hasSize(6);
        after(300);
        List<HealthChecker.RecentCheck> recent = checker.recentChecks(instance);
        assertThat(recent).hasSize(HealthChecker.RECENT);
        assertThat(recent.get(0).passed()).isFalse();
        assertThat(recent.get(0).error()).contains("status 503");
        assertThat(recent.get(0).ageMillis()).isEqualTo(300);
        assertThat(recent.get(4).ageMillis())
                .as("the oldest kept: the first, passing one has gone")
                .isEqualTo(80_300);
        assertThat(recent).noneMatch(HealthChecker.RecentCheck::passed);
    }

    @Test
    void aCheckWithoutAnAnswerTimesOutOnTheClock() throws Exception {
        start("{ path: /health, interval: 1s, timeout: 500ms, unhealthy-threshold: 1 }");
        prober.silent = true;
        assertThat(after(1_000)).isEqualTo(1);
        assertThat(after(490)).isEqualTo(1);
        assertThat(prober.aborted).isEmpty();
        after(10);
        assertThat(prober.aborted).containsExactly("timed out after 500 ms");
        assertThat(checker.status(instance)).isEqualTo(HealthStatus.UNHEALTHY);
    }
}
