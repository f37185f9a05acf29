package dev.baton.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.FakeClock;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventBusTest {
    /** Counts what the bus reports, as the metrics do. */
    static final class Counts implements EventBus.Observer {
        final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

        long get(String key) {
            return counts.getOrDefault(key, new AtomicLong()).get();
        }

        private void add(String key) {
            counts.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
        }

        @Override
        public void published(EventType type) {
            add("published " + type);
        }

        @Override
        public void handled(EventType type, String handler) {
            add("handled " + type + " " + handler);
        }

        @Override
        public void failed(EventType type, String handler) {
            add("failed " + type + " " + handler);
        }

        @Override
        public void dropped(EventType type, String handler) {
            add("dropped " + handler);
        }
    }

    @Test
    void everySubscriberGetsEveryEventInOrderWithIncreasingIds() {
        try (EventBus bus = new EventBus()) {
            List<Event> a = new CopyOnWriteArrayList<>();
            List<Event> b = new CopyOnWriteArrayList<>();
            bus.subscribe("a", a::add);
            bus.subscribeSync("b", EventFilter.ALL, -1, b::add);
            for (int i = 0; i < 100; i++) {
                bus.publish(EventType.CONFIG_RELOADED, Map.of("i", i));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> a.size() == 100);
            assertThat(b).isEqualTo(a);
            assertThat(a).extracting(e -> e.data().get("i")).startsWith(0, 1).endsWith(99);
            assertThat(a).extracting(Event::id).isSorted().doesNotHaveDuplicates();
            assertThat(bus.published()).isEqualTo(100);
        }
    }

    @Test
    void subscriptionsByTypeAndByPrefix() {
        try (EventBus bus = new EventBus()) {
            List<EventType> services = new ArrayList<>();
            List<EventType> reloads = new ArrayList<>();
            bus.subscribeSync("services", EventFilter.parse("service_*"), -1, e -> services.add(e.type()));
            bus.subscribeSync("reloads", EventFilter.of(EventType.CONFIG_RELOADED), -1, e -> reloads.add(e.type()));
            bus.publish(EventType.SERVICE_REGISTERED, Map.of());
            bus.publish(EventType.CONFIG_RELOADED, Map.of());
            bus.publish(EventType.SERVICE_HEALTH_CHANGED, Map.of());
            bus.publish(EventType.CIRCUIT_BREAKER_OPENED, Map.of());
            assertThat(services).containsExactly(EventType.SERVICE_REGISTERED, EventType.SERVICE_HEALTH_CHANGED);
            assertThat(reloads).containsExactly(EventType.CONFIG_RELOADED);
        }
    }

    @Test
    void filtersNamingNoTypeAreRefused() {
        assertThat(EventFilter.parse("").types()).containsExactlyInAnyOrder(EventType.values());
        assertThat(EventFilter.parse("*").types()).containsExactlyInAnyOrder(EventType.values());
        assertThat(EventFilter.parse("CIRCUIT_BREAKER_*,ALERT_FIRING").types())
                .containsExactlyInAnyOrder(
                        EventType.CIRCUIT_BREAKER_OPENED,
                        EventType.CIRCUIT_BREAKER_HALF_OPEN,
                        EventType.CIRCUIT_BREAKER_CLOSED,
                        EventType.ALERT_FIRING);
        assertThatThrownBy(() -> EventFilter.parse("SERVICE_HEALTH_CHANGD"))
                .hasMessageContaining("'SERVICE_HEALTH_CHANGD' names no event type");
        assertThatThrownBy(() -> EventFilter.parse("NOPE_*")).hasMessageContaining("'NOPE_*'");
    }

    @Test
    void aThrowingOrBlockedSubscriberHurtsOnlyItself() throws Exception {
        Counts counts = new Counts();
        try (EventBus bus = new EventBus(Clock.systemUTC(), 10, counts)) {
            CountDownLatch never = new CountDownLatch(1);
            EventBus.Subscription stuck = bus.subscribe("stuck", EventFilter.ALL, 100, e -> {
                try {
                    never.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            bus.subscribe("throws", e -> {
                throw new IllegalStateException("boom");
            });
            List<Event> fine = new CopyOnWriteArrayList<>();
            EventBus.Subscription fineSub = bus.subscribe("fine", fine::add);

            // In batches smaller than a queue, letting the healthy subscriber catch up:
            // only the blocked one can overflow, and publishing never waits for it.
            int n = 1000;
            long slowest = 0;
            for (int sent = 0; sent < n; sent += 100) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    bus.publish(EventType.REQUEST_FAILED, Map.of());
                }
                slowest = Math.max(slowest, System.nanoTime() - t0);
                int expected = sent + 100;
                await().atMost(Duration.ofSeconds(10)).until(() -> fine.size() == expected);
            }
            assertThat(Duration.ofNanos(slowest)).as("publishing never waits").isLessThan(Duration.ofSeconds(1));
            assertThat(fineSub.dropped()).isZero();
            assertThat(stuck.dropped()).isEqualTo(n - 100 - 1); // one is held by the stuck handler
            assertThat(counts.get("dropped stuck")).isEqualTo(stuck.dropped());
            assertThat(counts.get("published REQUEST_FAILED")).isEqualTo(n);
            assertThat(counts.get("handled REQUEST_FAILED fine")).isEqualTo(n);
            await().atMost(Duration.ofSeconds(5)).until(() -> counts.get("failed REQUEST_FAILED throws") == n);
            never.countDown();
        }
    }

    @Test
    void aSubscriptionResumesAfterAnIdFromTheBoundedHistory() {
        FakeClock clock = new FakeClock();
        try (EventBus bus = new EventBus(clock, 5, EventBus.Observer.NONE)) {
            List<Long> ids = new ArrayList<>();
            bus.subscribeSync("ids", EventFilter.ALL, -1, e -> ids.add(e.id()));
            for (int i = 1; i <= 8; i++) {
                bus.publish(i % 2 == 0 ? EventType.CONFIG_RELOADED : EventType.SERVICE_REGISTERED, Map.of("i", i));
            }
            long base = ids.get(0) - 1; // event n has id base + n; 4..8 are retained
            List<Long> seen = new ArrayList<>();
            EventBus.Subscription s =
                    bus.subscribeSync("resume", EventFilter.ALL, base + 5, e -> seen.add(e.id() - base));
            assertThat(seen).containsExactly(6L, 7L, 8L);
            assertThat(s.gap()).isFalse();
            bus.publish(EventType.CONFIG_RELOADED, Map.of());
            assertThat(seen).containsExactly(6L, 7L, 8L, 9L);

            List<Long> late = new ArrayList<>();
            EventBus.Subscription old =
                    bus.subscribeSync("old", EventFilter.ALL, base + 1, e -> late.add(e.id() - base));
            assertThat(old.gap()).as("events 2 and 3 are gone").isTrue();
            assertThat(late).containsExactly(5L, 6L, 7L, 8L, 9L);

            List<Long> reloads = new ArrayList<>();
            bus.subscribeSync(
                    "filtered", EventFilter.of(EventType.CONFIG_RELOADED), base, e -> reloads.add(e.id() - base));
            assertThat(reloads).containsExactly(6L, 8L, 9L);
            assertThat(bus.history(EventFilter.of(EventType.SERVICE_REGISTERED), base))
                    .extracting(e -> e.id() - base)
                    .containsExactly(5L, 7L);

            // After a restart, ids go on rising: a client resuming from the old run gets all kept since.
            clock.advance(java.time.Duration.ofSeconds(1));
            try (EventBus next = new EventBus(clock, 5, EventBus.Observer.NONE)) {
                next.publish(EventType.CONFIG_RELOADED, Map.of());
                List<Event> resumed = new ArrayList<>();
                EventBus.Subscription r = next.subscribeSync("again", EventFilter.ALL, base + 9, resumed::add);
                assertThat(resumed).hasSize(1);
                assertThat(r.gap())
                        .as("what happened between the runs is unknown")
                        .isTrue();
                EventBus.Subscription all = next.subscribeSync("all", EventFilter.ALL, 0, e -> {});
                assertThat(all.gap())
                        .as("id 0: everything, and this bus has dropped nothing")
                        .isFalse();
            }
            EventBus.Subscription all = bus.subscribeSync("all", EventFilter.ALL, 0, e -> {});
            assertThat(all.gap()).as("id 0 on a bus that dropped 1 to 4").isTrue();
        }
    }

    @Test
    void eventsCarryTheContractShapeInTheirPublishedOrder() {
        try (EventBus bus = new EventBus()) {
            List<Event> seen = new ArrayList<>();
            bus.subscribeSync("test", EventFilter.ALL, -1, seen::add);
            Map<String, Object> data = new java.util.LinkedHashMap<>();
            data.put("service", "orders");
            data.put("status", "UNHEALTHY");
            data.put("error", null);
            bus.publish(EventType.SERVICE_HEALTH_CHANGED, data);
            Event e = seen.get(0);
            assertThat(e.type()).isEqualTo(EventType.SERVICE_HEALTH_CHANGED);
            assertThat(e.time()).isNotNull();
            assertThat(e.data()).containsExactly(Map.entry("service", "orders"), Map.entry("status", "UNHEALTHY"));
            assertThat(new HashMap<>(e.data())).doesNotContainKey("error");
        }
    }
}
