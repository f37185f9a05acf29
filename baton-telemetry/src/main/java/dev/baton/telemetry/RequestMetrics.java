package dev.baton.telemetry;

import dev.baton.control.HealthChecker;
import dev.baton.control.Upstream;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import dev.baton.resilience.Outcome;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * The request and health-check meters of {@code GET /metrics}, recorded as requests end and
 * checks finish. These are on every request, so they are the Prometheus client's
 * own counters and classic histograms (registered in the registry that
 * {@code /metrics} scrapes): an observation is a few uncontended adds, without
 * Micrometer's per-timer maximum and clock reads. Each service's data points are
 * looked up once and kept, counters by status in arrays by code. Labels are
 * bounded: a service id (or {@code unrouted}), a status code or an outcome, never
 * a path or a client's key.
 */
public final class RequestMetrics implements RequestObserver, HealthChecker.Listener {
    /** The service label of requests no route matched, or refused before routing. */
    public static final String UNROUTED = "unrouted";

    /** Gateway latencies in seconds: from well under a millisecond to the 30 s of a slow upstream. */
    static final double[] LATENCY_BUCKETS = {
        0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
    };

    static final double[] SIZE_BUCKETS = {1, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20, 16 << 20};

    private final Counter requests;
    private final Histogram duration;
    private final Counter routing;
    private final Histogram routingDuration;
    private final Histogram payload;
    private final Counter checks;
    private final Histogram checkDuration;
    private final Map<String, ServiceMeters> services = new ConcurrentHashMap<>();
    private volatile boolean enabled = true;

    public RequestMetrics(PrometheusRegistry registry) {
        requests = Counter.builder()
                .name("orchestrator_requests")
                .help("requests answered, by service and status")
                .labelNames("service_name", "status")
                .withoutExemplars()
                .register(registry);
        duration = histogram("orchestrator_request_duration_seconds", "time from a request's arrival to its end")
                .register(registry);
        routing = Counter.builder()
                .name("orchestrator_routing")
                .help("upstream tries, by service and the upstream's status or failure")
                .labelNames("service_name", "status")
                .withoutExemplars()
                .register(registry);
        routingDuration = histogram(
                        "orchestrator_routing_duration_seconds",
                        "time from a try's start to the upstream's response head")
                .register(registry);
        payload = Histogram.builder()
                .name("orchestrator_payload_size_bytes")
                .help("request body size")
                .labelNames("service_name")
                .classicOnly()
                .classicUpperBounds(SIZE_BUCKETS)
                .withoutExemplars()
                .register(registry);
        checks = Counter.builder()
                .name("orchestrator_health_checks")
                .help("active health checks, by service and result")
                .labelNames("service_name", "status")
                .withoutExemplars()
                .register(registry);
        checkDuration = histogram("orchestrator_health_check_duration_seconds", "time an active health check took")
                .register(registry);
    }

    private static Histogram.Builder histogram(String name, String help) {
        return Histogram.builder()
                .name(name)
                .help(help)
                .labelNames("service_name")
                .classicOnly()
                .classicUpperBounds(LATENCY_BUCKETS)
                .withoutExemplars();
    }

    /** Whether proxied requests are measured ({@code metrics.enabled}); health checks always are. */
    public void enabled(boolean on) {
        enabled = on;
    }

    /** A service's health-check data points, made together on its first check. */
    private record CheckMeters(CounterDataPoint passed, CounterDataPoint failed, DistributionDataPoint duration) {}

    /** One service's data points; those by status are made on first use. */
    private final class ServiceMeters {
        final String service;
        final AtomicReferenceArray<CounterDataPoint> byStatus = new AtomicReferenceArray<>(600);
        final AtomicReferenceArray<CounterDataPoint> triesBy =
                new AtomicReferenceArray<>(600 + Outcome.values().length);
        final DistributionDataPoint duration;
        final DistributionDataPoint routingDuration;
        final DistributionDataPoint payload;
        // Only for services with checks (made on the first): no empty series for the others.
        volatile @Nullable CheckMeters checkMeters;

        ServiceMeters(String service) {
            this.service = service;
            this.duration = RequestMetrics.this.duration.labelValues(service);
            this.routingDuration = RequestMetrics.this.routingDuration.labelValues(service);
            this.payload = RequestMetrics.this.payload.labelValues(service);
        }

        void checked(boolean ok, long nanos) {
            CheckMeters m = checkMeters;
            if (m == null) {
                m = new CheckMeters(
                        checks.labelValues(service, "success"),
                        checks.labelValues(service, "failure"),
                        RequestMetrics.this.checkDuration.labelValues(service));
                checkMeters = m;
            }
            (ok ? m.passed() : m.failed()).inc();
            m.duration().observe(nanos / 1e9);
        }

        CounterDataPoint requests(int status) {
            int i = status >= 100 && status < 600 ? status : 0;
            CounterDataPoint c = byStatus.get(i);
            if (c == null) {
                c = requests.labelValues(service, Integer.toString(status));
                byStatus.set(i, c); // the same data point if two threads race
            }
            return c;
        }

        /** By status code, or by failure (past the codes), made on first use. */
        CounterDataPoint routing(Outcome outcome, int status) {
            int i = outcome != Outcome.ANSWERED ? 600 + outcome.ordinal() : status >= 100 && status < 600 ? status : 0;
            CounterDataPoint c = triesBy.get(i);
            if (c == null) {
                c = routing.labelValues(
                        service,
                        outcome == Outcome.ANSWERED
                                ? Integer.toString(status)
                                : outcome.name().toLowerCase(Locale.ROOT));
                triesBy.set(i, c);
            }
            return c;
        }
    }

    /** Drops the data points of services that are gone. */
    public void retain(Set<String> ids) {
        services.values().removeIf(m -> {
            if (m.service.equals(UNROUTED) || ids.contains(m.service)) {
                return false;
            }
            for (Histogram h : new Histogram[] {duration, routingDuration, checkDuration, payload}) {
                h.remove(m.service);
            }
            for (Counter c : new Counter[] {requests, routing, checks}) {
                c.removeIf(labels -> labels.get(0).equals(m.service));
            }
            return true;
        });
    }

    private ServiceMeters meters(String service) {
        ServiceMeters m = services.get(service);
        return m != null ? m : services.computeIfAbsent(service, ServiceMeters::new);
    }

    private static String service(ProxiedRequest r) {
        return r.route() == null ? UNROUTED : r.route().service().id();
    }

    @Override
    public void tried(ProxiedRequest request, Upstream upstream, Outcome outcome, int status, long nanos) {
        if (!enabled) {
            return;
        }
        ServiceMeters m = meters(service(request));
        m.routing(outcome, status).inc();
        m.routingDuration.observe(nanos / 1e9);
    }

    @Override
    public void completed(ProxiedRequest request) {
        if (!enabled) {
            return;
        }
        ServiceMeters m = meters(service(request));
        m.requests(request.status()).inc();
        m.duration.observe(request.durationNanos() / 1e9);
        m.payload.observe(request.bytesIn());
    }

    @Override
    public void checked(String service, String instance, boolean passed, long nanos) {
        meters(service).checked(passed, nanos);
    }
}
