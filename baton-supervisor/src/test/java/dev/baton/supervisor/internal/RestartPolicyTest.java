package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.config.ProcessConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
    static ProcessConfig config(ProcessConfig.Restart restart, int maxRestarts) {
        return new ProcessConfig(
                List.of("x"),
                Map.of(),
                Optional.empty(),
                false,
                restart,
                maxRestarts,
                Duration.ofSeconds(60),
                Duration.ofSeconds(1),
                2.0,
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                Duration.ofSeconds(60),
                Duration.ofSeconds(1),
                Duration.ofSeconds(10),
                0,
                true,
                true,
                1024 * 1024,
                1);
    }

    @Test
    void whichExitsAreRestarted() {
        assertThat(new RestartPolicy(config(ProcessConfig.Restart.ALWAYS, 5)).restarts(0))
                .isTrue();
        assertThat(new RestartPolicy(config(ProcessConfig.Restart.ON_FAILURE, 5)).restarts(0))
                .isFalse();
        assertThat(new RestartPolicy(config(ProcessConfig.Restart.ON_FAILURE, 5)).restarts(137))
                .isTrue();
        assertThat(new RestartPolicy(config(ProcessConfig.Restart.NEVER, 5)).restarts(1))
                .isFalse();
    }

    @Test
    void backsOffDoublingToTheCapThenGivesUpUntilOldRestartsLeaveTheWindow() {
        RestartPolicy p = new RestartPolicy(config(ProcessConfig.Restart.ALWAYS, 4));
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        assertThat(p.next(t)).contains(Duration.ofSeconds(1));
        assertThat(p.next(t.plusSeconds(1))).contains(Duration.ofSeconds(2));
        assertThat(p.next(t.plusSeconds(3))).contains(Duration.ofSeconds(4));
        assertThat(p.next(t.plusSeconds(7))).contains(Duration.ofSeconds(5)); // max-delay
        assertThat(p.next(t.plusSeconds(12))).isEmpty();
        assertThat(p.gaveUp("exited with code 1")).isEqualTo("exited with code 1; gave up after 4 restarts within 1m");
        assertThat(p.next(t.plusSeconds(61))).isPresent(); // the first left the window
    }

    @Test
    void aStableRunResetsTheBackoffButNotTheWindowAndAFreshStartResetsBoth() {
        RestartPolicy p = new RestartPolicy(config(ProcessConfig.Restart.ALWAYS, 2));
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        assertThat(p.next(t)).contains(Duration.ofSeconds(1));
        p.stableRun();
        assertThat(p.next(t.plusSeconds(1))).contains(Duration.ofSeconds(1));
        assertThat(p.next(t.plusSeconds(2))).isEmpty(); // both restarts are still in the window
        p.reset();
        assertThat(p.next(t.plusSeconds(3))).contains(Duration.ofSeconds(1));
    }

    @Test
    void describesExitsAsPeopleSayThem() {
        assertThat(RestartPolicy.describe(3)).isEqualTo("exited with code 3");
        assertThat(RestartPolicy.describe(137)).isEqualTo("was killed by signal 9 (SIGKILL)");
        assertThat(RestartPolicy.describe(143)).isEqualTo("was killed by signal 15 (SIGTERM)");
        assertThat(RestartPolicy.describe(135)).isEqualTo("was killed by signal 7");
    }
}
