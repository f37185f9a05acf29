package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import java.nio.file.Path;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** Dependency order, operators' actions and reloads, on a fake clock with programs that only pretend to run. */
class SupervisionTest extends SupervisionHarness {
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
}
