package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessState;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The restart policy applied by the reconcile loop: backoff, health, start timeouts, giving up. */
class SupervisionRestartTest extends SupervisionHarness {
    @Test
    void aCrashIsRestartedWithGrowingBackoffThatAStableRunResets() {
        sup.configure(services("""
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    process:
                      command: [api]
                      restart-delay: 1s
                      backoff-multiplier: 2
                      max-delay: 3s
                      max-restarts: 10
                      stable-after: 30s
                """));
        sup.startAll();
        advance(1000);
        launcher.exit("api", 3);
        assertThat(status("api").state()).isEqualTo(ProcessState.BACKOFF);
        assertThat(status("api").reason().orElseThrow()).contains("exited with code 3");
        assertThat(status("api").nextStartAt()).contains(clock.instant().plusSeconds(1));
        advance(999);
        assertThat(launcher.launched).hasSize(1);
        advance(1);
        assertThat(launcher.launched).hasSize(2);
        assertThat(events.get(1).getKey()).isEqualTo(EventType.SERVICE_RESTARTED);
        assertThat(events.get(1).getValue())
                .containsEntry("exitCode", 3)
                .containsEntry("reason", "exited with code 3")
                .containsEntry("restarts", 1);

        advance(100);
        launcher.exit("api", 137);
        assertThat(status("api").reason().orElseThrow()).contains("killed by signal 9 (SIGKILL)");
        assertThat(status("api").nextStartAt()).contains(clock.instant().plusSeconds(2));
        advance(2000);
        advance(100);
        launcher.exit("api", 1);
        assertThat(status("api").nextStartAt()).contains(clock.instant().plusSeconds(3)); // 4s, capped at max-delay
        advance(3000);
        assertThat(status("api").state()).isEqualTo(ProcessState.STARTING);
        advance(1000);
        assertThat(status("api").state()).isEqualTo(ProcessState.RUNNING);

        advance(30_000); // a stable run: the backoff starts over
        launcher.exit("api", 1);
        assertThat(status("api").nextStartAt()).contains(clock.instant().plusSeconds(1));
        assertThat(status("api").restarts()).isEqualTo(3);
    }

    @Test
    void aRunningProcessThatTurnsUnhealthyIsRestartedAndTakenOutOfBalancingAtOnce() {
        sup.configure(services("""
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    health-check: { path: /health }
                    process: { command: [api], restart-delay: 500ms, stop-grace: 2s }
                """));
        sup.startAll();
        assertThat(downs).containsExactly("api: its process is stopped", "api: its process is starting");
        health.put("api", HealthStatus.HEALTHY);
        advance(100);
        assertThat(status("api").state()).isEqualTo(ProcessState.RUNNING);

        health.put("api", HealthStatus.UNHEALTHY);
        advance(100);
        assertThat(status("api").state()).isEqualTo(ProcessState.STOPPING);
        assertThat(launcher.terminated).containsExactly("api");
        advance(1999);
        assertThat(launcher.killed).isEmpty();
        advance(1); // it ignored SIGTERM for its whole stop-grace
        assertThat(launcher.killed).containsExactly("api");
        launcher.exit("api", 137);
        assertThat(status("api").state()).isEqualTo(ProcessState.BACKOFF);
        advance(500);
        assertThat(launcher.launched).hasSize(2);
        assertThat(events.get(1).getValue())
                .containsEntry("reason", "unhealthy: its health checks failed while it ran");

        // While it starts it is not restarted for failing checks: it is not ready yet.
        advance(100);
        assertThat(status("api").state()).isEqualTo(ProcessState.STARTING);
    }

    @Test
    void withoutRestartOnUnhealthyAFailingCheckOnlyTakesItOutOfBalancing() {
        sup.configure(services("""
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    health-check: { path: /health }
                    process: { command: [api], restart-on-unhealthy: false }
                """));
        sup.startAll();
        health.put("api", HealthStatus.HEALTHY);
        advance(100);
        health.put("api", HealthStatus.UNHEALTHY);
        advance(60_000);
        assertThat(status("api").state()).isEqualTo(ProcessState.RUNNING);
        assertThat(launcher.terminated).isEmpty();
    }

