package dev.baton.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.ConfigLoader;
import dev.baton.config.ServiceConfig;
import dev.baton.events.Event;
import dev.baton.events.EventType;
import dev.baton.testing.FakeClock;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BreakersTest {
    final FakeClock clock = new FakeClock();
    final List<Event> events = new ArrayList<>();

    Breakers breakers(String breakerYaml) {
        ServiceConfig s = new ConfigLoader(Map.of())
                .parse("""
                        services:
                          orders:
                            instances: [ "http://10.0.0.1:1", "http://10.0.0.2:1" ]
                            circuit-breaker: %s
                        """.formatted(breakerYaml), "baton.yaml")
                .services()
                .get("orders");
        return Breakers.of(
                s,
                clock,
                (type, data) ->
                        events.add(new Event(events.size() + 1, type, clock.instant(), new java.util.HashMap<>(data))));
    }

    static void fail(Breakers b, String instance, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(b.tryAcquire(instance)).isTrue();
            b.record(instance, Outcome.CONNECT_FAILURE, 0, 1_000_000);
        }
    }

    static void succeed(Breakers b, String instance, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(b.tryAcquire(instance)).isTrue();
            b.record(instance, Outcome.ANSWERED, 200, 1_000_000);
        }
    }

    @Test
    void opensShedsHalfOpensAndClosesOnTheClock() {
        Breakers b = breakers(
                "{ minimum-calls: 4, window-size: 10, failure-rate-threshold: 50, open-duration: 10s, half-open-calls: 2 }");
        succeed(b, "orders-0", 2);
        fail(b, "orders-0", 1);
        assertThat(b.state()).contains(CircuitBreaker.State.CLOSED);
        fail(b, "orders-1", 1); // 2 of 4 failed: 50%
        assertThat(b.state()).contains(CircuitBreaker.State.OPEN);
        assertThat(b.tryAcquire("orders-0")).as("shed while open").isFalse();
        assertThat(b.anyClosed()).isFalse();

        clock.advance(Duration.ofSeconds(9));
        assertThat(b.tryAcquire("orders-0")).isFalse();
        clock.advance(Duration.ofMillis(1001)); // just past open-duration
        succeed(b, "orders-0", 2);
        assertThat(b.state()).contains(CircuitBreaker.State.CLOSED);
        assertThat(events)
                .extracting(Event::type)
                .containsExactly(
                        EventType.CIRCUIT_BREAKER_OPENED,
                        EventType.CIRCUIT_BREAKER_HALF_OPEN,
                        EventType.CIRCUIT_BREAKER_CLOSED);
        assertThat(events.get(0).data()).containsEntry("service", "orders").containsEntry("failureRate", 50.0f);
    }

    @Test
    void aFailedHalfOpenProbeOpensAgain() {
        Breakers b = breakers("{ minimum-calls: 2, window-size: 2, open-duration: 1s, half-open-calls: 1 }");
        fail(b, "orders-0", 2);
        clock.advance(Duration.ofMillis(1001));
        fail(b, "orders-0", 1);
        assertThat(b.state()).contains(CircuitBreaker.State.OPEN);
        assertThat(b.tryAcquire("orders-0")).isFalse();
    }

    @Test
    void whatCountsAsFailureIsConfigurable() {
        Breakers defaults = breakers("{ minimum-calls: 2 }");
        assertThat(defaults.isFailure(Outcome.ANSWERED, 503)).isTrue();
        assertThat(defaults.isFailure(Outcome.ANSWERED, 429)).isFalse();
        assertThat(defaults.isFailure(Outcome.TIMEOUT, 0)).isTrue();
        Breakers custom = breakers("{ failure-on: [ timeout, 429, 503 ] }");
        assertThat(custom.isFailure(Outcome.ANSWERED, 429)).isTrue();
        assertThat(custom.isFailure(Outcome.ANSWERED, 500)).isFalse();
        assertThat(custom.isFailure(Outcome.CONNECT_FAILURE, 0)).isFalse();
    }

    @Test
    void slowCallsOpenItToo() {
        Breakers b = breakers(
                "{ minimum-calls: 2, window-size: 2, slow-call-duration: 100ms, slow-call-rate-threshold: 50 }");
        b.tryAcquire("orders-0");
        b.record("orders-0", Outcome.ANSWERED, 200, Duration.ofMillis(300).toNanos());
        b.tryAcquire("orders-0");
        b.record("orders-0", Outcome.ANSWERED, 200, Duration.ofMillis(5).toNanos());
        assertThat(b.state()).contains(CircuitBreaker.State.OPEN);
    }

    @Test
    void perInstanceBreakersOpenAloneAndTheServiceOnlyWhenAllDo() {
        Breakers b = breakers("{ scope: instance, minimum-calls: 2, window-size: 2 }");
        fail(b, "orders-0", 2);
        assertThat(b.tryAcquire("orders-0")).isFalse();
        assertThat(b.tryAcquire("orders-1")).isTrue();
        b.release("orders-1");
        assertThat(b.state()).contains(CircuitBreaker.State.CLOSED);
        assertThat(b.anyClosed()).isTrue();
        fail(b, "orders-1", 2);
        assertThat(b.state()).contains(CircuitBreaker.State.OPEN);
        assertThat(events).extracting(e -> e.data().get("instance")).containsExactly("orders-0", "orders-1");
    }

    @Test
    void operatorsForceOpenCloseAndReset() {
        Breakers b = breakers("{ minimum-calls: 2 }");
        b.apply("open");
        assertThat(b.state()).contains(CircuitBreaker.State.FORCED_OPEN);
        assertThat(b.tryAcquire("orders-0")).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(b.tryAcquire("orders-0")).as("forced open stays open").isFalse();
        b.apply("close");
        assertThat(b.state()).contains(CircuitBreaker.State.CLOSED);
        b.apply("close");
        fail(b, "orders-0", 1);
        b.apply("reset");
        assertThat(b.all().get("").getMetrics().getNumberOfBufferedCalls()).isZero();
        assertThatThrownBy(() -> b.apply("explode")).hasMessageContaining("expected open, close or reset");
        assertThat(Breakers.NONE.tryAcquire("x")).isTrue();
        assertThat(Breakers.NONE.state()).isEmpty();
    }
}
