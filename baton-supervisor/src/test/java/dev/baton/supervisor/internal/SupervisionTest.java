package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.ConfigLoader;
import dev.baton.config.ServiceConfig;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.supervisor.Readiness;
import dev.baton.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The restart policy and dependency order, on a fake clock with programs that only pretend to run. */
class SupervisionTest {
    final FakeClock clock = new FakeClock();
    final FakeLauncher launcher = new FakeLauncher();
    final Map<String, HealthStatus> health = new HashMap<>();
    final List<String> downs = new ArrayList<>();
    final List<Map.Entry<EventType, Map<String, Object>>> events = new ArrayList<>();
    final Readiness readiness = new Readiness() {
        @Override
        public HealthStatus health(String service, Optional<String> instance) {
            return health.getOrDefault(instance.orElse(service), HealthStatus.UNKNOWN);
        }

        @Override
        public void down(String service, Optional<String> instance, String reason) {
            downs.add(instance.orElse(service) + ": " + reason);
            health.put(instance.orElse(service), HealthStatus.UNHEALTHY);
        }
    };
    final Supervision sup = new Supervision(
            Path.of("/tmp/baton-test"),
            launcher,
            readiness,
            (type, data) -> events.add(Map.entry(type, Map.copyOf(data))),
            clock,
            Runnable::run);

    static List<ServiceConfig> services(String yaml) {
        return List.copyOf(new ConfigLoader(Map.of())
                .parse(yaml + "\nroutes: []\n", "test.yaml")
                .services()
                .values());
    }

    ProcessStatus status(String service) {
        return sup.statuses().get(service).get(0);
    }

    void advance(long millis) {
        clock.advance(Duration.ofMillis(millis));
        sup.tick();
    }

    List<EventType> eventTypes() {
        return events.stream().map(Map.Entry::getKey).toList();
    }

