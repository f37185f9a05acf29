package dev.baton.proxy;

import dev.baton.config.HostPort;
import dev.baton.proxy.internal.ProxyVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
    private final List<String> deployments = new ArrayList<>();
    private int port;

    public ProxyServer(Vertx vertx, Supplier<Snapshot> snapshots, HostPort listen, int instances, Duration grace) {
        if (instances < 1) {
            throw new IllegalArgumentException("instances: " + instances + " (expected: >= 1)");
        }
        this.vertx = vertx;
        this.snapshots = snapshots;
        this.listen = listen;
        this.instances = instances;
        this.shutdownGrace = grace;
    }

    /** Binds and starts every event loop's listener; completes with the bound port. */
    public Future<Integer> start() {
        // The first listener binds (perhaps to port 0); the rest share the port it got.
        ProxyVerticle first = new ProxyVerticle(listen.host(), listen.port(), snapshots, inFlight, shutdownGrace);
        return vertx.deployVerticle(first).compose(id -> {
            deployments.add(id);
            port = first.actualPort();
            Future<Void> rest = Future.succeededFuture();
            for (int i = 1; i < instances; i++) {
                rest = rest.compose(v -> vertx.deployVerticle(
                                new ProxyVerticle(listen.host(), port, snapshots, inFlight, shutdownGrace),
                                new DeploymentOptions())
                        .map(d -> {
                            deployments.add(d);
                            return null;
                        }));
            }
            return rest.map(v -> port);
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
}
