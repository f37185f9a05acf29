package dev.baton.server;

import dev.baton.control.ControlPlane;
import dev.baton.control.HealthChecker;
import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import dev.baton.supervisor.Supervisor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orchestration: health checking and the supervised processes, which run while
 * the gateway runs and an operator can stop and resume ({@code POST
 * /orchestrator/stop|start}). While stopped, checks pause and routed requests get
 * 503; the admin API keeps answering. Started once the listeners are bound; its
 * close stops the checks, and the supervisor, closed later, stops the processes
 * once the proxy has drained.
 */
final class Orchestration implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(Orchestration.class);

    private final ControlPlane plane;
    private final Supervisor supervisor;
    private final Supplier<HealthChecker> checker;

    /** {@code checker} makes a new health checker for every start or resume. */
    Orchestration(ControlPlane plane, Supervisor supervisor, Supplier<HealthChecker> checker) {
        this.plane = plane;
        this.supervisor = supervisor;
        this.checker = checker;
    }

    /** Starts the checks, and every process with autostart, in dependency order. */
    @Override
    public void start() {
        plane.orchestration(true, checker.get());
        supervisor.startAll();
    }

    /**
     * Stops (false) or resumes (true) orchestration, for the admin API; false when
     * it already was so. Stopping returns once the processes have stopped.
     */
    boolean orchestrate(boolean run) {
        if (run != plane.stopped()) {
            return false;
        }
        if (run) {
            start();
        } else {
            stopProcesses("the orchestrator was stopped");
            plane.orchestration(false, null);
        }
        log.info("orchestrator {} by the admin API", run ? "started" : "stopped");
        return true;
    }

    /** Whether orchestration runs. */
    boolean running() {
        return !plane.stopped();
    }

    /** Closes the health checker; a later start makes a new one. */
    @Override
    public void close() {
        plane.orchestration(true, null);
    }

    private void stopProcesses(String why) {
        try {
            supervisor.stopAll(why).get(10, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("processes did not all stop: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
