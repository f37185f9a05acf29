package dev.baton.control;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the {@link HealthChecker} probes instances with: an HTTP GET or a TCP connect,
 * on one event loop. The checker decides when and what to probe; the data plane
 * provides the I/O (its own upstream connections), so the control plane needs no
 * HTTP client of its own. Every method and callback runs on the loop of the
 * context the prober was made for.
 */
public interface Prober extends AutoCloseable {
    /** How a probe ended; {@code error} says why it failed, null when it passed. */
    @FunctionalInterface
    interface Result {
        void done(boolean passed, @Nullable String error);
    }

    /** A probe in flight; {@link #abort} gives up on it (a timeout). */
    @FunctionalInterface
    interface Probe {
        void abort(String why);
    }

    /** Makes the prober for a checker whose work runs on {@code context}. */
    @FunctionalInterface
    interface Factory {
        Prober create(Vertx vertx, Context context);
    }

    /** GETs {@code path} under the upstream's base path: passes on a status in range whose body has the text. */
    Probe http(
            Upstream u,
            String path,
            int minStatus,
            int maxStatus,
            Optional<String> bodyContains,
            int timeoutMillis,
            Result result);

    /** Connects and closes: passes when the upstream accepts a connection. */
    Probe tcp(Upstream u, int timeoutMillis, Result result);

    /** Closes keep-alive connections idle past their time; called every second or so. */
    void closeIdle();

    @Override
    void close();
}
