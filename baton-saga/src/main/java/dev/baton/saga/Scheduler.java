package dev.baton.saga;

import java.time.Duration;

/**
 * Runs a task after a delay: the engine's only way to let time pass (retries,
 * backoff, attempt and saga timeouts), so that tests move a fake clock instead of
 * waiting. The tasks it runs only hand work to the engine's own thread.
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
