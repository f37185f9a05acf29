package dev.baton.proxy.internal;

import dev.baton.control.Upstream;
import dev.baton.proxy.internal.upstream.UpstreamConnection;
import org.jspecify.annotations.Nullable;

/**
 * One try of an upstream within an exchange: the instance its balancer chose (with
 * the breaker's permit, see {@link Assignment}), the pooled connection while the try
 * holds it, whether the request went out on it, and whether observers have heard how
 * it went. A retry is a new attempt.
 */
final class Attempt {
    private final Assignment assignment;
    private @Nullable UpstreamConnection connection;
    private boolean sent;
    private boolean reported;

    Attempt(Assignment assignment) {
        this.assignment = assignment;
    }

    Assignment assignment() {
        return assignment;
    }

    Upstream upstream() {
        return assignment.upstream();
    }

    /** The data plane's ticker when the try began. */
    long start() {
        return assignment.started();
    }

    /** The request went out on {@code c}. */
    void sent(UpstreamConnection c) {
        connection = c;
        sent = true;
    }

    boolean wasSent() {
        return sent;
    }

    /** The connection while this try holds it, or null before and after. */
    @Nullable
    UpstreamConnection connection() {
        return connection;
    }

    /** The connection went back to its pool, or closed: no longer this try's. */
    void released() {
        connection = null;
    }

    /** Closes the connection this try still holds: whatever it carries is abandoned. */
    void abandon() {
        if (connection != null) {
            UpstreamConnection c = connection;
            connection = null;
            c.abandon();
        }
    }

    /** The try is over: the instance's in-flight count and latency learn it (once). */
    void done() {
        assignment.done();
    }

    /** True the first time only: the try's outcome goes to observers once. */
    boolean report() {
        if (reported) {
            return false;
        }
        reported = true;
        return true;
    }
}
