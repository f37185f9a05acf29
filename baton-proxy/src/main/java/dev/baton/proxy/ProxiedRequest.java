package dev.baton.proxy;

import dev.baton.control.RouteTarget;
import dev.baton.control.Upstream;
import org.jspecify.annotations.Nullable;

/**
 * What one request to the data plane came to, as metrics, stats, the access log and
 * events see it: an immutable record, made when a try ends and when the request does,
 * so an observer may keep it and read it later on any thread. Seven fields may be
 * null, each when there is nothing to say: {@code path} (a request target without
 * one, refused), {@code route} (no route matched), {@code upstream} (no instance was
 * tried), {@code clientAddress} (refused for its head before it was looked up) and
 * the three span ids (tracing off or not sampled, or no client span); two numbers
 * have a value that stands for "none": {@code status} {@link #CLIENT_CLOSED} and
 * {@code upstreamNanos} -1.
 *
 * @param path the path as the client sent it: for logs, never a metric label; null without one
 * @param route the matched route, or null when none matched (or the request was refused before)
 * @param upstream the instance of the last try, or null when none was tried
 * @param status the status sent to the client; {@link #CLIENT_CLOSED} when none was (the client left first)
 * @param aborted true when the response was cut off after it started (upstream failure mid-body)
 * @param durationNanos from the request's arrival to its end (to now, for a try's record)
 * @param upstreamNanos from the last try's start to the upstream's response head; -1 when no response
 *     head came (no try, or every try failed before one)
 * @param tries upstream tries made, retries included
 * @param clientAddress the peer's address, or from X-Forwarded-For behind trusted proxies; null for a
 *     request refused for its head (before the address is looked up)
 * @param startMillis wall-clock time of arrival, in epoch milliseconds
 * @param traceId the W3C trace id (32 hex digits) the request carried or was given
 * @param spanId Baton's span for this request when it is recorded (tracing on and sampled), else null
 * @param trySpanId the span of the current (or last) try, sent upstream as its parent; null unless recorded
 * @param parentSpanId the client's span, the parent of Baton's, or null when Baton started the trace
 * @param startNanos the data plane's ticker at arrival, to place tries within the request
 */
public record ProxiedRequest(
        String requestId,
        String method,
        @Nullable String path,
        @Nullable RouteTarget route,
        @Nullable Upstream upstream,
        int status,
        boolean aborted,
        long bytesIn,
        long bytesOut,
        long durationNanos,
        long upstreamNanos,
        int tries,
        @Nullable String clientAddress,
        long startMillis,
        String traceId,
        @Nullable String spanId,
        @Nullable String trySpanId,
        @Nullable String parentSpanId,
        long startNanos) {
    /**
     * Status recorded when no response head was sent: the client went away before it
     * was answered (nginx's 499). A hot-path primitive, so a number, not an Optional.
     */
    public static final int CLIENT_CLOSED = 499;
}
