package dev.baton.supervisor.internal;

import static dev.baton.supervisor.ProcessState.BACKOFF;
import static dev.baton.supervisor.ProcessState.FAILED;
import static dev.baton.supervisor.ProcessState.RUNNING;
import static dev.baton.supervisor.ProcessState.STARTING;
import static dev.baton.supervisor.ProcessState.STOPPED;
import static dev.baton.supervisor.ProcessState.STOPPING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Every transition of one process's life, and the refused ones, on a fake clock with a pretend program. */
class ProcessMachineTest {
    final FakeClock clock = new FakeClock();
    final List<String> signals = new ArrayList<>();
    long pids = 100;

    static PlannedProcess planned(String process) {
        return ProcessPlan.of(Path.of("/tmp/baton-test"), SupervisionHarness.services("""
                        services:
                          api:
                            instances: [http://127.0.0.1:9002]
                            process: %s
                        """.formatted(process)))
                .processes()
                .get(0);
    }

    ProcessMachine machine(String process) {
        ProcessMachine m = new ProcessMachine(planned(process));
        m.want();
        return m;
    }

    ProcessMachine machine() {
        return machine("{ command: [api], restart-delay: 1s, max-restarts: 2, stop-grace: 2s, stable-after: 30s }");
    }

    Launcher.Child child() {
        long pid = ++pids;
        return new Launcher.Child() {
            @Override
            public long pid() {
                return pid;
            }

            @Override
            public CompletableFuture<Integer> exit() {
                return new CompletableFuture<>();
            }

            @Override
            public void terminate() {
                signals.add("TERM " + pid);
            }

            @Override
            public void kill() {
                signals.add("KILL " + pid);
            }

            @Override
            public void ready() {
                signals.add("ready " + pid);
            }
        };
    }

    Instant now() {
        return clock.instant();
    }

    void advance(long millis) {
        clock.advance(Duration.ofMillis(millis));
    }

