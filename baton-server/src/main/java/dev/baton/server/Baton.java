package dev.baton.server;

import dev.baton.admin.AdminApi;
import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.control.ControlPlane;
import dev.baton.control.ServiceTarget;
import dev.baton.events.EventBus;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.security.SecurityViolations;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.supervisor.Supervisor;
import dev.baton.telemetry.Alerts;
import dev.baton.telemetry.Stats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable Baton gateway: build one from a config file or a {@link Config},
 * {@link #start()} it, and {@link #stop()} it. The {@code baton} command is a thin
 * shell around this class.
 *
 * <pre>{@code
 * try (Baton baton = Baton.builder().configFile(Path.of("baton.yaml")).build().start()) {
 *     System.out.println("proxy on port " + baton.proxyPort());
 *     ...
 * }
 * }</pre>
 *
 * <p>Behind it: {@code Base} holds what lives from build to close (the event bus,
 * telemetry, the control plane), {@code Wiring} builds and starts one run's
 * components in order, {@code Reloads} turns a config file into a new snapshot,
 * and {@code Orchestration} runs health checks and processes.
 */
public final class Baton implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Baton.class);
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Optional<Path> configFile;
    private final ConfigLoader loader;
    private final boolean watch;
    private final Base base;
    private final Reloads reloads;
    // The run between start and stop; empty while stopped.
    private volatile Optional<Wiring> running = Optional.empty();

    private Baton(Builder b) {
        this.configFile = Optional.ofNullable(b.configFile);
        this.loader = new ConfigLoader(b.env);
        this.watch = b.watch && b.configFile != null;
        Config initial =
                b.config != null ? b.config : loader.load(configFile.orElseThrow()); // build checks one is given
        this.base = Base.build(initial, configFile);
        this.reloads = new Reloads(configFile, loader, base.plane(), base.events(), this, base.clock());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the proxy and admin listeners; throws {@link BatonException} if either cannot. */
    public synchronized Baton start() {
        if (running.isPresent()) {
            throw new IllegalStateException("already started");
        }
        Config config = config();
        Wiring wiring = new Wiring(
                base,
                config,
                loader,
                run -> new AdminBackend(this, reloads, run),
                watch ? configFile : Optional.empty(),
                reloads::fileChanged);
        running = Optional.of(wiring);
        config.warnings().forEach(w -> log.warn("{}", w.asWarning()));
        log.info(
                "Baton listening: proxy {}:{}, admin {}:{}",
                config.server().listen().host(),
                wiring.proxy().port(),
                config.server().admin().host(),
                wiring.admin().port());
        return this;
    }

    /**
     * Stops accepting connections, waits for requests in flight up to
     * {@code server.shutdown-grace}, then releases everything.
     */
    public synchronized void stop() {
        running.ifPresent(Wiring::close);
        running = Optional.empty();
    }

    /** Stops, and ends the event bus's subscriber threads: for good, unlike {@link #stop()}. */
    @Override
    public void close() {
        stop();
        for (RuntimeException e : base.own().close()) {
            log.warn("closing did not finish cleanly: {}", e.getMessage());
        }
    }

    /** Re-reads the config file and swaps it in; throws {@link ConfigException} and keeps the old one if invalid. */
    public void reload() {
        reloads.reload();
    }

    /**
     * Swaps in a new config and publishes {@code CONFIG_RELOADED} (with {@code
     * source: "api"}), as a reload of the file does. Requests in flight finish on the
     * snapshot they started with.
     */
    public void apply(Config config) {
        reloads.applyAndPublish(config);
    }

    /**
     * Stops or resumes orchestration (the admin API's {@code POST /orchestrator/stop|start}):
     * while stopped, health checks pause and routed requests get 503; the admin API
     * keeps answering. Returns false when it already was in that state.
     */
    public synchronized boolean orchestrate(boolean run) {
        return run().orchestration().orchestrate(run);
    }

    /** Whether orchestration runs (see {@link #orchestrate}). */
    public boolean orchestrating() {
        return !base.plane().stopped();
    }

    /** The active config: the config file's, with services registered or discovered at run time layered in. */
    public Config config() {
        return base.plane().snapshot().config();
    }

    public int proxyPort() {
        return run().proxy().port();
    }

    public int adminPort() {
        return run().admin().port();
    }

    /** The admin API itself, for tests that hold its description to its routes. */
    AdminApi admin() {
        return run().admin();
    }

    /** Security refusals, counted on the proxy's counters so that one metric covers both listeners. */
    SecurityViolations violations() {
        return run().proxy().violations();
    }

    /** The version the build wrote into {@code version.properties} (the pom's), or "dev" without one. */
    public static String version() {
        try (java.io.InputStream in = Baton.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version", "");
                if (!v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (java.io.IOException e) {
            // unreadable: fall through
        }
        return "dev";
    }

    ControlPlane plane() {
        return base.plane();
    }

    Alerts alerts() {
        return base.alerts();
    }

    Stats stats() {
        return base.stats();
    }

    /** The processes Baton launches, while started. */
    Supervisor supervisor() {
        return run().supervisor();
    }

    String scrapeMetrics() {
        return base.metrics().scrape();
    }

    /**
     * Waits until every instance of every service is available (up by its health
     * check, not ejected) and every process Baton launches for it is RUNNING, or {@code timeout} has passed; returns the ids of the
     * services still short of an instance, empty once all are ready. For a banner
     * or a deploy script: a request made after it finds every instance up. Woken
     * by the health and process events, and looks again every 200 ms besides: an
     * event may be published a moment before the state it announces is visible.
     */
    public List<String> awaitReady(Duration timeout) {
        Semaphore changed = new Semaphore(0);
        EventFilter health = EventFilter.of(
                EventType.SERVICE_HEALTH_CHANGED,
                EventType.SERVICE_STARTED,
                EventType.SERVICE_RESTARTED,
                EventType.SERVICE_REGISTERED,
                EventType.CONFIG_RELOADED);
        EventBus.Subscription woken = base.events().subscribeSync("await-ready", health, -1, e -> changed.release());
        try {
            long deadline = base.ticker().nanos() + timeout.toNanos();
            while (true) {
                List<String> waiting = notReady();
                long left = deadline - base.ticker().nanos();
                if (waiting.isEmpty() || left <= 0) {
                    return waiting;
                }
                changed.tryAcquire(Math.min(left, RECHECK_NANOS), TimeUnit.NANOSECONDS);
                changed.drainPermits();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return notReady();
        } finally {
            woken.close();
        }
    }

    private List<String> notReady() {
        // A process's checks can pass a moment before the supervisor calls it RUNNING.
        Map<String, List<ProcessStatus>> processes =
                running.map(w -> w.supervisor().processes()).orElse(Map.of());
        return base.plane().snapshot().services().values().stream()
                .filter(t -> t.instances().isEmpty()
                        || !t.instances().stream().allMatch(u -> u.endpoint().available())
                        || !processes.getOrDefault(t.id(), List.of()).stream()
                                .allMatch(p -> p.state() == ProcessState.RUNNING))
                .map(ServiceTarget::id)
                .sorted()
                .toList();
    }

    /**
     * The sagas: start one ({@code sagas().start("place-order", input)}), read,
     * cancel, retry or skip them. Only while the gateway runs.
     */
    public dev.baton.saga.Sagas sagas() {
        return run().sagas();
    }

    /**
     * The queues and topics: publish ({@code queues().publish("jobs",
     * List.of(Message.of(job)))}), receive, acknowledge, or hand a queue's messages to
     * a callback ({@code queues().consume("jobs", 4, delivery -> ...)}). Only while
     * the gateway runs.
     */
    public dev.baton.queue.Queues queues() {
        return run().queues();
    }

    /** The lifecycle event bus: subscribe to follow health changes and reloads. */
    public EventBus events() {
        return base.events();
    }

    /** Configs applied since start, by file change or {@link #apply}. */
    public long reloadCount() {
        return reloads.applied();
    }

    /** Changed config files that were invalid and so not applied. */
    public long rejectedReloadCount() {
        return reloads.rejected();
    }

    private Wiring run() {
        return running.orElseThrow(() -> new IllegalStateException("not started"));
    }

    /** Builds a {@link Baton}; give either a config file (watched for changes) or a {@link Config}. */
    public static final class Builder {
        private @Nullable Path configFile;
        private @Nullable Config config;
        private Map<String, String> env = System.getenv();
        private boolean watch = true;

        public Builder configFile(Path file) {
            this.configFile = Objects.requireNonNull(file);
            return this;
        }

        public Builder config(Config config) {
            this.config = Objects.requireNonNull(config);
            return this;
        }

        /** Variables for {@code ${VAR}} expansion; the process environment by default. */
        public Builder env(Map<String, String> env) {
            this.env = Map.copyOf(env);
            return this;
        }

        /** Whether to reload when the config file changes; on by default. */
        public Builder watch(boolean watch) {
            this.watch = watch;
            return this;
        }

        /** Loads and validates the config; throws {@link ConfigException} listing every error. */
        public Baton build() {
            if (configFile == null && config == null) {
                throw new IllegalStateException("give configFile(...) or config(...)");
            }
            return new Baton(this);
        }
    }
}
