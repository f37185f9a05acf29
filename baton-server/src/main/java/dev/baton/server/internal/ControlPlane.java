package dev.baton.server.internal;

import dev.baton.config.Config;
import dev.baton.events.EventBus;
import dev.baton.proxy.HealthChecker;
import dev.baton.proxy.Snapshot;
import dev.baton.registry.Registry;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Where every source of services meets (DESIGN's picture): the config file as last
 * loaded, the run-time registry, whether orchestration is stopped, and the health
 * checker. {@link #rebuild} merges them into a new snapshot and swaps the one
 * reference the data plane reads, then lets metrics and health checks follow it.
 */
public final class ControlPlane {
    private final AtomicReference<Snapshot> snapshot;
    private final Registry registry = new Registry(Clock.systemUTC());
    private final EventBus events;
    private final ResilienceMetrics metrics;
    // Its own lock, not an owner's: registrations call rebuild while holding
    // RuntimeServices' lock, and Baton.stop holds Baton's while closing RuntimeServices.
    private final Object lock = new Object();
    private volatile Config fileConfig;
    private volatile boolean stopped;
    private volatile HealthChecker checker;

    /** Compiles the first snapshot; IllegalArgumentException when a file the config names does not load. */
    public ControlPlane(Config initial, EventBus events, ResilienceMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
        this.fileConfig = initial;
        this.snapshot =
                new AtomicReference<>(Snapshot.compile(initial, null, Registry.sourcesOf(initial), events::publish));
    }

    public Snapshot snapshot() {
        return snapshot.get();
    }

    /** What the data plane reads, lock-free. */
    public Supplier<Snapshot> snapshots() {
        return snapshot::get;
    }

    public Registry registry() {
        return registry;
    }

    public Config fileConfig() {
        return fileConfig;
    }

    /** Swaps in a new config file's content. */
    public void apply(Config config) {
        synchronized (lock) {
            fileConfig = config;
            rebuild();
        }
    }

    /** Merges the config file with run-time services into a new snapshot and swaps it in. */
    public void rebuild() {
        synchronized (lock) {
            Registry.Merged merged = registry.merge(fileConfig);
            Snapshot next = Snapshot.compile(merged.config(), snapshot.get(), merged.sources(), events::publish)
                    .stopped(stopped);
            snapshot.set(next);
            metrics.bind(next);
            HealthChecker c = checker;
            if (c != null) {
                c.sync(next);
            }
        }
    }

    /** Starts checking with {@code c} (null: checks stop), and stops or resumes proxying; then rebuilds. */
    public void orchestration(boolean run, HealthChecker c) {
        synchronized (lock) {
            HealthChecker old = checker;
            if (old != null && old != c) {
                old.close();
            }
            stopped = !run;
            checker = c;
            rebuild();
        }
    }

    public boolean stopped() {
        return stopped;
    }

    /** The active checker, or null while stopped or before start. */
    public HealthChecker checker() {
        return checker;
    }
}
