package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.config.ProcessConfig;
import dev.baton.supervisor.Launcher;
import java.nio.file.Path;
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

    static Supervised process(ProcessConfig c) {
        return new Supervised(
                "s",
                Optional.empty(),
                c,
                new Launcher.Spec("s/s", c.command(), Map.of(), Optional.empty(), Path.of("s.log"), 1024, 1));
    }

    @Test
    void whichExitsAreRestarted() {
        assertThat(RestartPolicy.restarts(config(ProcessConfig.Restart.ALWAYS, 5), 0))
                .isTrue();
        assertThat(RestartPolicy.restarts(config(ProcessConfig.Restart.ON_FAILURE, 5), 0))
                .isFalse();
        assertThat(RestartPolicy.restarts(config(ProcessConfig.Restart.ON_FAILURE, 5), 137))
                .isTrue();
        assertThat(RestartPolicy.restarts(config(ProcessConfig.Restart.NEVER, 5), 1))
                .isFalse();
    }

    @Test
    void backsOffDoublingToTheCapThenGivesUpUntilOldRestartsLeaveTheWindow() {
        Supervised p = process(config(ProcessConfig.Restart.ALWAYS, 4));
        Instant t = Instant.parse("2026-11-23T10:00:00Z");
        assertThat(RestartPolicy.next(p, t)).contains(Duration.ofSeconds(1));
        assertThat(RestartPolicy.next(p, t.plusSeconds(1))).contains(Duration.ofSeconds(2));
        assertThat(RestartPolicy.next(p, t.plusSeconds(3))).contains(Duration.ofSeconds(4));
        assertThat(RestartPolicy.next(p, t.plusSeconds(7))).contains(Duration.ofSeconds(5)); // max-delay
        assertThat(RestartPolicy.next(p, t.plusSeconds(12))).isEmpty();
        assertThat(RestartPolicy.gaveUp(p, "exited with code 1"))
                .isEqualTo("exited with code 1; gave up after 4 restarts within 1m");
        assertThat(RestartPolicy.next(p, t.plusSeconds(61))).isPresent(); // the first left the window
    }

    @Test
    void describesExitsAsPeopleSayThem() {
        assertThat(RestartPolicy.describe(3)).isEqualTo("exited with code 3");
        assertThat(RestartPolicy.describe(137)).isEqualTo("was killed by signal 9 (SIGKILL)");
        assertThat(RestartPolicy.describe(143)).isEqualTo("was killed by signal 15 (SIGTERM)");
        assertThat(RestartPolicy.describe(135)).isEqualTo("was killed by signal 7");
    }
}
