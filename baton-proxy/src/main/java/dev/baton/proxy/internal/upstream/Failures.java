package dev.baton.proxy.internal.upstream;

import dev.baton.resilience.Outcome;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;

/** Classifies upstream failures into what the client is told and whether a retry is safe. */
public final class Failures {
    private Failures() {}

    public static boolean isTimeout(Throwable t) {
        return t instanceof TimeoutException
                || t instanceof ConnectTimeoutException
                || t instanceof java.net.SocketTimeoutException
                || (t.getCause() != null && t.getCause() != t && isTimeout(t.getCause()));
    }

    /** How a failed call ended, for circuit breakers: no connection, silence, or a broken one. */
    public static Outcome outcome(Throwable t) {
        if (isTimeout(t)) {
            return Outcome.TIMEOUT;
        }
        if (t instanceof ConnectException || (t.getCause() instanceof ConnectException)) {
            return Outcome.CONNECT_FAILURE;
        }
        return Outcome.RESET;
    }

    /**
     * A pooled connection that died under the request before any response: closed by
     * the peer or reset. A refused connect is not one: the upstream is down.
     */
    public static boolean isStaleConnection(Throwable t) {
        if (t instanceof HttpClosedException) {
            return true;
        }
        if (t instanceof ConnectException || isTimeout(t)) {
            return false;
        }
        String m = t.getMessage() == null ? "" : t.getMessage();
        return t instanceof IOException && (m.contains("reset") || m.contains("closed") || m.contains("Broken pipe"))
                || t instanceof VertxException && m.contains("closed");
    }

    /** Words for the client: what went wrong, without internals. */
    public static String describe(Throwable t) {
        if (isTimeout(t)) {
            return "timed out";
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
            return "connection refused";
        }
        if (t instanceof UnknownHostException) {
            return "unknown host";
        }
        if (t instanceof HttpClosedException) {
            return "connection closed before the response was complete";
        }
        if (t instanceof StreamResetException) {
            return "stream reset";
        }
        String m = t.getMessage() == null ? "" : t.getMessage();
        if (m.contains("reset")) {
            return "connection reset";
        }
        return "invalid response";
    }
}
