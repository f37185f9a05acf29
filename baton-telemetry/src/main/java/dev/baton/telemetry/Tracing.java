package dev.baton.telemetry;

import dev.baton.config.TracingConfig;
import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.lifecycle.Component;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import dev.baton.resilience.Outcome;
import dev.baton.time.Ticker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.InstrumentationLibraryInfo;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry spans for proxied requests, exported by OTLP/HTTP when
 * {@code tracing.otlp-endpoint} is set: a SERVER span per request and a CLIENT span
 * per upstream try, children of the client's span when it sent one. The ids were
 * chosen on the event loop as the request went (the try's id is the upstream's
 * parent in its {@code traceparent}), so the spans are written afterwards from the
 * request's facts: the event loop only queues a record, and a thread of its own
 * exports in batches. A full queue drops and counts.
 */
public final class Tracing implements RequestObserver, Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(Tracing.class);
    static final int QUEUE = 8192;
    static final int BATCH = 512;

    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    private static final AttributeKey<String> ERROR = AttributeKey.stringKey("error.type");
    private static final AttributeKey<Long> RESEND = AttributeKey.longKey("http.request.resend_count");
    private static final AttributeKey<String> SERVICE = AttributeKey.stringKey("baton.service");
    private static final AttributeKey<String> INSTANCE = AttributeKey.stringKey("baton.instance");
    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("baton.request_id");

    private final String version;
    private final Ticker ticker;
    private final BlockingQueue<SpanData> queue = new ArrayBlockingQueue<>(QUEUE);
    private final LongAdder dropped = new LongAdder();
    private final LongAdder exported = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Thread exporter;
    private volatile TracingConfig config = TracingConfig.OFF;
    private volatile Resource resource;
    private volatile boolean closed;

    /**
     * Spans naming Baton {@code version}; {@code ticker} must be the data plane's, whose
     * readings a request's start and a try's end are placed by.
     */
    public Tracing(String version, Ticker ticker) {
        this.version = version;
        this.ticker = ticker;
        this.resource = resource(config);
        this.exporter = new Thread(this::export, "baton-tracing");
        exporter.setDaemon(true);
    }

    /** Starts the exporter; spans recorded before it runs wait for it in the queue. */
    @Override
    public void start() {
        exporter.start();
    }

    /** Follows the snapshot's {@code observability.tracing}. */
    @Override
    public void apply(Snapshot next) {
        configure(next.config().observability().tracing());
    }

    /** Follows the config: on, off, or another collector (the exporter is rebuilt). */
    public void configure(TracingConfig next) {
        if (!next.equals(config)) {
            resource = resource(next);
            config = next;
        }
    }

    /** What the spans say of the service that made them. */
    private Resource resource(TracingConfig c) {
        return Resource.getDefault()
                .merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"),
                        c.serviceName(),
                        AttributeKey.stringKey("service.version"),
                        version)));
    }

    /** The recorded span of one try or one request: what OTLP needs, and nothing kept live. */
    record Recorded(
            String name,
            SpanKind kind,
            SpanContext context,
            SpanContext parent,
            StatusData status,
            long start,
            long end,
            Attributes attributes,
            Resource resource,
            InstrumentationScopeInfo scope)
            implements SpanData {
        @Override
        public String getName() {
            return name;
        }

        @Override
        public SpanKind getKind() {
            return kind;
        }

        @Override
        public SpanContext getSpanContext() {
            return context;
        }

        @Override
        public SpanContext getParentSpanContext() {
            return parent;
        }

        @Override
        public StatusData getStatus() {
            return status;
        }

        @Override
        public long getStartEpochNanos() {
            return start;
        }

        @Override
        public Attributes getAttributes() {
            return attributes;
        }

        @Override
        public List<EventData> getEvents() {
            return List.of();
        }

        @Override
        public List<LinkData> getLinks() {
            return List.of();
        }

        @Override
        public long getEndEpochNanos() {
            return end;
        }

        @Override
        public boolean hasEnded() {
            return true;
        }

        @Override
        public int getTotalRecordedEvents() {
            return 0;
        }

        @Override
        public int getTotalRecordedLinks() {
            return 0;
        }

        @Override
        public int getTotalAttributeCount() {
            return attributes.size();
        }

        @Override
        @SuppressWarnings("deprecation") // still abstract in the interface
        public InstrumentationLibraryInfo getInstrumentationLibraryInfo() {
            return InstrumentationLibraryInfo.create(scope.getName(), scope.getVersion());
        }

        @Override
        public InstrumentationScopeInfo getInstrumentationScopeInfo() {
            return scope;
        }

        @Override
        public Resource getResource() {
            return resource;
        }
    }

    private static final TraceFlags SAMPLED = TraceFlags.getSampled();

    private SpanContext context(ProxiedRequest r, String spanId) {
        return SpanContext.create(r.traceId(), spanId, SAMPLED, TraceState.getDefault());
    }

    /** Epoch nanoseconds of a moment read from the ticker, placed within the request. */
    private static long epochNanos(ProxiedRequest r, long monotonic) {
        return r.startMillis() * 1_000_000L + (monotonic - r.startNanos());
    }

    @Override
    public void tried(ProxiedRequest r, Upstream upstream, Outcome outcome, int status, long nanos) {
        if (r.spanId() == null || r.trySpanId() == null || !config.enabled()) {
            return;
        }
        long end = epochNanos(r, ticker.nanos());
        AttributesBuilder a = Attributes.builder()
                .put(METHOD, r.method())
                .put(SERVER_ADDRESS, upstream.host())
                .put(SERVER_PORT, (long) upstream.port())
                .put(SERVICE, r.route() == null ? "" : r.route().service().id())
                .put(INSTANCE, upstream.id());
        if (r.tries() > 1) {
            a.put(RESEND, (long) r.tries() - 1);
        }
        boolean error = outcome != Outcome.ANSWERED || status >= 500;
        if (outcome == Outcome.ANSWERED) {
            a.put(STATUS, (long) status);
            if (status >= 500) {
                a.put(ERROR, Integer.toString(status));
            }
        } else {
            a.put(ERROR, outcome.name().toLowerCase(Locale.ROOT));
        }
        offer(new Recorded(
                r.method(),
                SpanKind.CLIENT,
                context(r, r.trySpanId()),
                context(r, r.spanId()),
                error ? StatusData.create(StatusCode.ERROR, a.build().get(ERROR)) : StatusData.unset(),
                end - nanos,
                end,
                a.build(),
                resource,
                scope()));
    }

    @Override
    public void completed(ProxiedRequest r) {
        if (r.spanId() == null || !config.enabled()) {
            return;
        }
        long start = r.startMillis() * 1_000_000L;
        String route = r.route() == null ? null : r.route().id();
        AttributesBuilder a = Attributes.builder()
                .put(METHOD, r.method())
                .put(PATH, r.path())
                .put(STATUS, (long) r.status())
                .put(REQUEST_ID, r.requestId());
        if (r.clientAddress() != null) {
            a.put(CLIENT, r.clientAddress());
        }
        RouteTarget target = r.route();
        if (target != null) {
            a.put(ROUTE, target.id()).put(SERVICE, target.service().id());
        }
        boolean error = r.status() >= 500 || r.aborted();
        if (error) {
            a.put(ERROR, r.aborted() ? "aborted" : Integer.toString(r.status()));
        }
        SpanContext parent = r.parentSpanId() == null
                ? SpanContext.getInvalid()
                : SpanContext.createFromRemoteParent(r.traceId(), r.parentSpanId(), SAMPLED, TraceState.getDefault());
        offer(new Recorded(
                route == null ? r.method() : r.method() + " " + route,
                SpanKind.SERVER,
                context(r, r.spanId()),
                parent,
                error ? StatusData.error() : StatusData.unset(),
                start,
                start + r.durationNanos(),
                a.build(),
                resource,
                scope()));
    }

    private InstrumentationScopeInfo scope() {
        return InstrumentationScopeInfo.builder("dev.baton").setVersion(version).build();
    }

    private void offer(SpanData span) {
        if (!queue.offer(span)) {
            dropped.increment();
        }
    }

    /** Spans dropped because the exporter was behind, and batches the collector refused. */
    public long dropped() {
        return dropped.sum();
    }

    public long exported() {
        return exported.sum();
    }

    public long failed() {
        return failed.sum();
    }

    private void export() {
        TracingConfig current = null;
        OtlpHttpSpanExporter out = null;
        List<SpanData> batch = new ArrayList<>(BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                SpanData first = queue.poll(1, TimeUnit.SECONDS);
                TracingConfig wanted = config;
                if (!wanted.equals(current)) {
                    if (out != null) {
                        out.shutdown().join(5, TimeUnit.SECONDS);
                    }
                    out = wanted.enabled() ? exporter(wanted) : null;
                    current = wanted;
                }
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                if (out != null) {
                    var result =
                            out.export(batch).join(wanted.exportTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
                    if (result.isSuccess()) {
                        exported.add(batch.size());
                    } else {
                        failed.add(batch.size());
                    }
                }
                batch.clear();
            } catch (InterruptedException stop) {
                closed = true;
            } catch (RuntimeException e) {
                log.warn("span export failed: {}", e.toString());
                failed.add(batch.size());
                batch.clear();
            }
        }
        if (out != null) {
            out.shutdown().join(5, TimeUnit.SECONDS);
        }
    }

    private static OtlpHttpSpanExporter exporter(TracingConfig c) {
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(c.otlpEndpoint().orElseThrow().toString())
                .setTimeout(c.exportTimeout());
        c.headers().forEach(b::addHeader);
        return b.build();
    }

    /** Exports what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        exporter.interrupt(); // out of its one-second wait at once; what is queued still goes
        try {
            exporter.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code orchestrator_spans_total{result}}: exported, dropped (queue full), failed (collector). */
    public MeterBinder meters() {
        Map<String, java.util.function.ToDoubleFunction<Tracing>> results =
                Map.of("exported", Tracing::exported, "dropped", Tracing::dropped, "failed", Tracing::failed);
        return registry -> results.forEach((result, count) -> FunctionCounter.builder("orchestrator.spans", this, count)
                .description("spans exported by OTLP, dropped before export, or refused by the collector")
                .tag("result", result)
                .register(registry));
    }
}
