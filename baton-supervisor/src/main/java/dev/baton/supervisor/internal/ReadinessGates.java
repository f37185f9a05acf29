package dev.baton.supervisor.internal;

import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.Readiness;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * When a process may start and when it counts as started. A dependent waits until
 * every service it depends on is ready: all its processes RUNNING or, for a service
 * Baton does not launch, HEALTHY or DEGRADED by its checks (ready at once without
 * checks). A process itself is ready once its checks pass or, without checks, once
 * it has stayed up for {@code min-uptime}. The gates only answer; the reconcile
 * loop in {@link Supervision} acts on what they say.
 */
final class ReadinessGates {
    private final ProcessPlan plan;
    private final Readiness readiness;
    private final Function<String, List<ProcessState>> states;

    /** Gates over {@code plan}; {@code states} gives the states of a service's processes as they are now. */
    ReadinessGates(ProcessPlan plan, Readiness readiness, Function<String, List<ProcessState>> states) {
        this.plan = plan;
        this.readiness = readiness;
        this.states = states;
    }

    /** The dependencies of {@code service} that are not ready yet: empty when it may start. */
    List<String> blockers(String service) {
        return plan.dependencies(service).stream().filter(d -> !serviceReady(d)).toList();
    }

    private boolean serviceReady(String service) {
        List<ProcessState> own = states.apply(service);
        if (!own.isEmpty()) {
            return own.stream().allMatch(s -> s == ProcessState.RUNNING);
        }
        return !plan.checked(service) || good(readiness.health(service, Optional.empty()));
    }

    /** Whether a process that has been up for {@code up} is ready. */
    boolean ready(PlannedProcess p, Duration up) {
        return plan.checked(p.service())
                ? good(readiness.health(p.service(), p.instance()))
                : up.compareTo(p.config().minUptime()) >= 0;
    }

    /** Whether the health checks of a process find it UNHEALTHY (never for a service without checks). */
    boolean unhealthy(PlannedProcess p) {
        return plan.checked(p.service()) && readiness.health(p.service(), p.instance()) == HealthStatus.UNHEALTHY;
    }

    private static boolean good(HealthStatus h) {
        return h == HealthStatus.HEALTHY || h == HealthStatus.DEGRADED;
    }
}
