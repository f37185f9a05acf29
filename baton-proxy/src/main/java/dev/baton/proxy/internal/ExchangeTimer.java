package dev.baton.proxy.internal;

import dev.baton.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * One exchange's deadline on its loop's {@link Deadlines}: while the client's body is
 * being read, {@code limits.body-timeout} of silence; until the response starts, the
 * route's timeout for the whole exchange (retries included, counted from when the
 * request went upstream) and each try's {@code per-try-timeout}; once it streams, the
 * longest silence allowed. Armed and disarmed as the exchange moves; confined to its loop.
 */
final class ExchangeTimer implements Deadlines.Idle {
    private final Deadlines deadlines;
    private final Ticker ticker;
    private final Runnable onTimeout;
    private final long bodyTimeoutNanos;
    private long routeTimeoutNanos = Long.MAX_VALUE;
    private long perTryNanos = Long.MAX_VALUE;
    private Deadlines.@Nullable Entry entry; // while armed
    private long lastActivity;
    private long deadlineStart;
    private boolean body;
    private boolean responding;

    ExchangeTimer(Deadlines deadlines, Ticker ticker, long bodyTimeoutNanos, Runnable onTimeout) {
        this.deadlines = deadlines;
        this.ticker = ticker;
        this.bodyTimeoutNanos = bodyTimeoutNanos;
        this.onTimeout = onTimeout;
    }

    /** The route is known: its timeout and its retry policy's per-try timeout apply. */
    void route(long routeTimeoutNanos, long perTryNanos) {
        this.routeTimeoutNanos = routeTimeoutNanos;
        this.perTryNanos = perTryNanos;
    }

    /** Starts (or restarts) the silence being timed; the exchange's deadline starts with the first outside the body. */
    void arm() {
        lastActivity = ticker.nanos();
        if (deadlineStart == 0 && !body) {
            deadlineStart = lastActivity;
        }
        if (entry == null) {
            entry = deadlines.arm(this);
        }
    }

    void cancel() {
        if (entry != null) {
            deadlines.disarm(entry);
            entry = null;
        }
    }

    /** Something arrived: the silence starts again. */
    void activity() {
        lastActivity = ticker.nanos();
    }

    /** The client's body is being read (the body-timeout applies) or no longer. */
    void body(boolean reading) {
        body = reading;
    }

    /** Whether the body-timeout is what is being timed. */
    boolean inBody() {
        return body && !responding;
    }

    /** The response has started: only silence is timed from here. */
    void responding() {
        responding = true;
    }

    /** When the exchange's deadline started (the request went upstream), or 0 before. */
    long deadlineStart() {
        return deadlineStart;
    }

    /** How long nothing has arrived, in nanoseconds. */
    long silentNanos() {
        return ticker.nanos() - lastActivity;
    }

    @Override
    public long lastActivityNanos() {
        return lastActivity;
    }

    @Override
    public long timeoutNanos() {
        if (inBody()) {
            return bodyTimeoutNanos;
        }
        if (responding) {
            return routeTimeoutNanos;
        }
        long left = routeTimeoutNanos - (lastActivity - deadlineStart);
        return Math.max(0, Math.min(perTryNanos, left));
    }

    @Override
    public void idleTimeout() {
        entry = null;
        onTimeout.run();
    }
}
