package dev.baton.supervisor.internal;

import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.Readiness;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Takes the instances of a process out of balancing while it cannot serve: as it
 * starts, the moment it exits, and while it is stopped, waiting, backing off or
 * FAILED. Only for services with health checks, whose passing checks bring the
 * instances back. Without this, a process that has not started yet (waiting for
 * its dependencies, or not autostarted) would be UNKNOWN to the checker, and
 * UNKNOWN takes traffic.
 */
final class OutOfBalancing {
    private final Readiness readiness;
    private final Predicate<String> checked;

    /** {@code checked} says whether a service has health checks, in the config as it is now. */
    OutOfBalancing(Readiness readiness, Predicate<String> checked) {
        this.readiness = readiness;
        this.checked = checked;
    }

    /** Its program is about to be launched. */
    void starting(ProcessMachine p) {
        down(p, "its process is starting");
    }

    /** Its program ended with {@code code}. */
    void exited(ProcessMachine p, int code) {
        down(p, "its process " + RestartPolicy.describe(code));
    }

    /** Once a step: a process that does not run is kept out, unless its checks already find it UNHEALTHY. */
    void unlessRunning(ProcessMachine p) {
        ProcessState state = p.state();
        if (state.alive()
                || !checked.test(p.service())
                || readiness.health(p.service(), p.planned().instance()) == HealthStatus.UNHEALTHY) {
            return;
        }
        List<String> blockedBy = p.status().blockedBy();
        down(
                p,
                state == ProcessState.STOPPED && !blockedBy.isEmpty()
                        ? "its process waits for " + String.join(", ", blockedBy)
                        : "its process is " + state.name().toLowerCase(Locale.ROOT));
    }

    private void down(ProcessMachine p, String why) {
        if (checked.test(p.service())) {
            readiness.down(p.service(), p.planned().instance(), why);
        }
    }
}
