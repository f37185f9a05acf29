package dev.baton.telemetry;

import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.events.Event;
import dev.baton.events.EventBus;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.proxy.ClientConnections;
import dev.baton.proxy.ConnectionStats;
import dev.baton.proxy.ProxyServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything {@code GET /metrics} shows, on one Prometheus registry:
 * requests and health checks ({@link RequestMetrics}), each service's state
 * ({@link ServiceMetrics}), the registry's counts, the event bus, upstream
 * connection pools, the event loops, and the JVM.
 */
public final class Metrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RequestMetrics requests = new RequestMetrics(registry.getPrometheusRegistry());
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<EventType, Counter> published = new EnumMap<>(EventType.class);
    private final List<Meter> proxyMeters = new ArrayList<>();
    private final List<Meter> webhookMeters = new ArrayList<>();
    private ServiceMetrics services;

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        for (EventType type : EventType.values()) {
            published.put(
                    type,
                    Counter.builder("orchestrator.events.published")
                            .description("events published on the bus")
                            .tag("event_type", type.name())
                            .register(registry));
        }
    }

    /**
     * The registry's meters: {@code snapshot} gives the services in force,
     * {@code health} a service's health as the admin API shows it. Once, before
     * the first {@link #bind}.
     */
    public synchronized void bindRegistry(Supplier<Snapshot> snapshot, Function<ServiceTarget, HealthStatus> health) {
        services = new ServiceMetrics(registry, health);
        Gauge.builder(
                        "orchestrator.active.services",
                        snapshot,
                        s -> s.get().services().size())
                .description("services in the registry (config file, discovery files and registrations)")
                .strongReference(true)
                .register(registry);
        for (HealthStatus status : HealthStatus.values()) {
            Gauge.builder("orchestrator.discovered.services", snapshot, s -> count(s.get(), health, status))
                    .description("services by health")
                    .tag("status", status.name())
                    .strongReference(true)
                    .register(registry);
        }
        bind(snapshot.get());
    }

    private static double count(Snapshot s, Function<ServiceTarget, HealthStatus> health, HealthStatus status) {
        return s.services().values().stream()
                .filter(t -> health.apply(t) == status)
                .count();
    }

    /** What the event bus reports, as {@code orchestrator_events_*}. */
    public EventBus.Observer events() {
        return new EventBus.Observer() {
            @Override
            public void published(EventType type) {
                Metrics.this.published.get(type).increment();
            }

            @Override
            public void handled(EventType type, String handler) {
                eventCounter("orchestrator.events.handled", "events handled, by type and handler", type, handler)
                        .increment();
            }

            @Override
            public void failed(EventType type, String handler) {
                eventCounter("orchestrator.events.failed", "events whose handler threw", type, handler)
                        .increment();
            }

            @Override
            public void dropped(EventType type, String handler) {
                eventCounter(
                                "orchestrator.events.dropped",
                                "events a handler missed because its queue was full",
                                type,
                                handler)
                        .increment();
            }
        };
    }

    private Counter eventCounter(String name, String description, EventType type, String handler) {
        return Counter.builder(name)
                .description(description)
                .tags("event_type", type.name(), "handler", handler)
                .register(registry);
    }

    /**
     * Counts the registry's changes as {@code orchestrator_service_discoveries_total}
     * from its events; a synchronous subscription, so none is missed.
     */
    public EventBus.Subscription countDiscoveries(EventBus bus) {
        EventFilter filter = EventFilter.of(
                EventType.SERVICE_REGISTERED, EventType.SERVICE_UNREGISTERED, EventType.SERVICE_DISCOVERED);
        return bus.subscribeSync("metrics", filter, -1, this::discovery);
    }

    /**
     * {@code orchestrator_process_events_total{service_name,event}}: supervised
     * processes started, restarted and given up on (FAILED), from the bus.
     */
    public EventBus.Subscription countProcesses(EventBus bus) {
        EventFilter filter =
                EventFilter.of(EventType.SERVICE_STARTED, EventType.SERVICE_RESTARTED, EventType.SERVICE_FAILED);
        return bus.subscribeSync("metrics-processes", filter, -1, e -> {
            Object service = e.data().get("service");
            if (service != null) {
                Counter.builder("orchestrator.process.events")
                        .description("supervised processes started, restarted and failed")
                        .tags(
                                "service_name",
                                service.toString(),
                                "event",
                                e.type().name().substring("SERVICE_".length()).toLowerCase(java.util.Locale.ROOT))
                        .register(registry)
                        .increment();
            }
        });
    }

    /** {@code orchestrator_processes{state}}: supervised processes by state (again for each new supervisor). */
    public synchronized void bindSupervisor(dev.baton.supervisor.Supervisor supervisor) {
        processMeters.forEach(registry::remove);
        processMeters.clear();
        for (dev.baton.supervisor.ProcessState state : dev.baton.supervisor.ProcessState.values()) {
            processMeters.add(Gauge.builder(
                            "orchestrator.processes",
                            supervisor,
                            sup -> sup.processes().values().stream()
                                    .flatMap(List::stream)
                                    .filter(p -> p.state() == state)
                                    .count())
                    .description("supervised processes by state")
                    .tag("state", state.name())
                    .register(registry));
        }
    }

    private void discovery(Event e) {
        Object service = e.data().get("service");
        Object action = e.data().get("action");
        if (service != null && action != null) {
            Counter.builder("orchestrator.service.discoveries")
                    .description("services registered, discovered, changed and removed at run time")
                    .tags("service_name", service.toString(), "action", action.toString())
                    .register(registry)
                    .increment();
        }
    }

    private final List<Meter> processMeters = new java.util.ArrayList<>();

    /** The proxy's pools, event loops and requests in flight (again for each new proxy). */
    public synchronized void bindProxy(ProxyServer proxy) {
        proxyMeters.forEach(registry::remove);
        proxyMeters.clear();
        List<Meter> m = proxyMeters;
        ConnectionStats c = proxy.connections();
        m.add(Gauge.builder("orchestrator.upstream.connections", c, ConnectionStats::open)
                .description("upstream connections open, by state")
                .tag("state", "open")
                .register(registry));
        m.add(Gauge.builder("orchestrator.upstream.connections", c, ConnectionStats::idle)
                .description("upstream connections open, by state")
                .tag("state", "idle")
                .register(registry));
        m.add(FunctionCounter.builder("orchestrator.upstream.connections.opened", c, ConnectionStats::openedTotal)
                .description("upstream connections opened")
                .register(registry));
        m.add(FunctionCounter.builder("orchestrator.upstream.connections.reused", c, ConnectionStats::reusedTotal)
                .description("requests sent on a pooled connection")
                .register(registry));
        m.add(FunctionCounter.builder("orchestrator.upstream.connections.failed", c, ConnectionStats::failedTotal)
                .description("upstream connections that could not be opened")
                .register(registry));
        ClientConnections clients = proxy.clients();
        m.add(Gauge.builder("orchestrator.client.connections", clients, ClientConnections::open)
                .description("client connections open on the proxy port")
                .register(registry));
        for (ClientConnections.Closed why : ClientConnections.Closed.values()) {
            m.add(FunctionCounter.builder("orchestrator.client.connections.closed", clients, x -> x.closedTotal(why))
                    .description("client connections Baton closed, by reason (a limit or a timeout)")
                    .tag("reason", why.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
        m.add(Gauge.builder("orchestrator.requests.in.flight", proxy, ProxyServer::inFlight)
                .description("requests being proxied")
                .register(registry));
        int loops = proxy.eventLoopLagNanos().size();
        for (int i = 0; i < loops; i++) {
            int loop = i;
            m.add(Gauge.builder("orchestrator.event.loop.lag", proxy, p -> lag(p, loop))
                    .description("how late the event loop last ran a timer: time its tasks held it")
                    .baseUnit("seconds")
                    .tag("loop", Integer.toString(loop))
                    .register(registry));
            m.add(Gauge.builder("orchestrator.event.loop.pending.tasks", proxy, p -> pending(p, loop))
                    .description("tasks waiting on the event loop")
                    .tag("loop", Integer.toString(loop))
                    .register(registry));
        }
        services.bindViolations(proxy.violations());
    }

    private static double lag(ProxyServer p, int loop) {
        var lags = p.eventLoopLagNanos();
        return loop < lags.size() ? lags.get(loop) / 1e9 : Double.NaN;
    }

    private static double pending(ProxyServer p, int loop) {
        var pending = p.eventLoopPendingTasks();
        return loop < pending.size() ? pending.get(loop) : Double.NaN;
    }

    /** How the access log and request events keep up: lines dropped, failures not published. */
    public void bindRequestLogs(AccessLog accessLog, RequestEvents requestEvents) {
        FunctionCounter.builder("orchestrator.access.log.lines", accessLog, AccessLog::written)
                .description("access log lines written")
                .register(registry);
        FunctionCounter.builder("orchestrator.access.log.dropped", accessLog, AccessLog::dropped)
                .description("access log lines dropped because the writer was behind")
                .register(registry);
        FunctionCounter.builder("orchestrator.events.suppressed", requestEvents, RequestEvents::suppressed)
                .description("REQUEST_FAILED events over events.failures-per-second, counted instead")
                .tag("event_type", EventType.REQUEST_FAILED.name())
                .register(registry);
    }

    /** {@code orchestrator_webhook_deliveries_total{result}} (again for each start's webhooks). */
    public synchronized void bindWebhooks(Webhooks webhooks) {
        webhookMeters.forEach(registry::remove);
        webhookMeters.clear();
        for (String result : webhooks.counts().keySet()) {
            webhookMeters.add(FunctionCounter.builder(
                            "orchestrator.webhook.deliveries",
                            webhooks,
                            w -> w.counts().get(result))
                    .description("webhook deliveries: delivered, retried, dead_lettered, lost")
                    .tag("result", result)
                    .register(registry));
        }
    }

    /** {@code orchestrator_spans_total{result}}: exported, dropped (queue full), failed (collector). */
    public void bindTracing(Tracing tracing) {
        Map<String, java.util.function.ToDoubleFunction<Tracing>> results =
                Map.of("exported", Tracing::exported, "dropped", Tracing::dropped, "failed", Tracing::failed);
        results.forEach((result, count) -> FunctionCounter.builder("orchestrator.spans", tracing, count)
                .description("spans exported by OTLP, dropped before export, or refused by the collector")
                .tag("result", result)
                .register(registry));
    }

    /** Follows a new snapshot: per-service meters for new services, none for removed ones. */
    public synchronized void bind(Snapshot snapshot) {
        if (services != null) {
            services.bind(snapshot);
        }
        requests.retain(snapshot.services().keySet());
        requests.enabled(snapshot.config().observability().metrics());
    }

    public RequestMetrics requests() {
        return requests;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text format. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
