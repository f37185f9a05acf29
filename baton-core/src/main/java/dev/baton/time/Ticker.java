package dev.baton.time;

/**
 * A monotonic source of nanoseconds, for measuring how long something took or how
 * long is left: the data plane's deadlines, idle timers, try durations and rate
 * windows read it instead of {@link System#nanoTime()}, so that a test moves time
 * with a fake one rather than sleeping. Only differences between two readings mean
 * anything; wall-clock time comes from a {@link java.time.Clock}.
 */
@FunctionalInterface
public interface Ticker {
    /** Nanoseconds from an arbitrary origin fixed for this ticker's life. */
    long nanos();

    /** The JVM's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
