package dev.baton.server;

import dev.baton.admin.AdminApi;
import dev.baton.admin.AuditLog;
import dev.baton.config.Config;
import dev.baton.config.ConfigError;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.control.ControlPlane;
import dev.baton.control.DataStore;
import dev.baton.control.HealthChecker;
import dev.baton.control.RuntimeServices;
import dev.baton.control.Snapshot;
import dev.baton.control.watch.CertificateWatch;
import dev.baton.control.watch.DiscoveryFiles;
import dev.baton.control.watch.FileWatcher;
import dev.baton.events.EventBus;
import dev.baton.events.EventType;
import dev.baton.proxy.ProxyServer;
import dev.baton.proxy.RequestObservers;
import dev.baton.proxy.UpstreamProbes;
import dev.baton.store.StoreException;
import dev.baton.supervisor.Supervisor;
import dev.baton.telemetry.AccessLog;
import dev.baton.telemetry.Alerts;
import dev.baton.telemetry.Metrics;
import dev.baton.telemetry.RequestEvents;
import dev.baton.telemetry.Stats;
import dev.baton.telemetry.Tracing;
import dev.baton.telemetry.Webhooks;
import dev.baton.time.Ticker;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
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
 */
public final class Baton implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Baton.class);
    /** How often leases are checked: an instance outlives its ttl by at most this. */
    private static final long LEASE_SWEEP_MILLIS = 500;

    private final Optional<Path> configFile;
    private final ConfigLoader loader;
    private final boolean watch;
    private final ControlPlane plane;
    private final AtomicLong reloads = new AtomicLong();
    private final AtomicLong rejections = new AtomicLong();
    private final Metrics metrics = new Metrics();
    private final EventBus events;
    private final AccessLog accessLog;
    // One for every start: the JDK's client cannot be closed, and each holds a thread.
    private final java.net.http.HttpClient webhookClient = Webhooks.client();
    private final RequestEvents requestEvents;
    // The one clock and the one ticker every component is given, decided in this one place.
    private final Clock clock = Clock.systemUTC();
    private final Ticker ticker = Ticker.system();
    private final Stats stats = new Stats(clock);
    private final Tracing tracing = new Tracing(version(), ticker);
    private final Alerts alerts;
    private Vertx vertx;
    private ProxyServer proxy;
    private AdminApi admin;
    private FileWatcher watcher;
    private RuntimeServices runtime;
    private AuditLog audit;
    private DiscoveryFiles discovery;
    private long leaseTimer = -1;
    private long alertTimer = -1;
    private CertificateWatch certificates;
    private DataStore data;
    private volatile Webhooks webhooks;
    private volatile Supervisor supervisor;

    private Baton(Builder b) {
        this.configFile = Optional.ofNullable(b.configFile);
        this.loader = new ConfigLoader(b.env);
        this.watch = b.watch && b.configFile != null;
        Config initial = b.config != null ? b.config : loader.load(b.configFile);
        this.events = new EventBus(clock, initial.observability().events().history(), metrics.events());
        metrics.countDiscoveries(events);
        metrics.countProcesses(events);
        this.accessLog = new AccessLog(initial.observability().accessLog(), ticker);
        this.requestEvents = new RequestEvents(events, initial.observability().events(), ticker);
        metrics.bind("access-log", accessLog.meters());
        metrics.bind("request-events", requestEvents.meters());
        metrics.bind("tracing", tracing.meters());
        tracing.configure(initial.observability().tracing());
        try {
            this.plane = new ControlPlane(initial, events, this::follow, clock, ticker);
        } catch (IllegalArgumentException e) {
            // Files the config names but that do not load (a TLS key, say): a config error like any other.
            String file = b.configFile == null ? "config" : b.configFile.toString();
            throw new ConfigException(List.of(new ConfigError(file, 1, "", e.getMessage())));
        }
        metrics.bindRegistry(plane::snapshot, plane::health);
        alerts = new Alerts(stats, plane::snapshot, plane::health, events, clock);
        alerts.configure(initial.observability().alerts());
    }

    /** What follows each new snapshot besides the data plane. */
    private void follow(Snapshot next) {
        metrics.bind(next);
        accessLog.configure(next.config().observability().accessLog());
        requestEvents.configure(next.config().observability().events());
        stats.enabled(next.config().observability().stats());
        tracing.configure(next.config().observability().tracing());
        if (alerts != null) {
            alerts.configure(next.config().observability().alerts());
        }
        stats.retain(
                next.services().keySet(),
                next.routeTargets().stream().map(r -> r.id()).collect(java.util.stream.Collectors.toSet()));
        Webhooks w = webhooks;
        if (w != null) {
            w.configure(next.config().observability().events().webhooks());
        }
        Supervisor s = supervisor;
        if (s != null) {
            s.configure(next.config().services().values());
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Binds the proxy and admin listeners; throws {@link BatonException} if either cannot. */
    public synchronized Baton start() {
        if (vertx != null) {
            throw new IllegalStateException("already started");
        }
        Config config = config();
        int loops = config.server().eventLoops() > 0
                ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        vertx = Vertx.builder()
                .with(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true))
                .build();
        if (!vertx.isNativeTransportEnabled()) {
            log.info("native epoll transport unavailable, using NIO: {}", vertx.unavailableNativeTransportCause());
        }
        // What has been started so far, closed in reverse when a later step fails: a
        // failed start must leave no thread, file lock or store behind (a second
        // start in the same JVM must succeed).
        Deque<Runnable> undo = new ArrayDeque<>();
        undo.push(this::closeVertx);
        try {
            proxy = new ProxyServer(
                    vertx,
                    plane.snapshots(),
                    config.server().listen(),
                    loops,
                    config.server().shutdownGrace(),
                    RequestObservers.of(metrics.requests(), stats, accessLog, tracing, requestEvents),
                    ticker,
                    clock);
            admin = new AdminApi(vertx, config.server().admin(), new AdminBackend(this), version(), clock);
            audit = new AuditLog(config.server().dataDir());
            data = new DataStore(config.server().dataDir());
            undo.push(data::close);
            webhooks = new Webhooks(events, data, webhookClient, clock, version());
            undo.push(webhooks::close); // undelivered events become dead letters: before the store closes
            webhooks.configure(config.observability().events().webhooks());
            metrics.bind("webhooks", webhooks.meters());
            try {
                // Also ends what a killed Baton left running: those hold the ports the new programs need.
                supervisor = Supervisor.open(config.server().dataDir(), plane.readiness(), events, clock);
            } catch (IllegalStateException e) {
                throw new BatonException(e.getMessage(), e);
            }
            undo.push(supervisor::close);
            metrics.bind("supervisor", supervisor.meters());
            runtime = new RuntimeServices(plane.registry(), data, plane::fileConfig, plane::rebuild, events, clock);
            undo.push(runtime::close);
            try {
                runtime.loadStored();
            } catch (StoreException e) {
                throw new BatonException(e.getMessage(), e);
            }
            plane.rebuild();
            await(
                    proxy.start().toCompletionStage().toCompletableFuture(),
                    "proxy",
                    config.server().listen().toString());
            await(
                    admin.start().toCompletionStage().toCompletableFuture(),
                    "admin",
                    config.server().admin().toString());
        } catch (RuntimeException e) {
            while (!undo.isEmpty()) {
                try {
                    undo.pop().run();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        metrics.bind("proxy", proxy.meters());
        metrics.bindViolations(proxy.violations());
        plane.orchestration(true, checker());
        supervisor.startAll();
        config.discovery().files().ifPresent(dir -> {
            discovery = new DiscoveryFiles(dir, loader, runtime::discovered);
            discovery.start();
        });
        vertx.executeBlocking(() -> {
            runtime.prepare();
            return null;
        });
        // Alerts sum up to 15 minutes of buckets per rule: worker threads, not an event loop.
        alertTimer = periodically(1000, "evaluating alerts", alerts::evaluate);
        leaseTimer = periodically(LEASE_SWEEP_MILLIS, "expiring leases", runtime::expireLeases);
        if (watch) {
            watcher = FileWatcher.file(configFile.get(), this::reloadQuietly);
            watcher.start();
        }
        certificates = config.server()
                .tls()
                .map(tls -> new CertificateWatch(tls, proxy::reloadTls))
                .orElse(null);
        log.info(
                "Baton listening: proxy {}:{}, admin {}:{}",
                config.server().listen().host(),
                proxy.port(),
                config.server().admin().host(),
                admin.port());
        return this;
    }

    /** Runs {@code task} every {@code millis} on a worker thread, one run at a time. */
    private long periodically(long millis, String what, Runnable task) {
        return vertx.setPeriodic(
                millis,
                id -> vertx.executeBlocking(() -> {
                            task.run();
                            return null;
                        })
                        .onFailure(e -> log.error("{} failed: {}", what, e.toString())));
    }

    private static void await(java.util.concurrent.CompletableFuture<?> f, String what, String address) {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            String why = cause instanceof BindException
                            || String.valueOf(cause.getMessage()).contains("in use")
                    ? "address already in use"
                    : String.valueOf(cause.getMessage());
            throw new BatonException("cannot listen on " + address + " (" + what + "): " + why, cause);
        } catch (TimeoutException e) {
            throw new BatonException("timed out starting the " + what + " listener on " + address, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BatonException("interrupted while starting", e);
        }
    }

    /**
     * Stops accepting connections, waits for requests in flight up to
     * {@code server.shutdown-grace}, then releases everything.
     */
    public synchronized void stop() {
        if (vertx == null) {
            return;
        }
        if (watcher != null) {
            watcher.close();
        }
        if (discovery != null) {
            discovery.close();
            discovery = null;
        }
        if (certificates != null) {
            certificates.close();
            certificates = null;
        }
        vertx.cancelTimer(leaseTimer);
        vertx.cancelTimer(alertTimer);
        plane.orchestration(true, null); // closes the checker; a later start() makes a new one
        Duration grace = config().server().shutdownGrace();
        try {
            proxy.stop()
                    .compose(v -> admin.stop())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(grace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("shutdown did not finish cleanly: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // After the proxy drained: requests in flight needed the processes behind them.
        supervisor.close();
        closeVertx();
        runtime.close();
        webhooks.close(); // undelivered events become dead letters: before the store closes
        data.close();
    }

    private void closeVertx() {
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("event loops did not stop cleanly: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        vertx = null;
    }

    /** Stops, and ends the event bus's subscriber threads: for good, unlike {@link #stop()}. */
    @Override
    public void close() {
        stop();
        accessLog.close();
        tracing.close();
        events.close();
        metrics.close();
    }

    /** Re-reads the config file and swaps it in; throws {@link ConfigException} and keeps the old one if invalid. */
    public void reload() {
        apply(loader.load(configFile.orElseThrow(() -> new IllegalStateException("no config file to reload"))));
    }

    /** Swaps in a new config. Requests in flight finish on the snapshot they started with. */
    public synchronized void apply(Config config) {
        Config old = plane.fileConfig();
        if (!old.server().equals(config.server())) {
            log.warn("server settings changed; listeners and event loops keep their old values until a restart");
        }
        if (!old.health().equals(config.health())) {
            log.warn("health.max-concurrent-checks changed; it keeps its old value until a restart");
        }
        if (old.observability().events().history()
                != config.observability().events().history()) {
            log.warn("events.history changed; the event history keeps its old size until a restart");
        }
        if (!old.discovery().equals(config.discovery())) {
            log.warn("discovery.files changed; the old directory is watched until a restart");
        }
        plane.apply(config);
        reloads.incrementAndGet();
    }

    private void reloadQuietly() {
        try {
            reloadAndPublish("file change");
        } catch (RuntimeException logged) {
            // reloadAndPublish logged and counted it; the last good config keeps serving
        }
    }

    /**
     * Reloads the config file and says so on the event bus; an invalid file is
     * counted, logged and published, then rethrown for callers that answer someone.
     */
    void reloadAndPublish(String cause) {
        String file = configFile
                .orElseThrow(() -> new IllegalStateException("no config file to reload"))
                .toString();
        try {
            reload();
        } catch (ConfigException e) {
            rejections.incrementAndGet();
            log.error("config change rejected ({}), still serving the last good config:\n{}", cause, e.getMessage());
            events.publish(
                    EventType.CONFIG_REJECTED,
                    Map.of(
                            "file",
                            file,
                            "errors",
                            e.errors().stream().map(Object::toString).toList()));
            throw e;
        } catch (RuntimeException e) {
            rejections.incrementAndGet();
            log.error("config change rejected ({}): {}", cause, e.toString());
            events.publish(EventType.CONFIG_REJECTED, Map.of("file", file, "errors", List.of(e.toString())));
            throw e;
        }
        log.info("config reloaded from {} ({})", file, cause);
        events.publish(EventType.CONFIG_RELOADED, Map.of("file", file, "reloads", reloads.get()));
    }

    /**
     * Stops or resumes orchestration (the admin API's {@code POST /orchestrator/stop|start}):
     * while stopped, health checks pause and routed requests get 503; the admin API
     * keeps answering. Returns false when it already was in that state.
     */
    public synchronized boolean orchestrate(boolean run) {
        if (vertx == null) {
            throw new IllegalStateException("not started");
        }
        if (run != plane.stopped()) {
            return false;
        }
        if (run) {
            plane.orchestration(true, checker());
            supervisor.startAll();
        } else {
            stopProcesses("the orchestrator was stopped");
            plane.orchestration(false, null);
        }
        log.info("orchestrator {} by the admin API", run ? "started" : "stopped");
        return true;
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

    private HealthChecker checker() {
        return new HealthChecker(
                vertx,
                config().health().maxConcurrentChecks(),
                events,
                metrics.requests(),
                new UpstreamProbes(),
                ticker);
    }

    /** Whether orchestration runs (see {@link #orchestrate}). */
    public boolean orchestrating() {
        return !plane.stopped();
    }

    /** The active config: the config file's, with services registered or discovered at run time layered in. */
    public Config config() {
        return plane.snapshot().config();
    }

    public int proxyPort() {
        return proxy.port();
    }

    /** The admin API itself, for tests that hold its description to its routes. */
    AdminApi admin() {
        return admin;
    }

    public int adminPort() {
        return admin.port();
    }

    /** Security refusals, counted on the proxy's counters so that one metric covers both listeners. */
    dev.baton.security.SecurityViolations violations() {
        return proxy.violations();
    }

    /** The version from the jar manifest, or "dev" when run from classes. */
    public static String version() {
        String v = Baton.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    ControlPlane plane() {
        return plane;
    }

    RuntimeServices runtime() {
        return runtime;
    }

    Alerts alerts() {
        return alerts;
    }

    Stats stats() {
        return stats;
    }

    /** The processes Baton launches; null before start. */
    Supervisor supervisor() {
        return supervisor;
    }

    Webhooks webhooks() {
        return webhooks;
    }

    DataStore data() {
        return data;
    }

    AuditLog audit() {
        return audit;
    }

    String scrapeMetrics() {
        return metrics.scrape();
    }

    /** The lifecycle event bus: subscribe to follow health changes and reloads. */
    public EventBus events() {
        return events;
    }

    /** Configs applied since start, by file change or {@link #apply}. */
    public long reloadCount() {
        return reloads.get();
    }

    /** Changed config files that were invalid and so not applied. */
    public long rejectedReloadCount() {
        return rejections.get();
    }

    /** Builds a {@link Baton}; give either a config file (watched for changes) or a {@link Config}. */
    public static final class Builder {
        private Path configFile;
        private Config config;
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
