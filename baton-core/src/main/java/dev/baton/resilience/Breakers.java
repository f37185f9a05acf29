package dev.baton.resilience;

import dev.baton.config.ServiceConfig;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The circuit breakers of one service: one for the whole service, or one per
 * instance ({@code scope: instance}). Resilience4j keeps the state machines; this
 * class is the glue: it builds them from config, judges outcomes by
 * {@code failure-on}, and turns every transition into a CIRCUIT_BREAKER_* event.
 * Thread-safe, lock-free on the request path (Resilience4j's breakers are).
 */
public final class Breakers {
    /** A service without a circuit breaker: every call is permitted, nothing is recorded. */
    public static final Breakers NONE = new Breakers();

    private final String serviceId;
    private final ServiceConfig.@Nullable CircuitBreaker config; // null only for NONE
    private final @Nullable CircuitBreaker shared; // null with per-instance breakers, and for NONE
    private final Map<String, CircuitBreaker> perInstance;

    private Breakers() {
        this.serviceId = "";
        this.config = null;
        this.shared = null;
        this.perInstance = Map.of();
    }

    private Breakers(
            String serviceId,
            ServiceConfig.CircuitBreaker config,
            List<String> instanceIds,
            Clock clock,
            EventSink events) {
        this.serviceId = serviceId;
        this.config = config;
        CircuitBreakerConfig r4j = r4jConfig(config, clock);
        if (config.perInstance()) {
            Map<String, CircuitBreaker> map = new LinkedHashMap<>();
            for (String id : instanceIds) {
                map.put(id, watched(CircuitBreaker.of(serviceId + "/" + id, r4j), Optional.of(id), events));
            }
            this.perInstance = map;
            this.shared = null;
        } else {
            this.perInstance = Map.of();
            this.shared = watched(CircuitBreaker.of(serviceId, r4j), Optional.empty(), events);
        }
    }

    /** The breakers {@code service} asks for, or {@link #NONE}. */
    public static Breakers of(ServiceConfig service, Clock clock, EventSink events) {
        return service.circuitBreaker()
                .map(cb -> new Breakers(
                        service.id(),
                        cb,
                        service.instances().stream()
                                .map(ServiceConfig.Instance::id)
                                .toList(),
                        clock,
                        events))
                .orElse(NONE);
    }

    static CircuitBreakerConfig r4jConfig(ServiceConfig.CircuitBreaker c, Clock clock) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.custom()
                .clock(clock)
                .slidingWindow(
                        c.windowSize(),
                        Math.min(c.minimumCalls(), c.timeWindow() ? Integer.MAX_VALUE : c.windowSize()),
                        c.timeWindow()
                                ? CircuitBreakerConfig.SlidingWindowType.TIME_BASED
                                : CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .failureRateThreshold(c.failureRateThreshold())
                .waitDurationInOpenState(c.openDuration())
                .permittedNumberOfCallsInHalfOpenState(c.halfOpenCalls())
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .recordException(t -> true);
        c.slowCallDuration()
                .ifPresent(d -> b.slowCallDurationThreshold(d).slowCallRateThreshold(c.slowCallRateThreshold()));
        if (c.slowCallDuration().isEmpty()) {
            b.slowCallRateThreshold(100).slowCallDurationThreshold(Duration.ofDays(1));
        }
        return b.build();
    }

    private CircuitBreaker watched(CircuitBreaker cb, Optional<String> instance, EventSink events) {
        cb.getEventPublisher().onStateTransition(e -> {
            if (e.getStateTransition().getFromState() == e.getStateTransition().getToState()) {
                return; // a reset or a repeated operator action: no news
            }
            EventType type = switch (e.getStateTransition().getToState()) {
                case OPEN, FORCED_OPEN -> EventType.CIRCUIT_BREAKER_OPENED;
                case HALF_OPEN -> EventType.CIRCUIT_BREAKER_HALF_OPEN;
                default -> EventType.CIRCUIT_BREAKER_CLOSED;
            };
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("service", serviceId);
            instance.ifPresent(i -> data.put("instance", i));
            data.put("state", e.getStateTransition().getToState().name());
            data.put("previous", e.getStateTransition().getFromState().name());
            data.put("failureRate", cb.getMetrics().getFailureRate());
            data.put("slowCallRate", cb.getMetrics().getSlowCallRate());
            events.publish(type, data);
        });
        return cb;
    }

    public boolean enabled() {
        return config != null;
    }

    public Optional<ServiceConfig.CircuitBreaker> config() {
        return Optional.ofNullable(config);
    }

    /** The breaker that guards calls to {@code instanceId}, null when none does. */
    private @Nullable CircuitBreaker breaker(String instanceId) {
        return shared != null ? shared : perInstance.get(instanceId);
    }

    /** Asks to call {@code instanceId}; false while its breaker is open. Permitted calls must be settled. */
    public boolean tryAcquire(String instanceId) {
        CircuitBreaker cb = breaker(instanceId);
        return cb == null || cb.tryAcquirePermission();
    }

    /** A permitted call that was never made, or whose outcome says nothing about the upstream. */
    public void release(String instanceId) {
        CircuitBreaker cb = breaker(instanceId);
        if (cb != null) {
            cb.releasePermission();
        }
    }

    /** Settles a permitted call: its outcome, the response status when answered, and how long it took. */
    public void record(String instanceId, Outcome outcome, int status, long nanos) {
        CircuitBreaker cb = breaker(instanceId);
        if (cb == null) {
            return;
        }
        if (isFailure(outcome, status)) {
            cb.onError(nanos, TimeUnit.NANOSECONDS, new UpstreamFailure(outcome, status));
        } else {
            cb.onSuccess(nanos, TimeUnit.NANOSECONDS);
        }
    }

    boolean isFailure(Outcome outcome, int status) {
        if (config == null) {
            return false; // NONE records nothing, so judges nothing
        }
        ServiceConfig.FailureOn f = config.failureOn();
        return switch (outcome) {
            case ANSWERED -> f.statuses().contains(status);
            case CONNECT_FAILURE -> f.connect();
            case TIMEOUT -> f.timeout();
            case RESET -> f.reset();
        };
    }

    /** Whether any call to the service could be permitted now (without taking a permit). */
    public boolean anyClosed() {
        if (shared != null) {
            return permitting(shared);
        }
        return perInstance.values().stream().anyMatch(Breakers::permitting);
    }

    private static boolean permitting(CircuitBreaker cb) {
        return switch (cb.getState()) {
            case OPEN, FORCED_OPEN -> false;
            default -> true;
        };
    }

    /** The service's breaker state; for per-instance breakers, OPEN only when all are open. */
    public Optional<CircuitBreaker.State> state() {
        if (shared != null) {
            return Optional.of(shared.getState());
        }
        if (perInstance.isEmpty()) {
            return Optional.empty();
        }
        if (perInstance.values().stream().noneMatch(Breakers::permitting)) {
            return Optional.of(CircuitBreaker.State.OPEN);
        }
        boolean halfOpen =
                perInstance.values().stream().anyMatch(cb -> cb.getState() == CircuitBreaker.State.HALF_OPEN);
        return Optional.of(halfOpen ? CircuitBreaker.State.HALF_OPEN : CircuitBreaker.State.CLOSED);
    }

    /** Every breaker by instance id ("" for the service-wide one), for the admin API. */
    public Map<String, CircuitBreaker> all() {
        return shared != null ? Map.of("", shared) : perInstance;
    }

    /** Operator actions: {@code open} forces open until closed or reset, {@code close} closes, {@code reset} forgets. */
    public void apply(String action) {
        for (CircuitBreaker cb : all().values()) {
            switch (action) {
                case "open" -> cb.transitionToForcedOpenState();
                case "close" -> cb.transitionToClosedState();
                case "reset" -> cb.reset();
                default ->
                    throw new IllegalArgumentException(
                            "'" + action + "' is not a breaker action (expected open, close or reset)");
            }
        }
    }

    /** What a breaker records as the cause of a failed call: cheap, no stack trace. */
    static final class UpstreamFailure extends RuntimeException {
        UpstreamFailure(Outcome outcome, int status) {
            super(outcome == Outcome.ANSWERED ? "status " + status : outcome.name(), null, false, false);
        }
    }
}
