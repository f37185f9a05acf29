package dev.baton.telemetry;

import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.events.Event;
import dev.baton.events.EventBus;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.lifecycle.Component;
import dev.baton.security.SecurityViolations;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
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
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Everything {@code GET /metrics} shows, on one Prometheus registry: requests and
 * health checks ({@link RequestMetrics}), each service's state
 * ({@link ServiceMetrics}), the registry's counts, the event bus and the JVM, plus
 * what each component contributes as a Micrometer {@link MeterBinder} through
 * {@link #bind} (the proxy's pools and event loops, the supervisor's processes,
 * webhooks, tracing, the access log). A component owns its meters; Metrics keeps
 * track of which are whose, so that a component started again replaces its own.
 */
public final class Metrics implements Component<Snapshot> {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RequestMetrics requests = new RequestMetrics(registry.getPrometheusRegistry());
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Map<EventType, Counter> published = new EnumMap<>(EventType.class);
    private final Map<String, List<Meter>> bound = new java.util.HashMap<>();
    // The meters a binder registers are those added on the binding thread while it runs.
    private final ThreadLocal<List<Meter>> binding = new ThreadLocal<>();
    private @Nullable ServiceMetrics services; // from bindRegistry

    public Metrics() {
        registry.config().onMeterAdded(m -> {
            List<Meter> into = binding.get();
            if (into != null) {
                into.add(m);
            }
        });
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
                // The constructor registered a counter for every type.
                Objects.requireNonNull(Metrics.this.published.get(type)).increment();
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

    /**
     * Binds a component's meters under {@code key}. Binding again under the same key
     * (a new proxy, supervisor or webhook sender after a restart in the same JVM)
     * first removes the meters the previous binder registered: each component owns
     * its meters, and Metrics only keeps track of which are whose.
     */
    public synchronized void bind(String key, MeterBinder binder) {
        List<Meter> old = bound.remove(key);
        if (old != null) {
            old.forEach(registry::remove);
        }
        List<Meter> added = new ArrayList<>();
        binding.set(added);
        try {
            binder.bindTo(registry);
        } finally {
            binding.remove();
        }
        bound.put(key, added);
    }

    /** {@code orchestrator_security_violations_total{violation_type}}: the proxy's and the admin API's refusals. */
    public void bindViolations(SecurityViolations violations) {
        bind(
                "violations",
                r -> violations
                        .counts()
                        .forEach((type, count) -> FunctionCounter.builder(
                                        "orchestrator.security.violations", count, LongAdder::sum)
                                .description("requests refused for a security reason")
                                .tag("violation_type", type)
                                .register(r)));
    }

    /** The JVM's meters are bound when made; the rest when components bind theirs. */
    @Override
    public void start() {}

    /** Follows a new snapshot (see {@link #bind(Snapshot)}). */
    @Override
    public void apply(Snapshot next) {
        bind(next);
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
