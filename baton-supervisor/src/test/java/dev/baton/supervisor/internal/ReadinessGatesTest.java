package dev.baton.supervisor.internal;

import static dev.baton.supervisor.ProcessState.RUNNING;
import static dev.baton.supervisor.ProcessState.STARTING;
import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.Readiness;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a dependent may start and when a process counts as ready, from states and health alone. */
class ReadinessGatesTest {
    final Map<String, List<ProcessState>> states = new HashMap<>();
    final Map<String, HealthStatus> health = new HashMap<>();
    final Readiness readiness =
            (service, instance) -> health.getOrDefault(instance.orElse(service), HealthStatus.UNKNOWN);
    final ProcessPlan plan = ProcessPlanTest.plan("""
            services:
              web:
                instances: [http://127.0.0.1:9001]
                process: { command: [web], min-uptime: 2s }
                depends-on: [api, checked, unchecked]
              api:
                instances: [http://127.0.0.1:9002, http://127.0.0.1:9003]
                health-check: { path: /health }
                process: { command: [api, "{port}"] }
              checked:
                instances: [http://127.0.0.1:9004]
                health-check: { path: /health }
              unchecked:
                instances: [http://127.0.0.1:9005]
            """);
    final ReadinessGates gates = new ReadinessGates(plan, readiness, s -> states.getOrDefault(s, List.of()));

    PlannedProcess process(String key) {
        return plan.processes().stream()
                .filter(p -> p.key().equals(key))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void aDependentWaitsUntilEveryProcessOfADependencyRuns() {
        states.put("api", List.of(RUNNING, STARTING));
        health.put("checked", HealthStatus.HEALTHY);
        assertThat(gates.blockers("web")).containsExactly("api");
        states.put("api", List.of(RUNNING, RUNNING));
        assertThat(gates.blockers("web")).isEmpty();
        assertThat(gates.blockers("api")).isEmpty(); // it depends on nothing
    }

    @Test
    void aDependencyBatonDoesNotLaunchIsReadyByItsChecksOrAtOnceWithout() {
        states.put("api", List.of(RUNNING, RUNNING));
        assertThat(gates.blockers("web")).containsExactly("checked");
        health.put("checked", HealthStatus.UNHEALTHY);
        assertThat(gates.blockers("web")).containsExactly("checked");
        health.put("checked", HealthStatus.DEGRADED);
        assertThat(gates.blockers("web")).isEmpty();
        health.put("checked", HealthStatus.HEALTHY);
        assertThat(gates.blockers("web")).isEmpty();
    }

    @Test
    void aProcessWithChecksIsReadyWhenItsOwnInstancePassesThem() {
        PlannedProcess second = process("api/api-1");
        assertThat(gates.ready(second, Duration.ofHours(1))).isFalse();
        health.put("api-0", HealthStatus.HEALTHY);
        assertThat(gates.ready(second, Duration.ofHours(1))).isFalse();
        health.put("api-1", HealthStatus.DEGRADED);
        assertThat(gates.ready(second, Duration.ZERO)).isTrue();
    }

    @Test
    void aProcessWithoutChecksIsReadyOnceUpForMinUptime() {
        PlannedProcess web = process("web/web");
        assertThat(gates.ready(web, Duration.ofMillis(1999))).isFalse();
        assertThat(gates.ready(web, Duration.ofSeconds(2))).isTrue();
    }

    @Test
    void onlyAProcessWithChecksIsEverUnhealthy() {
        PlannedProcess first = process("api/api-0");
        assertThat(gates.unhealthy(first)).isFalse(); // UNKNOWN is not UNHEALTHY
        health.put("api-0", HealthStatus.UNHEALTHY);
        assertThat(gates.unhealthy(first)).isTrue();
        health.put("web", HealthStatus.UNHEALTHY);
        assertThat(gates.unhealthy(process("web/web"))).isFalse();
    }
}
