package dev.baton.control;

import dev.baton.config.Config;
import dev.baton.events.EventSink;
import dev.baton.health.HealthStatus;
import dev.baton.registry.Registry;
import dev.baton.supervisor.Readiness;
import dev.baton.time.Ticker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every source of services meets: the config file as last
 * loaded, the run-time registry, whether orchestration is stopped, and the health
 * checker. {@link #rebuild} merges them into a new snapshot and swaps the one
 * reference the data plane reads, then lets its followers (metrics) and the health
 * checks follow it.
 */
public final class ControlPlane {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    private volatile Snapshot snapshot; // swapped whole by rebuild, under lock
    private final Registry registry;
    private final Clock clock;
    private final Ticker ticker;
    private final EventSink events;
    private final Consumer<Snapshot> followers;
    // Its own lock, not an owner's: registrations call rebuild while holding
    // RuntimeServices' lock, and Baton.stop holds Baton's while closing RuntimeServices.
    private final Object lock = new Object();
    private volatile Config fileConfig;
    private volatile boolean stopped;
    private volatile @Nullable HealthChecker checker; // null while stopped or before start
    private volatile Map<String, String> idleRoutes = Map.of();

    /**
     * Compiles the first snapshot; IllegalArgumentException when a file the config
     * names does not load. {@code clock} is what registrations' leases, breakers and
     * JWKS refreshes tell time by; {@code ticker} times ejections, local rate limits,
     * fallback caches and HMAC replay memories (see {@link Snapshot#compile}).
     */
    public ControlPlane(Config initial, EventSink events, Consumer<Snapshot> followers, Clock clock, Ticker ticker) {
        this.clock = clock;
        this.ticker = ticker;
        this.registry = new Registry(clock);
        this.events = events;
        this.followers = followers;
        this.fileConfig = initial;
        this.snapshot = Snapshot.compile(initial, null, Registry.sourcesOf(initial), events, clock, ticker);
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** What the data plane reads, lock-free. */
    public Supplier<Snapshot> snapshots() {
        return () -> snapshot;
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
            Map<String, String> before = idleRoutes;
            merged.idle().forEach((id, why) -> {
                if (!why.equals(before.get(id))) {
                    log.warn("run-time route '{}' is not served: {}", id, why);
                }
            });
            idleRoutes = merged.idle();
            Snapshot next = Snapshot.compile(merged.config(), snapshot, merged.sources(), events, clock, ticker)
                    .stopped(stopped);
            snapshot = next;
            followers.accept(next);
            HealthChecker c = checker;
            if (c != null) {
                c.sync(next);
            }
        }
    }

    /** Starts checking with {@code c} (null: checks stop), and stops or resumes proxying; then rebuilds. */
    public void orchestration(boolean run, @Nullable HealthChecker c) {
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

    /** Run-time routes the config file now makes impossible, by id, each with why (see {@link Registry.Merged}). */
    public Map<String, String> idleRoutes() {
        return idleRoutes;
    }

    /**
     * An instance's health: its active checks' verdict when it has them; without
     * them, UNHEALTHY while outlier detection has it ejected, else UNKNOWN.
     */
    public HealthStatus health(Upstream u) {
        HealthChecker c = checker;
        HealthStatus checked = c == null ? HealthStatus.UNKNOWN : c.status(u);
        if (checked != HealthStatus.UNKNOWN) {
            return checked;
        }
        return u.endpoint().ejected() ? HealthStatus.UNHEALTHY : HealthStatus.UNKNOWN;
    }

    /** The instance's last few active checks, newest first; empty without active checks. */
    public List<HealthChecker.RecentCheck> recentChecks(Upstream u) {
        HealthChecker c = checker;
        return c == null ? List.of() : c.recentChecks(u);
    }

    /**
     * What the supervisor reads and asks of health checking: active checks' verdicts
     * only (an ejection is no reason to restart), and instances taken out of
     * balancing when their process ends or starts.
     */
    public Readiness readiness() {
        return new Readiness() {
            @Override
            public HealthStatus health(String service, Optional<String> instance) {
                HealthChecker c = checker;
                ServiceTarget s = snapshot().services().get(service);
                if (c == null || s == null) {
                    return HealthStatus.UNKNOWN;
                }
                List<HealthStatus> all = new ArrayList<>();
                for (Upstream u : s.instances()) {
                    if (instance.isEmpty() || instance.get().equals(u.id())) {
                        all.add(c.status(u));
                    }
                }
                return all.isEmpty() ? HealthStatus.UNKNOWN : HealthStatus.ofService(all);
            }

            @Override
            public void down(String service, Optional<String> instance, String reason) {
                HealthChecker c = checker;
                ServiceTarget s = snapshot().services().get(service);
                if (c == null || s == null) {
                    return;
                }
                for (Upstream u : s.instances()) {
                    if (instance.isEmpty() || instance.get().equals(u.id())) {
                        c.down(u, reason);
                    }
                }
            }
        };
    }

    /** A service's health from its instances' (see {@link HealthStatus#ofService}). */
    public HealthStatus health(ServiceTarget s) {
        List<HealthStatus> all = new ArrayList<>(s.instances().size());
        for (Upstream u : s.instances()) {
            all.add(health(u));
        }
        return HealthStatus.ofService(all);
    }
}