    @Test
    void aNewMachineIsStoppedAndAFirstLaunchIsNoRestart() {
        ProcessMachine m = new ProcessMachine(planned("{ command: [api] }"));
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.wanted()).isFalse();
        assertThat(m.status().pid()).isEmpty();
        m.want();
        assertThat(m.launched(child(), now())).isEmpty();
        ProcessStatus s = m.status();
        assertThat(s.state()).isEqualTo(STARTING);
        assertThat(s.pid()).hasValue(101);
        assertThat(s.startedAt()).contains(now());
        assertThat(s.restarts()).isZero();
    }

    @Test
    void readyRunsItAndTellsTheProgramAndKeepsWhyItLastEnded() {
        ProcessMachine m = machine();
        m.launched(child(), now());
        advance(1500);
        assertThat(m.upFor(now())).isEqualTo(Duration.ofMillis(1500));
        m.becameReady(now());
        assertThat(m.state()).isEqualTo(RUNNING);
        assertThat(m.status().reason()).as("it never ended").isEmpty();
        assertThat(signals).containsExactly("ready 101");

        m.exited(137, now()); // kill -9
        advance(1000);
        m.launched(child(), now());
        m.becameReady(now());
        assertThat(m.state()).isEqualTo(RUNNING);
        assertThat(m.status().reason()).as("why it last ended").contains("was killed by signal 9 (SIGKILL)");
    }

    @Test
    void aWantedExitBacksOffAndTheNextLaunchIsACountedRestart() {
        ProcessMachine m = machine();
        m.launched(child(), now());
        m.exited(3, now());
        ProcessStatus s = m.status();
        assertThat(s.state()).isEqualTo(BACKOFF);
        assertThat(s.exitCode()).hasValue(3);
        assertThat(s.reason()).contains("exited with code 3");
        assertThat(s.nextStartAt()).contains(now().plusSeconds(1));
        assertThat(s.pid()).isEmpty();
        advance(999);
        assertThat(m.restartDue(now())).isFalse();
        advance(1);
        assertThat(m.restartDue(now())).isTrue();
        assertThat(m.launched(child(), now())).contains("exited with code 3");
        assertThat(m.status().restarts()).isEqualTo(1);
        assertThat(m.status().nextStartAt()).isEmpty();
    }

    @Test
    void tooManyRestartsWithinTheWindowGiveItUpAndClearingGivesAFreshCount() {
        ProcessMachine m = machine();
        for (int i = 0; i < 2; i++) {
            m.launched(child(), now());
            m.exited(1, now());
            assertThat(m.state()).isEqualTo(BACKOFF);
        }
        m.launched(child(), now());
        m.exited(1, now());
        assertThat(m.state()).isEqualTo(FAILED);
        assertThat(m.status().reason()).contains("exited with code 1; gave up after 2 restarts within 5m");

        m.want(); // an operator's start
        assertThat(m.state()).isEqualTo(STOPPED);
        m.launched(child(), now());
        m.exited(1, now());
        assertThat(m.state()).isEqualTo(BACKOFF);
    }

    @Test
    void aStableRunResetsTheBackoff() {
        ProcessMachine m = machine("{ command: [api], restart-delay: 1s, max-restarts: 10, stable-after: 30s }");
        m.launched(child(), now());
        m.exited(1, now()); // waits 1s
        m.launched(child(), now());
        m.becameReady(now());
        advance(29_999);
        m.keptRunning(now());
        m.exited(1, now());
        assertThat(m.status().nextStartAt()).contains(now().plusSeconds(2)); // not stable yet: doubled

        m.launched(child(), now());
        m.becameReady(now());
        advance(30_000);
        m.keptRunning(now());
        assertThat(m.state()).isEqualTo(RUNNING);
        m.exited(1, now());
        assertThat(m.status().nextStartAt()).contains(now().plusSeconds(1));
    }

    @Test
    void anExitTheRestartPolicyDoesNotRestartLeavesItStoppedAndUnwanted() {
        ProcessMachine m = machine("{ command: [api], restart: on-failure }");
        m.launched(child(), now());
        m.exited(0, now());
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.wanted()).isFalse();
        assertThat(m.status().reason()).contains("exited with code 0 (restart: on-failure)");
    }

    @Test
    void anUnwantedProcessThatExitsStaysStopped() {
        ProcessMachine m = machine();
        m.launched(child(), now());
        m.unwanted("Baton is stopping");
        m.exited(1, now());
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.status().reason()).contains("exited with code 1");
    }

    @Test
    void aRequestedStopSendsSigtermThenSigkillOnceAfterTheGrace() {
        ProcessMachine m = machine();
        m.launched(child(), now());
        m.becameReady(now());
        m.unwanted("stopped by an operator");
        m.stopRequested(now());
        assertThat(m.state()).isEqualTo(STOPPING);
        assertThat(signals).containsExactly("ready 101", "TERM 101");
        advance(1999);
        assertThat(m.overdue(now())).isFalse();
        assertThatThrownBy(() -> m.killedAfterGrace(now()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("its stop-grace runs until");
        advance(1);
        assertThat(m.overdue(now())).isTrue();
        m.killedAfterGrace(now());
        assertThat(signals).endsWith("KILL 101");
        assertThat(m.overdue(now())).isFalse();
        assertThatThrownBy(() -> m.killedAfterGrace(now()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("it was killed already");
        m.exited(137, now());
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.status().reason()).contains("stopped by an operator");
        assertThat(m.status().exitCode()).hasValue(137);
    }

    @Test
    void withNoStopGraceItIsKilledAtOnce() {
        ProcessMachine m = machine("{ command: [api], start-timeout: 5s, stop-grace: 0s }");
        m.launched(child(), now());
        advance(5000);
        m.startTimedOut(now());
        assertThat(signals).containsExactly("TERM 101", "KILL 101");
    }

    @Test
    void notReadyInTimeAndUnhealthyAreFailuresForTheRestartPolicy() {
        ProcessMachine m = machine();
        m.launched(child(), now());
        m.startTimedOut(now());
        assertThat(m.state()).isEqualTo(STOPPING);
        m.exited(143, now());
        assertThat(m.state()).isEqualTo(BACKOFF);
        assertThat(m.status().reason()).contains("not ready within start-timeout (1m)");

        m.launched(child(), now());
        m.becameReady(now());
        m.turnedUnhealthy(now());
        assertThat(m.state()).isEqualTo(STOPPING);
        m.exited(143, now());
        assertThat(m.state()).isEqualTo(BACKOFF);
        assertThat(m.status().reason()).contains("unhealthy: its health checks failed while it ran");
    }

    @Test
    void aFailedLaunchIsAFailureWithoutAnExitCode() {
        ProcessMachine m = machine("{ command: [api], max-restarts: 0 }");
        m.launched(child(), now());
        m.exited(2, now());
        assertThat(m.state()).isEqualTo(FAILED);
        m.want();
        m.launchFailed("cannot start api: no such file", now());
        assertThat(m.state()).isEqualTo(FAILED);
        assertThat(m.status().exitCode()).isEmpty();
        assertThat(m.status().reason().orElseThrow()).startsWith("cannot start api: no such file; gave up");
    }

    @Test
    void anOperatorsRestartStopsARunningProcessAndLaunchesItAgainUncounted() {
        ProcessMachine m = machine();
        m.launched(child(), now());
        m.becameReady(now());
        m.restartRequested("restarted by an operator", now());
        assertThat(m.state()).isEqualTo(STOPPING);
        m.exited(143, now());
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.launched(child(), now())).contains("restarted by an operator");
        assertThat(m.status().restarts()).isEqualTo(1);

        m.becameReady(now());
        m.turnedUnhealthy(now()); // stopping for a failure, then restarted by an operator: not a failure
        m.restartRequested("restarted by an operator", now());
        m.exited(137, now());
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.launched(child(), now())).contains("unhealthy: its health checks failed while it ran");
    }

    @Test
    void anOperatorsRestartEndsABackoffAndStartsAStoppedOrFailedOne() {
        ProcessMachine m = machine("{ command: [api], restart-delay: 10s, max-restarts: 1 }");
        m.launched(child(), now());
        m.exited(1, now());
        m.restartRequested("restarted by an operator", now());
        assertThat(m.restartDue(now())).isTrue();
        assertThat(m.launched(child(), now())).contains("restarted by an operator");
        m.exited(1, now());
        assertThat(m.state()).isEqualTo(FAILED);
        m.unwanted("Baton is stopping");
        m.restartRequested("restarted by an operator", now());
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.wanted()).isTrue();
    }

    @Test
    void unwantedEndsABackoffAndWaitingRecordsWhatItWaitsFor() {
        ProcessMachine m = machine();
        m.waiting(List.of("db"));
        assertThat(m.status().blockedBy()).containsExactly("db");
        m.launched(child(), now());
        assertThat(m.status().blockedBy()).isEmpty();
        m.exited(1, now());
        m.unwanted("Baton is stopping");
        assertThat(m.state()).isEqualTo(STOPPED);
        assertThat(m.status().reason()).contains("Baton is stopping");
        assertThat(m.status().nextStartAt()).isEmpty();
    }
}
