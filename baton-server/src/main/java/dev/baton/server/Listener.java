package dev.baton.server;

import dev.baton.config.HostPort;
import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import io.vertx.core.Future;
import java.net.BindException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One of Baton's two Vert.x listeners (the proxy's, the admin API's) as a
 * component: {@link #start} binds and waits for it, turning a port that cannot be
 * bound into the one clear {@link BatonException}; {@link #close} stops it, letting
 * requests in flight finish within {@code grace}. The servers' own start and stop
 * are asynchronous, for callers on an event loop; Baton starts on its caller's
 * thread and waits.
 */
final class Listener implements Component<Snapshot> {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    // Beyond the grace: time for the event loops to close what the grace cut off.
    private static final Duration STOP_SLACK = Duration.ofSeconds(5);

    private final String what;
    private final HostPort address;
    private final Supplier<Future<Integer>> start;
    private final Supplier<Future<Void>> stop;
    private final Duration grace;
    private boolean started;

    /** {@code what} names it in errors ("proxy", "admin"). */
    Listener(
            String what,
            HostPort address,
            Supplier<Future<Integer>> start,
            Supplier<Future<Void>> stop,
            Duration grace) {
        this.what = what;
        this.address = address;
        this.start = start;
        this.stop = stop;
        this.grace = grace;
    }

    @Override
    public void start() {
        // Counted as started before it is bound: a listener that failed half way
        // (some event loops bound) is stopped like one that started.
        started = true;
        try {
            start.get().toCompletionStage().toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
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

    @Override
    public void close() {
        if (!started) {
            return;
        }
        started = false;
        try {
            stop.get()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(grace.plus(STOP_SLACK).toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the " + what + " listener did not stop cleanly: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
