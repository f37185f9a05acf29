package dev.baton.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EventBusTest {
    @Test
    void everySubscriberGetsEveryEventInOrder() {
        try (EventBus bus = new EventBus()) {
            List<String> a = new CopyOnWriteArrayList<>();
            List<String> b = new CopyOnWriteArrayList<>();
            bus.subscribe("a", e -> a.add(e.type()));
            bus.subscribe("b", e -> b.add(e.type()));
            for (int i = 0; i < 100; i++) {
                bus.publish(Event.now("E" + i, Map.of("i", i)));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> a.size() == 100 && b.size() == 100);
            assertThat(a).isEqualTo(b).startsWith("E0", "E1").endsWith("E99");
            assertThat(bus.published()).isEqualTo(100);
        }
    }

    @Test
    void aThrowingOrBlockedSubscriberHurtsOnlyItself() throws Exception {
        try (EventBus bus = new EventBus()) {
            CountDownLatch never = new CountDownLatch(1);
            EventBus.Subscriber stuck = bus.subscribe("stuck", e -> {
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
            EventBus.Subscriber fineSub = bus.subscribe("fine", fine::add);

            // In batches smaller than a queue, letting the healthy subscriber catch up:
            // only the blocked one can overflow, and publishing never waits for it.
            int n = (EventBus.QUEUE / 500 + 3) * 500; // whole batches, well past one queue
            long slowest = 0;
            for (int sent = 0; sent < n; sent += 500) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 500; i++) {
                    bus.publish(Event.now("E", Map.of()));
                }
                slowest = Math.max(slowest, System.nanoTime() - t0);
                int expected = sent + 500;
                await().atMost(Duration.ofSeconds(10)).until(() -> fine.size() == expected);
            }
            assertThat(Duration.ofNanos(slowest)).as("publishing never waits").isLessThan(Duration.ofSeconds(1));
            assertThat(fineSub.dropped()).isZero();
            assertThat(stuck.dropped()).isEqualTo(n - EventBus.QUEUE - 1); // one is held by the stuck handler
            never.countDown();
        }
    }

    @Test
    void eventsCarryTheContractShape() {
        Event e = Event.now(Event.SERVICE_HEALTH_CHANGED, Map.of("service", "orders", "status", "UNHEALTHY"));
        assertThat(e.type()).isEqualTo("SERVICE_HEALTH_CHANGED");
        assertThat(e.time()).isNotNull();
        assertThat(e.data()).containsEntry("service", "orders");
    }
}