    @Test
    void aCrashLoopEndsFailedAndItsDependentsReportWhatBlocksThem() {
        sup.configure(services("""
                services:
                  web:
                    instances: [http://127.0.0.1:9001]
                    process: { command: [web] }
                    depends-on: [db]
                  db:
                    instances: [http://127.0.0.1:9003]
                    health-check: { path: /health }
                    process: { command: [db], max-restarts: 2, restart-window: 1m, restart-delay: 1s }
                """));
        sup.startAll();
        launcher.exit("db", 1);
        advance(1000);
        launcher.exit("db", 1);
        advance(2000);
        assertThat(launcher.launched).containsExactly("db", "db", "db");
        launcher.exit("db", 1);
        assertThat(status("db").state()).isEqualTo(ProcessState.FAILED);
        assertThat(status("db").reason().orElseThrow())
                .contains("exited with code 1; gave up after 2 restarts within 1m");
        assertThat(events.get(events.size() - 1).getKey()).isEqualTo(EventType.SERVICE_FAILED);
        assertThat(events.get(events.size() - 1).getValue())
                .containsEntry("blocked", List.of("web"))
                .containsEntry("exitCode", 1);
        advance(60_000);
        assertThat(launcher.launched).hasSize(3);
        assertThat(status("web").state()).isEqualTo(ProcessState.STOPPED);
        assertThat(status("web").blockedBy()).containsExactly("db");

        sup.start("db"); // an operator's start is a fresh start
        assertThat(launcher.launched).hasSize(4);
        assertThat(status("db").state()).isEqualTo(ProcessState.STARTING);
    }

    @Test
    void restartsOutsideTheWindowDoNotCount() {
        sup.configure(services("""
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    process: { command: [api], max-restarts: 1, restart-window: 10s, restart-delay: 0s }
                """));
        sup.startAll();
        launcher.exit("api", 1);
        advance(0);
        advance(11_000);
        launcher.exit("api", 1); // the first restart has left the window: this one is allowed
        assertThat(launcher.launched).hasSize(3);
        launcher.exit("api", 1);
        assertThat(status("api").state()).isEqualTo(ProcessState.FAILED);
    }

    @Test
    void aProcessNotReadyWithinItsStartTimeoutIsAFailure() {
        sup.configure(services("""
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    health-check: { path: /health }
                    process: { command: [api], start-timeout: 5s, stop-grace: 0s }
                """));
        sup.startAll();
        advance(4999);
        assertThat(status("api").state()).isEqualTo(ProcessState.STARTING);
        advance(1);
        assertThat(launcher.killed).containsExactly("api");
        launcher.exit("api", 137);
        assertThat(status("api").state()).isEqualTo(ProcessState.BACKOFF);
        assertThat(status("api").reason().orElseThrow()).contains("not ready within start-timeout (5s)");
    }

    @Test
    void exitPoliciesOnFailureAndNever() {
        sup.configure(services("""
                services:
                  job:
                    instances: [http://127.0.0.1:9002]
                    process: { command: [job], restart: on-failure }
                  once:
                    instances: [http://127.0.0.1:9003]
                    process: { command: [once], restart: never }
                """));
        sup.startAll();
        launcher.exit("job", 0);
        launcher.exit("once", 2);
        assertThat(status("job").state()).isEqualTo(ProcessState.STOPPED);
        assertThat(status("job").reason().orElseThrow()).contains("exited with code 0 (restart: on-failure)");
        assertThat(status("once").state()).isEqualTo(ProcessState.STOPPED);
        advance(60_000);
        assertThat(launcher.launched).hasSize(2);
    }

    @Test
    void aProgramThatCannotBeStartedIsAFailureLikeAnExit() {
        sup.configure(services("""
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    process: { command: [missing], max-restarts: 0 }
                """));
        launcher.refuse = true;
        sup.startAll();
        assertThat(status("api").state()).isEqualTo(ProcessState.FAILED);
        assertThat(status("api").reason().orElseThrow()).contains("cannot start missing: no such file");
    }
}