    @Test
    void startsEachServiceOnceWhatItDependsOnIsReadyAndStopsInReverse() {
        sup.configure(services("""
                services:
                  web:
                    instances: [http://127.0.0.1:9001]
                    process: { command: [web] }
                    depends-on: [api]
                  api:
                    instances: [http://127.0.0.1:9002]
                    process: { command: [api] }
                    depends-on: [db]
                  db:
                    instances: [http://127.0.0.1:9003]
                    health-check: { path: /health }
                    process: { command: [db] }
                """));
        sup.startAll();
        assertThat(launcher.launched).containsExactly("db");
        assertThat(status("db").state()).isEqualTo(ProcessState.STARTING);
        assertThat(status("api").blockedBy()).containsExactly("db");
        assertThat(status("api").state()).isEqualTo(ProcessState.STOPPED);

        advance(5000); // db's checks have not passed: api still waits
        assertThat(launcher.launched).containsExactly("db");

        health.put("db", HealthStatus.HEALTHY);
        advance(100);
        assertThat(status("db").state()).isEqualTo(ProcessState.RUNNING);
        assertThat(launcher.launched).containsExactly("db", "api");
        advance(1000); // api has no checks: running once up for min-uptime, then web goes
        assertThat(launcher.launched).containsExactly("db", "api", "web");
        advance(1000);
        assertThat(sup.statuses().values().stream().map(l -> l.get(0).state())).containsOnly(ProcessState.RUNNING);
        assertThat(eventTypes())
                .containsExactly(EventType.SERVICE_STARTED, EventType.SERVICE_STARTED, EventType.SERVICE_STARTED);

        sup.stopAll("test");
        assertThat(launcher.terminated).containsExactly("web");
        launcher.exit("web", 143);
        assertThat(launcher.terminated).containsExactly("web", "api");
        launcher.exit("api", 143);
        assertThat(launcher.terminated).containsExactly("web", "api", "db");
        assertThat(sup.idle()).isFalse();
        launcher.exit("db", 0);
        assertThat(sup.idle()).isTrue();
        assertThat(status("db").state()).isEqualTo(ProcessState.STOPPED);
        assertThat(eventTypes()).hasSize(3); // stops Baton asked for are not restarts
    }

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
    void operatorsStopStartAndRestartOneService() {
        sup.configure(services("""
                services:
                  web:
                    instances: [http://127.0.0.1:9001]
                    process: { command: [web] }
                    depends-on: [api]
                  api:
                    instances: [http://127.0.0.1:9002]
                    process: { command: [api] }
                  external:
                    instances: [http://127.0.0.1:9009]
                """));
        sup.startAll();
        advance(1000);
        advance(1000);
        sup.stop("api"); // web keeps running: an operator stops what they name
        assertThat(launcher.terminated).containsExactly("api");
        launcher.exit("api", 143);
        assertThat(status("api").state()).isEqualTo(ProcessState.STOPPED);
        assertThat(status("api").reason().orElseThrow()).contains("stopped by an operator");
        advance(10_000);
        assertThat(status("api").state()).isEqualTo(ProcessState.STOPPED);

        sup.restart("web");
        launcher.exit("web", 143);
        assertThat(status("web").state()).isEqualTo(ProcessState.STOPPED);
        assertThat(status("web").blockedBy()).containsExactly("api");

        sup.start("web"); // starts api first, as web depends on it
        assertThat(launcher.launched).containsExactly("api", "web", "api");
        advance(1000);
        assertThat(launcher.launched).containsExactly("api", "web", "api", "web");
        assertThat(events.get(events.size() - 1).getKey()).isEqualTo(EventType.SERVICE_RESTARTED);
        assertThat(events.get(events.size() - 1).getValue()).containsEntry("reason", "restarted by an operator");

        assertThatThrownBy(() -> sup.start("nope")).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> sup.stop("external"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no process");
    }

    @Test
    void aChangedProcessIsReplacedOnceTheOldOneHasGoneAndAnUnchangedOneIsLeftAlone() {
        String before = """
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    process: { command: [api, v1] }
                  other:
                    instances: [http://127.0.0.1:9003]
                    process: { command: [other] }
                """;
        sup.configure(services(before));
        sup.startAll();
        advance(100);
        sup.configure(services(before.replace("v1", "v2")));
        assertThat(launcher.terminated).containsExactly("api");
        advance(100);
        assertThat(launcher.launched).containsExactly("api", "other"); // the port is still taken
        launcher.exit("api", 143);
        advance(100);
        assertThat(launcher.launched).containsExactly("api", "other", "api");
        assertThat(launcher.specs.get(2).command()).containsExactly("api", "v2");

        sup.configure(services("""
                services:
                  api:
                    instances: [http://127.0.0.1:9002]
                    process: { command: [api, v2] }
                """));
        assertThat(launcher.terminated).containsExactly("api", "other");
        assertThat(sup.statuses()).containsOnlyKeys("api");
    }

    @Test
    void aProcessPerInstanceIsToldItsOwnPortAndPeersStartByPriority() {
        sup.configure(services("""
                services:
                  b:
                    instances: [http://127.0.0.1:9011]
                    process: { command: [b], priority: 1 }
                  inventory:
                    instances: [http://127.0.0.1:9102, http://127.0.0.1:9103]
                    process: { command: [serve, --port, "{port}"], env: { NAME: "inv-{instance}" } }
                  a:
                    instances: [http://127.0.0.1:9012]
                    process: { command: [a], priority: -1 }
                """));
        sup.startAll();
        assertThat(launcher.launched).containsExactly("a", "inventory-0", "inventory-1", "b");
        Launcher.Spec second = launcher.specs.get(2);
        assertThat(second.command()).containsExactly("serve", "--port", "9103");
        assertThat(second.env())
                .containsEntry("PORT", "9103")
                .containsEntry("NAME", "inv-inventory-1")
                .containsEntry("BATON_SERVICE", "inventory");
        assertThat(second.log()).isEqualTo(Path.of("/tmp/baton-test/logs/inventory/inventory-1.log"));
        assertThat(sup.statuses().get("inventory"))
                .extracting(ProcessStatus::id)
                .containsExactly("inventory-0", "inventory-1");
    }

    @Test
    void withoutAutostartAProcessWaitsForAnOperatorAndItsDependentsWaitWithIt() {
        sup.configure(services("""
                services:
                  tool:
                    instances: [http://127.0.0.1:9002]
                    health-check: { path: /health }
                    process: { command: [tool], autostart: false }
                  app:
                    instances: [http://127.0.0.1:9003]
                    process: { command: [app] }
                    depends-on: [tool]
                """));
        sup.startAll();
        advance(10_000);
        assertThat(launcher.launched).isEmpty();
        assertThat(status("app").blockedBy()).containsExactly("tool");
        assertThat(downs).contains("tool: its process is stopped"); // no traffic to what does not run
        sup.start("tool");
        health.put("tool", HealthStatus.HEALTHY);
        advance(100);
        assertThat(launcher.launched).containsExactly("tool", "app");
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
