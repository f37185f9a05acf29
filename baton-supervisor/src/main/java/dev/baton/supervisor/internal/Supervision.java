package dev.baton.supervisor.internal;

import static dev.baton.supervisor.ProcessState.FAILED;
import static dev.baton.supervisor.ProcessState.RUNNING;
import static dev.baton.supervisor.ProcessState.STARTING;
import static dev.baton.supervisor.ProcessState.STOPPED;

import dev.baton.config.ServiceConfig;
import dev.baton.events.EventSink;
import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.supervisor.Readiness;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's reconcile loop: it acts on the {@link ProcessPlan} (which
 * processes should run, in which order), launching each once its
 * {@link ReadinessGates} open, restarting it by its policy, and stopping
 * processes dependents first. Each process's life is a {@link ProcessMachine};
 * the loop only fires its events. Driven by {@link #tick} and by exits; not
 * thread-safe, so the {@code thread} it is given runs everything, exits included.
 * Time comes only from the clock, so tests drive it with a fake one and a pretend
 * launcher.
 */
public final class Supervision {
    private static final Logger log = LoggerFactory.getLogger(Supervision.class);

    private final Path dataDir;
    private final Launcher launcher;
    private final Readiness readiness;
    private final ProcessEvents events;
    private final OutOfBalancing balancing;
    private final Clock clock;
    private final Executor thread;

    private ProcessPlan plan = ProcessPlan.EMPTY;
    private ReadinessGates gates;
    /** By {@link PlannedProcess#key()}, in start order. */
    private Map<String, ProcessMachine> processes = new LinkedHashMap<>();
    /** Processes that left the config (or changed) and are being stopped. */
    private final List<ProcessMachine> retiring = new ArrayList<>();
    /** Whether orchestration runs: processes with autostart are wanted. */
    private boolean running;

    public Supervision(
            Path dataDir, Launcher launcher, Readiness readiness, EventSink events, Clock clock, Executor thread) {
        this.dataDir = dataDir;
        this.launcher = launcher;
        this.readiness = readiness;
        this.events = new ProcessEvents(events);
        this.balancing = new OutOfBalancing(readiness, service -> plan.checked(service));
        this.clock = clock;
        this.thread = thread;
        this.gates = new ReadinessGates(plan, readiness, this::statesOf);
    }

    /**
     * Follows a new set of services: a process whose definition is unchanged keeps
     * running untouched; a changed one is stopped and its successor starts once it
     * has gone; a removed one is stopped.
     */
    public void configure(Collection<ServiceConfig> all) {
        plan = ProcessPlan.of(dataDir, all);
        gates = new ReadinessGates(plan, readiness, this::statesOf);
        Map<String, ProcessMachine> next = new LinkedHashMap<>();
        for (PlannedProcess planned : plan.processes()) {
            ProcessMachine old = processes.remove(planned.key());
            if (old != null && old.planned().equals(planned)) {
                next.put(planned.key(), old);
                continue;
            }
            if (old != null) {
                retire(old, "its process settings changed");
            }
            ProcessMachine fresh = new ProcessMachine(planned);
            if (running && planned.config().autostart()) {
                fresh.want();
            }
            next.put(planned.key(), fresh);
        }
        processes.values().forEach(old -> retire(old, "its service left the config"));
        processes = next;
        tick();
    }

    private void retire(ProcessMachine p, String why) {
        p.unwanted(why);
        if (p.state().alive()) {
            retiring.add(p);
        }
    }

    /** Orchestration starts: every process with autostart is wanted, and a FAILED one gets a fresh start. */
    public void startAll() {
        running = true;
        processes.values().stream()
                .filter(p -> p.planned().config().autostart())
                .forEach(ProcessMachine::want);
        tick();
    }

    /** Orchestration stops: every process is stopped, dependents before what they depend on. */
    public void stopAll(String why) {
        running = false;
        processes.values().stream().filter(ProcessMachine::wanted).forEach(p -> p.unwanted(why));
        tick();
    }

    /** An operator starts a service, and the services it depends on that are not running. */
    public void start(String service) {
        List<ProcessMachine> own = own(service);
        for (String dep : plan.allDependencies(service)) {
            processesOf(dep).stream().filter(p -> !p.wanted()).forEach(ProcessMachine::want);
        }
        own.forEach(ProcessMachine::want);
        tick();
    }

    /** An operator stops a service; what depends on it keeps running. */
    public void stop(String service) {
        for (ProcessMachine p : own(service)) {
            p.unwanted("stopped by an operator");
            if (p.state() == FAILED) {
                p.cleared();
            }
        }
        tick();
    }

    /** An operator restarts a service: a running process is stopped and launched again, not counted as a failure. */
    public void restart(String service) {
        Instant now = clock.instant();
        own(service).forEach(p -> p.restartRequested("restarted by an operator", now));
        tick();
    }

    private List<ProcessMachine> own(String service) {
        if (!plan.has(service)) {
            throw new NoSuchElementException("no service '" + service + "'");
        }
        List<ProcessMachine> own = processesOf(service);
        if (own.isEmpty()) {
            throw new IllegalArgumentException("service '" + service
                    + "' has no process: Baton does not launch it (give it a process: in the config)");
        }
        return own;
    }

    private List<ProcessMachine> processesOf(String service) {
        return processes.values().stream()
                .filter(p -> p.service().equals(service))
                .toList();
    }

    private List<ProcessState> statesOf(String service) {
        return processesOf(service).stream().map(ProcessMachine::state).toList();
    }

    /** Whether no program is running or stopping. */
    public boolean idle() {
        return processes.values().stream().noneMatch(p -> p.state().alive())
                && retiring.stream().noneMatch(p -> p.state().alive());
    }

    /** Every process by service, in start order. */
    public Map<String, List<ProcessStatus>> statuses() {
        Map<String, List<ProcessStatus>> out = new LinkedHashMap<>();
        for (ProcessMachine p : processes.values()) {
            out.computeIfAbsent(p.service(), k -> new ArrayList<>()).add(p.status());
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return out;
    }

    /** One step: stops that are due (in reverse start order), then launches and health verdicts, in start order. */
    public void tick() {
        Instant now = clock.instant();
        for (ProcessMachine r : retiring) {
            if (r.state() == STARTING || r.state() == RUNNING) {
                r.stopRequested(now);
            }
            killIfOverdue(r, now);
        }
        retiring.removeIf(r -> !r.state().alive());

        List<ProcessMachine> stopOrder = new ArrayList<>(processes.values());
        Collections.reverse(stopOrder);
        for (ProcessMachine p : stopOrder) {
            if (!p.wanted()) {
                if ((p.state() == STARTING || p.state() == RUNNING) && dependentsDown(p.service())) {
                    p.stopRequested(now);
                }
                killIfOverdue(p, now);
            }
        }

        for (ProcessMachine p : processes.values()) {
            switch (p.state()) {
                case STOPPED -> {
                    if (!p.wanted()) {
                        p.waiting(List.of());
                    } else if (!replacing(p)) {
                        List<String> blockers = gates.blockers(p.service());
                        p.waiting(blockers);
                        if (blockers.isEmpty()) {
                            launch(p, now);
                        }
                    }
                }
                case STARTING -> {
                    Duration up = p.upFor(now);
                    if (gates.ready(p.planned(), up)) {
                        p.becameReady(now);
                    } else if (up.compareTo(p.planned().config().startTimeout()) >= 0) {
                        p.startTimedOut(now);
                    }
                }
                case RUNNING -> {
                    if (p.planned().config().restartOnUnhealthy() && gates.unhealthy(p.planned())) {
                        p.turnedUnhealthy(now);
                    } else {
                        p.keptRunning(now);
                    }
                }
                case BACKOFF -> {
                    if (p.wanted() && p.restartDue(now)) {
                        launch(p, now);
                    }
                }
                case STOPPING -> killIfOverdue(p, now);
                case FAILED -> {}
            }
            balancing.unlessRunning(p);
        }
    }

    private static void killIfOverdue(ProcessMachine p, Instant now) {
        if (p.overdue(now)) {
            p.killedAfterGrace(now);
        }
    }

    /** Whether a retired process of the same name still runs: its successor waits for its port. */
    private boolean replacing(ProcessMachine p) {
        return retiring.stream()
                .anyMatch(r ->
                        r.planned().key().equals(p.planned().key()) && r.state().alive());
    }

    /** Whether everything that depends on {@code service} and is being stopped has stopped. */
    private boolean dependentsDown(String service) {
        return plan.allDependents(service).stream()
                .flatMap(d -> processesOf(d).stream())
                .noneMatch(q -> !q.wanted() && q.state().alive());
    }

    private void launch(ProcessMachine p, Instant now) {
        balancing.starting(p);
        Launcher.Spec spec = p.planned().spec();
        Launcher.Child child;
        try {
            child = launcher.launch(spec);
        } catch (IOException | RuntimeException e) {
            String why = "cannot start " + spec.command().get(0) + ": " + e.getMessage();
            log.error("{}: {}", p, why);
            p.launchFailed(why, now);
            announceIfFailed(p);
            return;
        }
        Optional<String> restart = p.launched(child, now);
        if (restart.isPresent()) {
            log.info("{} restarted (pid {}) after: {}", p, p.pid(), restart.get());
        } else {
            log.info("{} started (pid {}): {}", p, p.pid(), String.join(" ", spec.command()));
        }
        events.launched(p, restart);
        child.exit().whenComplete((code, err) -> thread.execute(() -> exited(p, child, code == null ? -1 : code)));
    }

    /** A program ended, asked to or not. */
    private void exited(ProcessMachine p, Launcher.Child child, int code) {
        if (!p.runs(child)) {
            return;
        }
        if (processes.get(p.planned().key()) == p) {
            balancing.exited(p, code);
        }
        p.exited(code, clock.instant());
        announceIfFailed(p);
        tick();
    }

    /** After a failure: a process the restart policy gave up is logged and published with what it holds back. */
    private void announceIfFailed(ProcessMachine p) {
        if (p.state() != FAILED) {
            return;
        }
        List<String> blocked = plan.launchedDependents(p.service());
        log.error("{} FAILED: {}{}", p, p.status().reason().orElse(""), blocked.isEmpty() ? "" : "; blocks " + blocked);
        events.gaveUp(p, blocked);
    }

    /** The longest stop-grace of any process: how long a full stop may take. */
    public Duration longestStopGrace() {
        return processes.values().stream()
                .map(p -> p.planned().config().stopGrace())
                .max(Duration::compareTo)
                .orElse(Duration.ZERO);
    }
}
