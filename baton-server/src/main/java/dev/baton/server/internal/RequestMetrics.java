package dev.baton.server.internal;

import dev.baton.proxy.HealthChecker;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import dev.baton.proxy.Upstream;
import dev.baton.resilience.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The request and health-check meters of CONTRACT §5, recorded as requests end and
 * checks finish. Each service's meters are looked up once and kept, and counters by
 * status sit in an array by code, so a request costs a map lookup and a few atomic
 * adds. Labels are bounded: a service id (or {@code unrouted}), a status code or an
 * outcome, never a path or a client's key.
 */
public final class RequestMetrics implements RequestObserver, HealthChecker.Listener {
    /** The service label of requests no route matched, or refused before routing. */
    public static final String UNROUTED = "unrouted";

    /** Gateway latencies: from well under a millisecond to the 30 s of a slow upstream. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1).dividedBy(2),
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(25),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(250),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofMillis(2500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30)
    };

    static final double[] SIZE_BUCKETS = {1, 256, 1024, 4096, 16384, 65536, 262144, 1 << 20, 4 << 20, 16 << 20};

    private final MeterRegistry registry;
    private final Map<String, ServiceMeters> services = new ConcurrentHashMap<>();
    private volatile boolean enabled = true;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Whether proxied requests are measured ({@code metrics.enabled}); health checks always are. */
    public void enabled(boolean on) {
        enabled = on;
    }

    /** One service's meters. Counters by status are made on first use. */
    private final class ServiceMeters {
        final String service;
        final AtomicReferenceArray<Counter> requests = new AtomicReferenceArray<>(600);
        final Map<String, Counter> routing = new ConcurrentHashMap<>();
        final AtomicReferenceArray<Counter> routingBy = new AtomicReferenceArray<>(600 + Outcome.values().length);
        final Map<Boolean, Counter> checks = new ConcurrentHashMap<>();
        final Timer duration;
        final Timer routingDuration;
        final Timer checkDuration;
        final DistributionSummary payload;

        ServiceMeters(String service) {
            this.service = service;
            this.duration = timer("orchestrator.request.duration", "time from a request's arrival to its end");
            this.routingDuration =
                    timer("orchestrator.routing.duration", "time from a try's start to the upstream's response head");
            this.checkDuration = timer("orchestrator.health.check.duration", "time an active health check took");
            this.payload = DistributionSummary.builder("orchestrator.payload.size")
                    .description("request body size")
                    .baseUnit("bytes")
                    .tag("service_name", service)
                    .serviceLevelObjectives(SIZE_BUCKETS)
                    .register(registry);
        }

        private Timer timer(String name, String description) {
            return Timer.builder(name)
                    .description(description)
                    .tag("service_name", service)
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry);
        }

        void remove() {
            List<io.micrometer.core.instrument.Meter> all =
                    new ArrayList<>(List.of(duration, routingDuration, checkDuration, payload));
            for (int i = 0; i < requests.length(); i++) {
                if (requests.get(i) != null) {
                    all.add(requests.get(i));
                }
            }
            all.addAll(routing.values());
            all.addAll(checks.values());
            all.forEach(registry::remove);
        }

        Counter requests(int status) {
            int i = status >= 100 && status < 600 ? status : 0;
            Counter c = requests.get(i);
            if (c == null) {
                // Registering twice returns the same counter: a race here is harmless.
                c = Counter.builder("orchestrator.requests")
                        .description("requests answered, by service and status")
                        .tags("service_name", service, "status", Integer.toString(status))
                        .register(registry);
                requests.set(i, c);
            }
            return c;
        }

        /** By status code, or by failure (past the codes), made on first use. */
        Counter routing(Outcome outcome, int status) {
            int i = outcome != Outcome.ANSWERED ? 600 + outcome.ordinal() : status >= 100 && status < 600 ? status : 0;
            Counter c = routingBy.get(i);
            if (c == null) {
                c = routing(
                        outcome == Outcome.ANSWERED
                                ? Integer.toString(status)
                                : outcome.name().toLowerCase(Locale.ROOT));
                routingBy.set(i, c);
            }
            return c;
        }

        Counter routing(String status) {
            return routing.computeIfAbsent(
                    status,
                    st -> Counter.builder("orchestrator.routing")
                            .description("upstream tries, by service and the upstream's status or failure")
                            .tags("service_name", service, "status", st)
                            .register(registry));
        }

        Counter checks(boolean passed) {
            return checks.computeIfAbsent(
                    passed,
                    p -> Counter.builder("orchestrator.health.checks")
                            .description("active health checks, by service and result")
                            .tags("service_name", service, "status", p ? "success" : "failure")
                            .register(registry));
        }
    }

    /** Drops the meters of services that are gone. */
    public void retain(java.util.Set<String> ids) {
        services.values().removeIf(m -> {
            if (m.service.equals(UNROUTED) || ids.contains(m.service)) {
                return false;
            }
            m.remove();
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
        m.routing(outcome, status).increment();
        m.routingDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void completed(ProxiedRequest request) {
        if (!enabled) {
            return;
        }
        ServiceMeters m = meters(service(request));
        m.requests(request.status()).increment();
        m.duration.record(request.durationNanos(), TimeUnit.NANOSECONDS);
        m.payload.record(request.bytesIn());
    }

    @Override
    public void checked(String service, String instance, boolean passed, long nanos) {
        ServiceMeters m = meters(service);
        m.checks(passed).increment();
        m.checkDuration.record(nanos, TimeUnit.NANOSECONDS);
    }
}
