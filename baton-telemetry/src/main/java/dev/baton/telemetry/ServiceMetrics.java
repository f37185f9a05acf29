package dev.baton.telemetry;

import dev.baton.control.RateLimitPolicy;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.health.HealthStatus;
import dev.baton.resilience.Bulkhead;
import dev.baton.resilience.RetryBudget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Meters of each service's health, breakers, retries, bulkhead and rate limits,
 * read from the objects that keep them (function meters: nothing on the request
 * path). Labels are bounded: a service, or a limit's name (never a client's key).
 * {@link #bind} follows each new snapshot, adding meters for new objects and
 * removing those of objects that are gone.
 */
public final class ServiceMetrics {
    private final MeterRegistry registry;
    private final Function<ServiceTarget, HealthStatus> health;
    private final Map<Object, List<Meter>> bound = new IdentityHashMap<>();

    /** {@code health} tells a service's health as the admin API shows it. */
    public ServiceMetrics(MeterRegistry registry, Function<ServiceTarget, HealthStatus> health) {
        this.registry = registry;
        this.health = health;
    }

    public synchronized void bind(Snapshot snapshot) {
        Map<Object, Runnable> wanted = new IdentityHashMap<>();
        Map<String, RateLimitPolicy> limits = new HashMap<>();
        for (ServiceTarget s : snapshot.services().values()) {
            wanted.put(s, () -> bindService(s));
            s.rateLimit().ifPresent(l -> limits.put(l.name(), l));
        }
        snapshot.routeLimits().forEach(l -> limits.put(l.name(), l));
        limits.values().forEach(l -> wanted.put(l, () -> bindLimit(l)));
        for (var it = bound.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().forEach(registry::remove);
                it.remove();
            }
        }
        wanted.forEach((object, bind) -> {
            if (!bound.containsKey(object)) {
                bind.run();
            }
        });
    }

    private void bindService(ServiceTarget s) {
        List<Meter> meters = new ArrayList<>();
        String name = s.id();
        meters.add(Gauge.builder("orchestrator.service.health.status", s, t -> healthValue(health.apply(t)))
                .description("1 healthy, 0.5 degraded, 0 unhealthy, NaN not known yet")
                .tag("service_name", name)
                .register(registry));
        s.breakers().state().ifPresent(ignored -> {
            for (CircuitBreaker.State state : Set.of(
                    CircuitBreaker.State.CLOSED,
                    CircuitBreaker.State.OPEN,
                    CircuitBreaker.State.HALF_OPEN,
                    CircuitBreaker.State.FORCED_OPEN)) {
                meters.add(Gauge.builder(
                                "orchestrator.circuit.breaker.state",
                                s,
                                t -> t.breakers().state().orElse(null) == state ? 1 : 0)
                        .description("1 for the breaker's current state, 0 for the others")
                        .tags("service_name", name, "state", state.name())
                        .register(registry));
            }
        });
        s.retryBudget().ifPresent(budget -> {
            meters.add(FunctionCounter.builder("orchestrator.retries", budget, RetryBudget::retried)
                    .description("retries started")
                    .tag("service_name", name)
                    .register(registry));
            meters.add(FunctionCounter.builder("orchestrator.retry.budget.exhausted", budget, RetryBudget::exhausted)
                    .description("retries the retry budget refused")
                    .tag("service_name", name)
                    .register(registry));
        });
        s.bulkhead().ifPresent(bulkhead -> {
            meters.add(FunctionCounter.builder("orchestrator.bulkhead.rejected", bulkhead, Bulkhead::rejected)
                    .description("requests refused because the service had max-concurrent in flight")
                    .tag("service_name", name)
                    .register(registry));
        });
        bound.put(s, meters);
    }

    static double healthValue(HealthStatus status) {
        return switch (status) {
            case HEALTHY -> 1;
            case DEGRADED -> 0.5;
            case UNHEALTHY -> 0;
            case UNKNOWN -> Double.NaN;
        };
    }

    private void bindLimit(RateLimitPolicy l) {
        bound.put(
                l,
                List.of(FunctionCounter.builder("orchestrator.rate.limit.exceeded", l, RateLimitPolicy::refused)
                        .description("requests refused by a rate limit")
                        .tag("identifier", l.name())
                        .register(registry)));
    }
}
