package dev.baton.proxy.internal;

import dev.baton.config.TracingConfig;
import dev.baton.proxy.internal.http.TraceContext;

/**
 * One request's place in a distributed trace: the W3C {@code traceparent} it came
 * with or was given, Baton's span when the request is recorded (tracing on and
 * sampled), and each try's span, which the upstream sees as its parent. With tracing
 * off, a valid client header passes on as it came and one is made only when needed.
 */
final class TraceState {
    private final TraceContext trace; // only while tracing is on
    private String traceparent;
    private String traceId;
    private final String spanId;
    private String trySpanId;

    private TraceState(TraceContext trace, String traceparent, String spanId) {
        this.trace = trace;
        this.traceparent = traceparent;
        this.spanId = spanId;
    }

    /** The trace of a request that came with {@code clientHeader} (or null), under {@code tracing}. */
    static TraceState of(TracingConfig tracing, String clientHeader) {
        if (tracing.enabled()) {
            TraceContext trace = TraceContext.of(clientHeader, tracing.sampleRate());
            String header = trace.header(trace.parentId() != null ? trace.parentId() : TraceContext.randomHex(8));
            return new TraceState(trace, header, trace.sampled() ? TraceContext.randomHex(8) : null);
        }
        String passed = clientHeader != null && TraceContext.valid(clientHeader) ? clientHeader : null;
        return new TraceState(null, passed, null);
    }

    /** A new try starts: a recorded request gives it its own span. */
    void newTry() {
        if (spanId != null) {
            trySpanId = TraceContext.randomHex(8);
        }
    }

    /** The {@code traceparent} the upstream gets: the try's span as its parent when recorded. */
    String upstreamHeader() {
        return spanId != null ? trace.header(trySpanId) : traceparent();
    }

    String traceId() {
        if (traceId == null) {
            traceId = traceparent().substring(3, 35);
        }
        return traceId;
    }

    String spanId() {
        return spanId;
    }

    String trySpanId() {
        return trySpanId;
    }

    String parentSpanId() {
        return trace == null ? null : trace.parentId();
    }

    /** The client's valid traceparent, or one started now (sampled) when it sent none. */
    private String traceparent() {
        if (traceparent == null) {
            traceparent = TraceContext.newHeader();
        }
        return traceparent;
    }
}
