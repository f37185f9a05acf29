package dev.baton.telemetry;

import dev.baton.config.EventsConfig;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.lifecycle.Component;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import dev.baton.time.Ticker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code REQUEST_FAILED} and {@code REQUEST_ROUTED} events from proxied requests.
 * A failure (a 5xx, or a response cut off) is published up to
 * {@code events.failures-per-second}, the rest counted; a success only for the
 * {@code events.request-sample} fraction of requests, off by default: the bus
 * takes a lock per event, which the hot path must not pay for every request. The
 * seconds the cap counts in are the ticker's.
 */
public final class RequestEvents implements RequestObserver, Component<Snapshot> {
    private final EventSink events;
    private final Ticker ticker;
    private volatile EventsConfig config;
    private final AtomicLong second = new AtomicLong();
    private final AtomicInteger inSecond = new AtomicInteger();
    private final LongAdder suppressed = new LongAdder();

    public RequestEvents(EventSink events, EventsConfig config, Ticker ticker) {
        this.events = events;
        this.ticker = ticker;
        this.config = config;
    }

    public void configure(EventsConfig next) {
        config = next;
    }

    /** Holds nothing: events go out on the bus, on the publisher's thread. */
    @Override
    public void start() {}

    /** Follows the snapshot's {@code observability.events}. */
    @Override
    public void apply(Snapshot next) {
        configure(next.config().observability().events());
    }

    @Override
    public void close() {}

    /** Failures not published because of the per-second cap. */
    public long suppressed() {
        return suppressed.sum();
    }

    @Override
    public void completed(ProxiedRequest r) {
        EventsConfig c = config;
        if (r.status() >= 500 || r.aborted()) {
            if (allowFailure(c.failuresPerSecond())) {
                events.publish(EventType.REQUEST_FAILED, data(r));
            } else {
                suppressed.increment();
            }
        } else if (c.requestSample() > 0
                && r.route() != null
                && (c.requestSample() >= 1 || ThreadLocalRandom.current().nextDouble() < c.requestSample())) {
            events.publish(EventType.REQUEST_ROUTED, data(r));
        }
    }

    private boolean allowFailure(int perSecond) {
        long now = ticker.nanos() / 1_000_000_000L;
        long current = second.get();
        if (now != current && second.compareAndSet(current, now)) {
            inSecond.set(0);
        }
        return inSecond.incrementAndGet() <= perSecond;
    }

    private static Map<String, Object> data(ProxiedRequest r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("requestId", r.requestId());
        d.put("traceId", r.traceId());
        d.put("method", r.method());
        d.put("path", r.path());
        if (r.route() != null) {
            d.put("route", r.route().id());
            d.put("service", r.route().service().id());
        }
        if (r.upstream() != null) {
            d.put("instance", r.upstream().id());
        }
        d.put("status", r.status());
        d.put("durationMs", r.durationNanos() / 1_000_000.0);
        d.put("tries", r.tries());
        if (r.aborted()) {
            d.put("aborted", true);
        }
        return d;
    }

    /** {@code REQUEST_FAILED} events over the limit a second, counted instead of published. */
    public MeterBinder meters() {
        return registry -> FunctionCounter.builder("orchestrator.events.suppressed", this, RequestEvents::suppressed)
                .description("REQUEST_FAILED events over events.failures-per-second, counted instead")
                .tag("event_type", EventType.REQUEST_FAILED.name())
                .register(registry);
    }
}
