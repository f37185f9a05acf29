package dev.baton.supervisor.internal;

import dev.baton.config.DependencyGraph;
import dev.baton.config.Durations;
import dev.baton.config.ProcessConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.Launcher;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervisor's state machine: which processes should run, launching them once
 * their dependencies are ready, restarting them by their policy, and stopping them
 * dependents first. Driven by {@link #tick} and by exits; not thread-safe, so the
 * {@code thread} it is given runs everything, exits included. Time comes only from
 * the clock, so tests drive it with a fake one and a pretend launcher.
 */
public final class Supervision {
    private static final Logger log = LoggerFactory.getLogger(Supervision.class);

    private final Path dataDir;
    private final Launcher launcher;
    private final dev.baton.supervisor.Readiness readiness;
    private final EventSink events;
    private final Clock clock;
    private final Executor thread;

    private Map<String, ServiceConfig> services = Map.of();
    private DependencyGraph graph = DependencyGraph.of(List.of());
    /** By {@link Supervised#key()}, in start order. */
    private Map<String, Supervised> processes = new LinkedHashMap<>();
    /** Processes that left the config (or changed) and are being stopped. */
    private final List<Supervised> retiring = new ArrayList<>();
    /** Whether orchestration runs: processes with autostart are wanted. */
    private boolean running;

    public Supervision(
            Path dataDir,
            Launcher launcher,
            dev.baton.supervisor.Readiness readiness,
            EventSink events,
            Clock clock,
            Executor thread) {
        this.dataDir = dataDir;
        this.launcher = launcher;
        this.readiness = readiness;
        this.events = events;
        this.clock = clock;
        this.thread = thread;
    }

    /**
     * Follows a new set of services: a process whose definition is unchanged keeps
     * running untouched; a changed one is stopped and its successor starts once it
     * has gone; a removed one is stopped.
     */
    public void configure(Collection<ServiceConfig> all) {
        services = new HashMap<>();
        all.forEach(s -> services.put(s.id(), s));
        graph = DependencyGraph.of(all);
        Map<String, Supervised> next = new LinkedHashMap<>();
        for (List<String> wave : graph.levels()) {
            for (String id : wave) {
                ServiceConfig s = services.get(id);
                if (s.process().isEmpty()) {
                    continue;
                }
                ProcessConfig p = s.process().get();
                List<ServiceConfig.Instance> targets =
                        p.perInstance() ? s.instances() : List.of(s.instances().get(0));
                for (ServiceConfig.Instance target : targets) {
                    Optional<String> instance = p.perInstance() ? Optional.of(target.id()) : Optional.empty();
                    Launcher.Spec spec = Specs.of(dataDir, s, p, target, instance);
                    String key = s.id() + "/" + instance.orElse(s.id());
                    Supervised old = processes.remove(key);
                    if (old != null && old.sameAs(p, spec)) {
                        next.put(key, old);
                        continue;
                    }
                    if (old != null) {
                        retire(old, "its process settings changed");
                    }
                    Supervised fresh = new Supervised(s.id(), instance, p, spec);
                    fresh.wanted = running && p.autostart();
                    next.put(key, fresh);
                }
            }
        }
        processes.values().forEach(old -> retire(old, "its service left the config"));
        processes = next;
        tick();
    }

    private void retire(Supervised p, String why) {
        p.wanted = false;
        if (p.state.alive() || p.state == ProcessState.BACKOFF) {
            p.reason = why;
            retiring.add(p);
        }
    }

    /** Orchestration starts: every process with autostart is wanted, and a FAILED one gets a fresh start. */
    public void startAll() {
        running = true;
        for (Supervised p : processes.values()) {
            if (p.config.autostart()) {
                want(p);
            }
        }
        tick();
    }

    /** Orchestration stops: every process is stopped, dependents before what they depend on. */
    public void stopAll(String why) {
        running = false;
        for (Supervised p : processes.values()) {
            if (p.wanted) {
                p.wanted = false;
                p.reason = why;
            }
        }
        tick();
    }

    /** An operator starts a service, and the services it depends on that are not running. */
    public void start(String service) {
        List<Supervised> own = own(service);
        for (String dep : graph.allDependencies(service)) {
            processesOf(dep).stream().filter(p -> !p.wanted).forEach(this::want);
        }
        own.forEach(this::want);
        tick();
    }

    /** An operator stops a service; what depends on it keeps running. */
    public void stop(String service) {
        for (Supervised p : own(service)) {
            p.wanted = false;
            p.reason = "stopped by an operator";
            if (!p.state.alive()) {
                p.state = ProcessState.STOPPED;
            }
        }
        tick();
    }

    /** An operator restarts a service: a running process is stopped and launched again, not counted as a failure. */
    public void restart(String service) {
        Instant now = clock.instant();
        for (Supervised p : own(service)) {
            p.wanted = true;
            switch (p.state) {
                case STARTING, RUNNING -> terminate(p, now, Supervised.After.RELAUNCH, "restarted by an operator");
                case STOPPING -> p.after = Supervised.After.RELAUNCH;
                case BACKOFF -> {
                    p.nextStartAt = now;
                    p.restartReason = "restarted by an operator";
                }
                case STOPPED, FAILED -> want(p);
            }
        }
        tick();
    }

    private List<Supervised> own(String service) {
        if (!services.containsKey(service)) {
            throw new NoSuchElementException("no service '" + service + "'");
        }
        List<Supervised> own = processesOf(service);
        if (own.isEmpty()) {
            throw new IllegalArgumentException("service '" + service
                    + "' has no process: Baton does not launch it (give it a process: in the config)");
        }
        return own;
    }

    private void want(Supervised p) {
        p.wanted = true;
        if (p.state == ProcessState.FAILED || p.state == ProcessState.STOPPED) {
            p.state = ProcessState.STOPPED;
            p.failures = 0;
            p.recent.clear();
        }
    }

    private List<Supervised> processesOf(String service) {
        return processes.values().stream()
                .filter(p -> p.service.equals(service))
                .toList();
    }

    /** Whether no program is running or stopping. */
    public boolean idle() {
        return processes.values().stream().noneMatch(p -> p.state.alive())
                && retiring.stream().noneMatch(p -> p.state.alive());
    }

    /** Every process by service, in start order. */
    public Map<String, List<ProcessStatus>> statuses() {
        Map<String, List<ProcessStatus>> out = new LinkedHashMap<>();
        for (Supervised p : processes.values()) {
            out.computeIfAbsent(p.service, k -> new ArrayList<>()).add(p.status());
        }
        out.replaceAll((k, v) -> List.copyOf(v));
        return out;
    }

    /** One step: stops that are due, then launches and health verdicts, in start order. */
    public void tick() {
        Instant now = clock.instant();
        for (Supervised r : retiring) {
            if (r.state == ProcessState.STARTING || r.state == ProcessState.RUNNING) {
                terminate(r, now, Supervised.After.STOP, r.reason);
            } else if (r.state == ProcessState.BACKOFF) {
                r.state = ProcessState.STOPPED;
            }
            overdue(r, now);
        }
        retiring.removeIf(r -> !r.state.alive());

        List<Supervised> stopOrder = new ArrayList<>(processes.values());
        java.util.Collections.reverse(stopOrder);
        for (Supervised p : stopOrder) {
            if (p.wanted) {
                continue;
            }
            if (p.state == ProcessState.BACKOFF) {
                p.state = ProcessState.STOPPED;
            } else if ((p.state == ProcessState.STARTING || p.state == ProcessState.RUNNING)
                    && dependentsDown(p.service)) {
                terminate(p, now, Supervised.After.STOP, p.reason);
            }
            overdue(p, now);
        }

        for (Supervised p : processes.values()) {
            switch (p.state) {
                case STOPPED -> {
                    if (!p.wanted) {
                        p.blockedBy = List.of();
                    } else if (!replacing(p)) {
                        p.blockedBy = blockers(p.service);
                        if (p.blockedBy.isEmpty()) {
                            launch(p, now);
                        }
                    }
                }
                case STARTING -> {
                    if (ready(p, now)) {
                        p.state = ProcessState.RUNNING;
                        p.readyAt = now;
                        p.child.ready();
                        p.reason = null;
                        log.info("{} is running (pid {})", p, p.pid);
                    } else if (!now.isBefore(p.startedAt.plus(p.config.startTimeout()))) {
                        terminate(
                                p,
                                now,
                                Supervised.After.FAIL,
                                "not ready within start-timeout (" + Durations.format(p.config.startTimeout()) + ")");
                    }
                }
                case RUNNING -> {
                    if (p.config.restartOnUnhealthy()
                            && checked(p.service)
                            && readiness.health(p.service, p.instance) == HealthStatus.UNHEALTHY) {
                        terminate(p, now, Supervised.After.FAIL, "unhealthy: its health checks failed while it ran");
                    } else if (p.failures > 0 && !now.isBefore(p.readyAt.plus(p.config.stableAfter()))) {
                        p.failures = 0; // a stable run: the next failure starts the backoff again
                    }
                }
                case BACKOFF -> {
                    if (p.wanted && !now.isBefore(p.nextStartAt)) {
                        launch(p, now);
                    }
                }
                case STOPPING -> overdue(p, now);
                case FAILED -> {}
            }
            outOfBalancing(p);
        }
    }

    /**
     * No traffic to the instances of a process that is not running: without this, a
     * process that has not started yet (waiting for its dependencies, or not
     * autostarted) would be UNKNOWN to the checker, and UNKNOWN takes traffic.
     */
    private void outOfBalancing(Supervised p) {
        if (p.state.alive() || !checked(p.service)) {
            return;
        }
        if (readiness.health(p.service, p.instance) != HealthStatus.UNHEALTHY) {
            String why = p.state == ProcessState.STOPPED && !p.blockedBy.isEmpty()
                    ? "its process waits for " + String.join(", ", p.blockedBy)
                    : "its process is " + p.state.name().toLowerCase(java.util.Locale.ROOT);
            readiness.down(p.service, p.instance, why);
        }
    }

    /** Whether a retired process of the same name still runs: its successor waits for its port. */
    private boolean replacing(Supervised p) {
        return retiring.stream().anyMatch(r -> r.key().equals(p.key()) && r.state.alive());
    }

    /** Whether everything that depends on {@code service} and is being stopped has stopped. */
    private boolean dependentsDown(String service) {
        for (String d : graph.allDependents(service)) {
            for (Supervised q : processesOf(d)) {
                if (!q.wanted && q.state.alive()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The dependencies of {@code service} that are not ready yet. */
    private List<String> blockers(String service) {
        return graph.dependencies(service).stream()
                .filter(d -> !serviceReady(d))
                .toList();
    }

    /** A dependency is ready when all its processes run (and pass their checks), or, with none, when it is healthy. */
    private boolean serviceReady(String id) {
        List<Supervised> own = processesOf(id);
        if (!own.isEmpty()) {
            return own.stream().allMatch(q -> q.state == ProcessState.RUNNING);
        }
        return !checked(id) || good(readiness.health(id, Optional.empty()));
    }

    private boolean ready(Supervised p, Instant now) {
        return checked(p.service)
                ? good(readiness.health(p.service, p.instance))
                : !now.isBefore(p.startedAt.plus(p.config.minUptime()));
    }

    private static boolean good(HealthStatus h) {
        return h == HealthStatus.HEALTHY || h == HealthStatus.DEGRADED;
    }

    private boolean checked(String service) {
        ServiceConfig s = services.get(service);
        return s != null && s.healthCheck().isPresent();
    }

    private void launch(Supervised p, Instant now) {
        boolean restart = p.restartReason != null;
        if (checked(p.service)) {
            readiness.down(p.service, p.instance, "its process is starting");
        }
        Launcher.Child child;
        try {
            child = launcher.launch(p.spec);
        } catch (IOException | RuntimeException e) {
            String why = "cannot start " + p.spec.command().get(0) + ": " + e.getMessage();
            log.error("{}: {}", p, why);
            p.exitCode = null;
            failed(p, now, why);
            return;
        }
        p.child = child;
        p.pid = child.pid();
        p.state = ProcessState.STARTING;
        p.startedAt = now;
        p.readyAt = null;
        p.killed = false;
        p.after = Supervised.After.STOP;
        p.blockedBy = List.of();
        Map<String, Object> data = eventData(p);
        data.put("pid", p.pid);
        if (restart) {
            p.restarts++;
            lastEnd(p, data, p.restartReason);
            data.put("restarts", p.restarts);
            log.info("{} restarted (pid {}) after: {}", p, p.pid, p.restartReason);
            events.publish(EventType.SERVICE_RESTARTED, data);
        } else {
            log.info("{} started (pid {}): {}", p, p.pid, String.join(" ", p.spec.command()));
            events.publish(EventType.SERVICE_STARTED, data);
        }
        p.restartReason = null;
        child.exit().whenComplete((code, err) -> thread.execute(() -> exited(p, child, code == null ? -1 : code)));
    }

    /** A program ended, asked to or not. */
    void exited(Supervised p, Launcher.Child child, int code) {
        if (p.child != child) {
            return;
        }
        Instant now = clock.instant();
        p.child = null;
        p.exitCode = code;
        String how = RestartPolicy.describe(code);
        if (checked(p.service) && processes.get(p.key()) == p) {
            readiness.down(p.service, p.instance, "its process " + how);
        }
        if (p.state == ProcessState.STOPPING) {
            switch (p.after) {
                case STOP -> p.state = ProcessState.STOPPED;
                case RELAUNCH -> {
                    p.state = ProcessState.STOPPED;
                    p.restartReason = p.reason;
                }
                case FAIL -> failed(p, now, p.reason);
            }
            log.info("{} has stopped: it {}", p, how);
        } else if (!p.wanted) {
            p.state = ProcessState.STOPPED;
            p.reason = how;
        } else if (!RestartPolicy.restarts(p.config, code)) {
            log.warn(
                    "{} {}; not restarted (restart: {})",
                    p,
                    how,
                    p.config.restart().configName());
            p.state = ProcessState.STOPPED;
            p.wanted = false;
            p.reason = how + " (restart: " + p.config.restart().configName() + ")";
        } else {
            failed(p, now, how);
        }
        tick();
    }

    /** After a failure: back off and restart, or give up as FAILED (see {@link RestartPolicy}). */
    private void failed(Supervised p, Instant now, String why) {
        p.reason = why;
        if (!p.wanted) {
            p.state = ProcessState.STOPPED;
            return;
        }
        Optional<Duration> delay = RestartPolicy.next(p, now);
        if (delay.isEmpty()) {
            p.state = ProcessState.FAILED;
            p.restartReason = null;
            p.reason = RestartPolicy.gaveUp(p, why);
            List<String> blocked = graph.allDependents(p.service).stream()
                    .filter(d -> !processesOf(d).isEmpty())
                    .toList();
            log.error("{} FAILED: {}{}", p, p.reason, blocked.isEmpty() ? "" : "; blocks " + blocked);
            Map<String, Object> data = eventData(p);
            lastEnd(p, data, p.reason);
            data.put("restarts", p.restarts);
            data.put("blocked", blocked);
            events.publish(EventType.SERVICE_FAILED, data);
            return;
        }
        p.state = ProcessState.BACKOFF;
        p.nextStartAt = now.plus(delay.get());
        p.restartReason = why;
        log.warn("{} {}; restarting in {}", p, why, Durations.format(delay.get()));
    }

    /** What every process event says: which process. */
    private static Map<String, Object> eventData(Supervised p) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", p.service);
        data.put("process", p.id());
        return data;
    }

    /** Why it ended last: the reason, and the exit code when it exited. */
    private static void lastEnd(Supervised p, Map<String, Object> data, String reason) {
        data.put("reason", reason);
        if (p.exitCode != null) {
            data.put("exitCode", p.exitCode);
        }
    }

    private void terminate(Supervised p, Instant now, Supervised.After after, String why) {
        p.reason = why;
        if (p.child == null) {
            p.state = ProcessState.STOPPED;
            return;
        }
        p.state = ProcessState.STOPPING;
        p.after = after;
        p.stopDeadline = now.plus(p.config.stopGrace());
        p.killed = false;
        log.info("{} stopping (pid {}): {}", p, p.pid, why);
        p.child.terminate();
        overdue(p, now);
    }

    /** SIGKILL for a process still there after its stop-grace. */
    private static void overdue(Supervised p, Instant now) {
        if (p.state == ProcessState.STOPPING && !p.killed && p.child != null && !now.isBefore(p.stopDeadline)) {
            log.warn("{} did not stop within stop-grace ({}); killing it", p, Durations.format(p.config.stopGrace()));
            p.killed = true;
            p.child.kill();
        }
    }

    /** The longest stop-grace of any process: how long a full stop may take. */
    public Duration longestStopGrace() {
        Duration out = Duration.ZERO;
        for (Supervised p : processes.values()) {
            out = p.config.stopGrace().compareTo(out) > 0 ? p.config.stopGrace() : out;
        }
        return out;
    }
}
