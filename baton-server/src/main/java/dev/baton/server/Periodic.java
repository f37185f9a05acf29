package dev.baton.server;

import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A task run every so often on a Vert.x worker thread, one run at a time, from
 * {@link #start} to {@link #close}: the alerts' evaluation, the leases' sweep.
 * A run that fails is logged, and the next one comes as planned.
 */
final class Periodic implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(Periodic.class);

    private final Vertx vertx;
    private final long millis;
    private final String what;
    private final Runnable task;
    private long timer = -1;

    /** {@code what} says in a log line what failed ("expiring leases"). */
    Periodic(Vertx vertx, long millis, String what, Runnable task) {
        this.vertx = vertx;
        this.millis = millis;
        this.what = what;
        this.task = task;
    }

    @Override
    public void start() {
        timer = vertx.setPeriodic(
                millis,
                id -> vertx.executeBlocking(() -> {
                            task.run();
                            return null;
                        })
                        .onFailure(e -> log.error("{} failed: {}", what, e.toString())));
    }

    @Override
    public void close() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }
}
