package dev.baton.proxy;

import dev.baton.control.RouteTarget;
import dev.baton.control.Upstream;

/**
 * What one request to the data plane came to, as metrics, stats, the access log and
 * events see it. A live view of the exchange, valid only during the observer's
 * call, on the event loop: an observer that works later copies what it needs.
 */
public interface ProxiedRequest {
    /** Status recorded when the client went away before it was answered (nginx's). */
    int CLIENT_CLOSED = 499;

    String requestId();

    String method();

    /** The path as the client sent it: for logs, never a metric label. */
    String path();

    /** The matched route, or null when none matched (or the request was refused before). */
    RouteTarget route();

    /** The instance of the last try, or null when none was tried. */
    Upstream upstream();

    /** The status sent to the client; {@link #CLIENT_CLOSED} when the client left first. */
    int status();

    /** True when the response was cut off after it started (upstream failure mid-body). */
    boolean aborted();

    long bytesIn();

    long bytesOut();

    /** From the request's arrival to its end. */
    long durationNanos();

    /** From the last try's start to the upstream's response head; -1 without one. */
    long upstreamNanos();

    /** Upstream tries made, retries included. */
    int tries();

    String clientAddress();

    /** Wall-clock time of arrival, in epoch milliseconds. */
    long startMillis();

    /** The W3C trace id (32 hex digits) the request carried or was given. */
    String traceId();

    /** Baton's span for this request when it is recorded (tracing on and sampled), else null. */
    String spanId();

    /** The span of the current (or last) try, sent upstream as its parent; null unless recorded. */
    String trySpanId();

    /** The client's span, the parent of Baton's, or null when Baton started the trace. */
    String parentSpanId();

    /** {@link System#nanoTime()} at arrival, to place tries within the request. */
    long startNanos();
}
