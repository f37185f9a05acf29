package dev.baton.time;

import java.time.Duration;

/**
 * Runs a task after a delay: how the saga engine and the queues let time pass
 * (retries, backoff, timeouts, leases, long polls), so that tests move a fake
 * clock instead of waiting. The tasks it runs only hand work to their owner's
 * own thread.
 */
@FunctionalInterface
public interface Scheduler {
    /** Runs {@code task} once, {@code delay} from now; the returned handle cancels it. */
    Cancellable after(Duration delay, Runnable task);

    /** A scheduled task that can be called off. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }
}
