package dev.baton.control;

import dev.baton.time.Scheduler;
import io.vertx.core.Vertx;

/**
 * The {@link Scheduler} that production runs on: Vert.x timers, which run their
 * task on the event loop of whoever set them. Tests give the saga engine and the
 * queues a scheduler on a fake clock instead.
 */
public final class Timers {
    private Timers() {}

    /** Vert.x timers of {@code vertx} as a scheduler. */
    public static Scheduler of(Vertx vertx) {
        return (delay, task) -> {
            long id = vertx.setTimer(Math.max(1, delay.toMillis()), t -> task.run());
            return () -> vertx.cancelTimer(id);
        };
    }
}
