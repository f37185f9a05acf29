package dev.baton.proxy.internal;

import dev.baton.config.TracingConfig;
import dev.baton.proxy.internal.http.TraceContext;
import org.jspecify.annotations.Nullable;

/**
 * One request's place in a distributed trace: the W3C {@code traceparent} it came
 * with or was given, Baton's span when the request is recorded (tracing on and
 * sampled), and each try's span, which the upstream sees as its parent. With tracing
 * off, a valid client header passes on as it came and one is made only when needed.
 */
final class TraceState {
    private final @Nullable TraceContext trace; // only while tracing is on
    private @Nullable String traceparent; // made when first needed, without a valid client's
    private @Nullable String traceId; // read off traceparent when first needed
    private final @Nullable String spanId; // only when recorded
    private @Nullable String trySpanId; // from the first try, when recorded

    private TraceState(@Nullable TraceContext trace, @Nullable String traceparent, @Nullable String spanId) {
        this.trace = trace;
        this.traceparent = traceparent;
        this.spanId = spanId;
    }

    /** The trace of a request that came with {@code clientHeader} (or null), under {@code tracing}. */
    static TraceState of(TracingConfig tracing, @Nullable String clientHeader) {
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
        // A recorded request (spanId) has its trace, and its try's span from newTry.
        TraceContext recorded = trace;
        String trySpan = trySpanId;
        return spanId != null && recorded != null && trySpan != null ? recorded.header(trySpan) : traceparent();
    }

    String traceId() {
        if (traceId == null) {
            traceId = traceparent().substring(3, 35);
        }
        return traceId;
    }

    @Nullable
    String spanId() {
        return spanId;
    }

    @Nullable
    String trySpanId() {
        return trySpanId;
    }

    @Nullable
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
