package dev.baton.proxy;

import dev.baton.config.HostPort;
import dev.baton.config.TlsConfig;
import dev.baton.control.Snapshot;
import dev.baton.proxy.internal.ClientAcceptor;
import dev.baton.proxy.internal.ProxyVerticle;
import dev.baton.security.SecurityViolations;
import dev.baton.time.Ticker;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The data plane: one listener per event loop on a shared port, each proxying with
 * its own upstream connection pool, all reading the current {@link Snapshot}
 * through {@code snapshots} on every request.
 */
public final class ProxyServer {
    private final Vertx vertx;
    private final Supplier<Snapshot> snapshots;
    private final HostPort listen;
    private final int instances;
    private final Duration shutdownGrace;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final SecurityViolations violations = new SecurityViolations();
    private final ConnectionStats connections = new ConnectionStats();
    private final ClientConnections clients = new ClientConnections();
    private final ClientAcceptor acceptor;
    private final RequestObserver observer;
    private final Ticker ticker;
    private final Clock clock;
    private final List<String> deployments = new ArrayList<>();
    private final List<ProxyVerticle> verticles = new ArrayList<>();
    private int port;

    public ProxyServer(Vertx vertx, Supplier<Snapshot> snapshots, HostPort listen, int instances, Duration grace) {
        this(vertx, snapshots, listen, instances, grace, RequestObserver.NONE);
    }

    /** As the other constructor; {@code observer} hears every try and every request's end. */
    public ProxyServer(
            Vertx vertx,
            Supplier<Snapshot> snapshots,
            HostPort listen,
            int instances,
            Duration grace,
            RequestObserver observer) {
        this(vertx, snapshots, listen, instances, grace, observer, Ticker.system(), Clock.systemUTC());
    }

    /**
     * As the other constructors, with the data plane's time: {@code ticker} for
     * deadlines, idle timers and durations, {@code clock} for dates and signature windows.
     */
    public ProxyServer(
            Vertx vertx,
            Supplier<Snapshot> snapshots,
            HostPort listen,
            int instances,
            Duration grace,
            RequestObserver observer,
            Ticker ticker,
            Clock clock) {
        this.observer = observer;
        this.ticker = ticker;
        this.clock = clock;
        if (instances < 1) {
            throw new IllegalArgumentException("instances: " + instances + " (expected: >= 1)");
        }
        this.vertx = vertx;
        this.snapshots = snapshots;
        this.listen = listen;
        this.instances = instances;
        this.shutdownGrace = grace;
        this.acceptor = new ClientAcceptor(() -> snapshots.get().config().limits(), clients, violations, ticker);
    }

    /**
     * Loads {@code tls}'s certificate files again on every listener (renewed on
     * disk); connections already open keep their session, new ones get the new
     * certificate. A file that does not load fails the future and changes nothing.
     */
    public Future<Void> reloadTls(TlsConfig tls) {
        List<Future<Boolean>> all = new ArrayList<>();
        for (ProxyVerticle v : verticles) {
            all.add(v.reloadTls(tls));
        }
        return Future.all(all).mapEmpty();
    }

    /** Upstream connections of every event loop. */
    public ConnectionStats connections() {
        return connections;
    }

    /** Client connections on the proxy port, and those Baton closed, by reason. */
    public ClientConnections clients() {
        return clients;
    }

    /** Each event loop's lag: how late it last ran a timer (see the event-loop metrics). */
    public List<Long> eventLoopLagNanos() {
        return verticles.stream().map(ProxyVerticle::lagNanos).toList();
    }

    /** Each event loop's queue: tasks waiting to run. */
    public List<Integer> eventLoopPendingTasks() {
        return verticles.stream().map(ProxyVerticle::pendingTasks).toList();
    }

    /** Requests refused for security reasons, by type. */
    public SecurityViolations violations() {
        return violations;
    }

    /** Binds and starts every event loop's listener; completes with the bound port. */
    public Future<Integer> start() {
        // Port 0 would give each listener its own random port; Vert.x shares one random
        // port among listeners that ask for the same negative port.
        int bind = listen.port() == 0 ? -1 : listen.port();
        List<ProxyVerticle> verticles = new ArrayList<>();
        Future<Void> all = Future.succeededFuture();
        for (int i = 0; i < instances; i++) {
            ProxyVerticle v = new ProxyVerticle(
                    listen.host(),
                    bind,
                    snapshots,
                    inFlight,
                    violations,
                    connections,
                    clients,
                    acceptor,
                    observer,
                    shutdownGrace,
                    ticker,
                    clock);
            verticles.add(v);
            this.verticles.add(v);
            all = all.compose(x -> vertx.deployVerticle(v).map(id -> {
                deployments.add(id);
                return null;
            }));
        }
        return all.map(x -> {
            port = verticles.get(0).actualPort();
            return port;
        });
    }

    /**
     * Stops accepting, lets requests in flight finish for up to the configured grace
     * period, then closes what is left.
     */
    public Future<Void> stop() {
        List<Future<Void>> all = new ArrayList<>();
        for (String id : deployments) {
            all.add(vertx.undeploy(id));
        }
        deployments.clear();
        return Future.join(all).mapEmpty();
    }

    public int port() {
        return port;
    }

    /** Requests currently being proxied, across all event loops. */
    public int inFlight() {
        return inFlight.get();
    }

    /** This proxy's meters, for the metrics registry (bound again for each new proxy). */
    public MeterBinder meters() {
        return new ProxyMeters(this);
    }
}
