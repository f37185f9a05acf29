package dev.baton.saga;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The sagas' meters: {@code orchestrator_sagas_total{saga,state}} (started, and each
 * state a saga reaches: completed, compensated, cancelled, stuck),
 * {@code orchestrator_saga_duration_seconds{saga}} from start to end,
 * {@code orchestrator_saga_steps_total{saga,step,result}} (succeeded, retried,
 * failed, compensated, compensation_retried) and {@code orchestrator_sagas_running{saga}}
 * (running or compensating). Tags are bounded by the definitions: a saga's and a
 * step's names, never an id. Meters appear as each saga name first runs.
 */
public final class SagaMeters implements MeterBinder {
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    private volatile @Nullable MeterRegistry registry;

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        running.keySet().forEach(this::gauge);
    }

    /** A saga of {@code saga} started (or resumed: {@code counted} false, it was counted when it started). */
    public void started(String saga, boolean counted) {
        running.computeIfAbsent(saga, k -> {
                    AtomicInteger n = new AtomicInteger();
                    gauge(k, n);
                    return n;
                })
                .incrementAndGet();
        if (counted) {
            count(saga, "started");
        }
    }

    /** It reached {@code state}; {@code took} from its start when it has ended. */
    public void reached(String saga, SagaState state, @Nullable Duration took) {
        count(saga, state.name().toLowerCase(Locale.ROOT));
        if (state.ended() || state == SagaState.STUCK) {
            AtomicInteger n = running.get(saga);
            if (n != null) {
                n.decrementAndGet();
            }
        }
        MeterRegistry r = registry;
        if (r != null && took != null) {
            Timer.builder("orchestrator.saga.duration")
                    .description("sagas from start to end")
                    .tag("saga", saga)
                    .register(r)
                    .record(took);
        }
    }

    /** A stuck saga an operator retried or skipped runs again. */
    public void unstuck(String saga) {
        AtomicInteger n = running.get(saga);
        if (n != null) {
            n.incrementAndGet();
        }
    }

    /** One step's call or compensation ended with {@code result}. */
    public void step(String saga, String step, String result) {
        MeterRegistry r = registry;
        if (r != null) {
            Counter.builder("orchestrator.saga.steps")
                    .description("saga steps' calls and compensations by how they ended")
                    .tag("saga", saga)
                    .tag("step", step)
                    .tag("result", result)
                    .register(r)
                    .increment();
        }
    }

    private void count(String saga, String state) {
        MeterRegistry r = registry;
        if (r != null) {
            Counter.builder("orchestrator.sagas")
                    .description("sagas started, and the states they reached")
                    .tag("saga", saga)
                    .tag("state", state)
                    .register(r)
                    .increment();
        }
    }

    private void gauge(String saga) {
        AtomicInteger n = running.get(saga);
        if (n != null) {
            gauge(saga, n);
        }
    }

    private void gauge(String saga, AtomicInteger n) {
        MeterRegistry r = registry;
        if (r != null) {
            Gauge.builder("orchestrator.sagas.running", n, AtomicInteger::get)
                    .description("sagas running or compensating")
                    .tag("saga", saga)
                    .register(r);
        }
    }
}
