package dev.baton.server;

import dev.baton.admin.AdminApi;
import dev.baton.admin.AuditLog;
import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.control.ControlPlane;
import dev.baton.control.DataStore;
import dev.baton.control.HealthChecker;
import dev.baton.control.RuntimeRoutes;
import dev.baton.control.RuntimeServices;
import dev.baton.control.Snapshot;
import dev.baton.control.watch.CertificateWatch;
import dev.baton.control.watch.DiscoveryFiles;
import dev.baton.control.watch.FileWatcher;
import dev.baton.lifecycle.Component;
import dev.baton.lifecycle.Lifecycle;
import dev.baton.proxy.ProxyServer;
import dev.baton.proxy.RequestObservers;
import dev.baton.proxy.UpstreamProbes;
import dev.baton.queue.Queues;
import dev.baton.saga.Sagas;
import dev.baton.store.StoreException;
import dev.baton.supervisor.Supervisor;
import dev.baton.telemetry.Metrics;
import dev.baton.telemetry.Webhooks;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a Baton, from start to stop: the components a start builds, in the
 * order they need each other, each started in the Baton's run lifecycle as soon as
 * it is built. When one cannot start (a port taken, another Baton on the data
 * directory), the lifecycle closes those started before it in reverse, so a failed
 * start leaves no thread, file or lock behind and the next start in the same JVM
 * succeeds. {@link #close} closes them all in reverse: the watchers first, the
 * listeners once requests in flight have finished, the supervisor after the proxy
 * has drained (requests in flight needed the processes behind them), the webhook
 * sender before the store it writes dead letters to, the event loops last.
 */
final class Wiring implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Wiring.class);
    /** How often leases are checked: an instance outlives its ttl by at most this. */
    private static final long LEASE_SWEEP_MILLIS = 500;

    private final Lifecycle<Snapshot> life;
    private final ProxyServer proxy;
    private final AdminApi admin;
    private final AuditLog audit;
    private final DataStore data;
    private final Webhooks webhooks;
    private final Supervisor supervisor;
    private final RuntimeServices runtime;
    private final RuntimeRoutes routes;
    private final Sagas sagas;
    private final Queues queues;
    private final Orchestration orchestration;

    /**
     * Starts a run on {@code base} with {@code config}; {@code backend} makes what the
     * admin API reads and asks of this run. {@code watched}, when given,
     * is the config file to watch, and {@code fileChanged} what to do when it
     * changes. Throws {@link BatonException} (or what a component threw) with
     * everything started so far closed again.
     */
    Wiring(
            Base base,
            Config config,
            ConfigLoader loader,
            Function<Wiring, AdminApi.Backend> backend,
            Optional<Path> watched,
            Runnable fileChanged) {
        this.life = base.run();
        // Also what is not a component (the first rebuild, a meter binding) can throw: then
        // everything started so far is closed as when a component fails.
        try {
            ControlPlane plane = base.plane();
            Metrics metrics = base.metrics();
            Path dataDir = config.server().dataDir();
            int loops = config.server().effectiveEventLoops();
            Vertx vertx = life.start(() -> eventLoops(loops)).vertx;
            proxy = new ProxyServer(
                    vertx,
                    plane.snapshots(),
                    config.server().listen(),
                    loops,
                    config.server().shutdownGrace(),
                    RequestObservers.of(
                            metrics.requests(), base.stats(), base.accessLog(), base.tracing(), base.requestEvents()),
                    base.ticker(),
                    base.clock());
            admin = new AdminApi(vertx, config.server().admin(), backend.apply(this), Baton.version(), base.clock());
            audit = new AuditLog(dataDir);
            data = life.start(() -> new DataStore(dataDir, config.store()));
            webhooks = life.start(
                    () -> new Webhooks(base.events(), data, base.webhookClient(), base.clock(), Baton.version()));
            metrics.bind("webhooks", webhooks.meters());
            try {
                // Also ends what a killed Baton left running: those hold the ports the new programs need.
                supervisor = life.start(
                        () -> new Supervisor(dataDir, plane.readiness(), base.events(), base.clock()),
                        Snapshot::config);
            } catch (IllegalStateException e) {
                throw new BatonException(BatonException.why(e), e);
            }
            metrics.bind("supervisor", supervisor.meters());
            try {
                runtime = life.start(() -> new RuntimeServices(
                        plane.registry(), data, plane::fileConfig, plane::rebuild, base.events(), base.clock()));
                // After the registrations: a stored route is read against the services they define.
                routes = life.start(() -> new RuntimeRoutes(
                        plane.registry(),
                        data,
                        plane::fileConfig,
                        () -> plane.registry().merge(plane.fileConfig()).config(),
                        plane::rebuild,
                        base.clock()));
            } catch (StoreException e) {
                throw new BatonException(BatonException.why(e), e);
            }
            // The first snapshot with the stored registrations and routes, given to every component started so far.
            plane.rebuild();
            try {
                // Before the listeners: an unfinished saga is running again before anyone can ask for it.
                sagas = life.start(() -> new Sagas(
                        vertx,
                        data,
                        plane::snapshot,
                        base.events(),
                        base.clock(),
                        base.ticker(),
                        dev.baton.control.Timers.of(vertx)));
                sagas.apply(plane.snapshot());
                metrics.bind("sagas", sagas.meters());
                // Before the listeners too: push subscriptions deliver what waited while Baton was down.
                queues = life.start(() -> new Queues(
                        vertx,
                        data,
                        plane::snapshot,
                        base.events(),
                        base.clock(),
                        base.ticker(),
                        dev.baton.control.Timers.of(vertx)));
                metrics.bind("queues", queues.meters());
                Queues q = queues;
                life.start(() -> new dev.baton.server.internal.EventTopic(vertx, base.events(), q, data))
                        .apply(plane.snapshot());
            } catch (StoreException e) {
                throw new BatonException(BatonException.why(e), e);
            }
            life.start(() -> new Listener(
                    "proxy",
                    config.server().listen(),
                    proxy::start,
                    proxy::stop,
                    config.server().shutdownGrace()));
            life.start(() -> new Listener(
                    "admin",
                    config.server().admin(),
                    admin::start,
                    admin::stop,
                    config.server().shutdownGrace()));
            metrics.bind("proxy", proxy.meters());
            metrics.bindViolations(proxy.violations());
            orchestration = life.start(() -> new Orchestration(
                    plane,
                    supervisor,
                    () -> new HealthChecker(
                            vertx,
                            config.health().maxConcurrentChecks(),
                            base.events(),
                            metrics.requests(),
                            new UpstreamProbes(),
                            base.ticker())));
            config.discovery()
                    .files()
                    .ifPresent(dir -> life.start(() -> new DiscoveryFiles(dir, loader, runtime::discovered)));
            vertx.executeBlocking(() -> {
                runtime.prepare();
                return null;
            });
            // Alerts sum up to 15 minutes of buckets per rule: worker threads, not an event loop.
            life.start(() -> new Periodic(vertx, 1000, "evaluating alerts", base.alerts()::evaluate));
            life.start(() -> new Periodic(vertx, LEASE_SWEEP_MILLIS, "expiring leases", runtime::expireLeases));
            watched.ifPresent(file -> life.start(() -> FileWatcher.file(file, fileChanged)));
            config.server().tls().ifPresent(tls -> life.start(() -> new CertificateWatch(tls, proxy::reloadTls)));
        } catch (RuntimeException | Error e) {
            life.close().forEach(e::addSuppressed);
            throw e;
        }
    }

    /** Closes every component of the run, newest first; a close that fails is logged, and the rest still close. */
    @Override
    public void close() {
        for (RuntimeException e : life.close()) {
            log.warn("shutdown did not finish cleanly: {}", e.getMessage());
        }
    }

    ProxyServer proxy() {
        return proxy;
    }

    AdminApi admin() {
        return admin;
    }

    AuditLog audit() {
        return audit;
    }

    DataStore data() {
        return data;
    }

    Webhooks webhooks() {
        return webhooks;
    }

    Sagas sagas() {
        return sagas;
    }

    Queues queues() {
        return queues;
    }

    Supervisor supervisor() {
        return supervisor;
    }

    RuntimeServices runtime() {
        return runtime;
    }

    RuntimeRoutes routes() {
        return routes;
    }

    Orchestration orchestration() {
        return orchestration;
    }

    private static EventLoops eventLoops(int loops) {
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions().setEventLoopPoolSize(loops).setPreferNativeTransport(true))
                .build();
        if (!vertx.isNativeTransportEnabled()) {
            log.info("native epoll transport unavailable, using NIO: {}", vertx.unavailableNativeTransportCause());
        }
        return new EventLoops(vertx);
    }

    /** The run's Vert.x: its event loops and worker threads, closed last. */
    private record EventLoops(Vertx vertx) implements Component<Snapshot> {
        @Override
        public void start() {
            // running once built; the threads start with the first task
        }

        @Override
        public void close() {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("event loops did not stop cleanly: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
