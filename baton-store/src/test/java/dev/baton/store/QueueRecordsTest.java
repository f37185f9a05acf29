package dev.baton.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Queued messages in the store, on H2 and PostgreSQL: claims, keys, leases, dedup, dead letters. */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class QueueRecordsTest {
    static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");

    @Parameter
    StoreBackend backend;

    @TempDir
    Path dir;

    StoreBackend.Fresh fresh;
    Store store;
    QueueRecords queues;
    final AtomicInteger ids = new AtomicInteger();

    @BeforeEach
    void open() {
        fresh = backend.fresh(dir);
        store = fresh.open();
        queues = store.queues();
    }

    @AfterEach
    void close() {
        store.close();
        fresh.close();
    }

    QueueRecords.NewMessage message(String queue, int priority, String key, String body) {
        return new QueueRecords.NewMessage(
                queue,
                "m" + ids.incrementAndGet(),
                priority,
                Optional.ofNullable(key),
                T0,
                "{}",
                body.getBytes(StandardCharsets.UTF_8),
                false,
                Optional.empty(),
                T0);
    }

    List<QueueRecords.Message> claim(String queue, int max) {
        return queues.claim(queue, max, T0, T0.plusSeconds(30), () -> "t" + ids.incrementAndGet());
    }

    static String body(QueueRecords.Message m) {
        return new String(m.body(), StandardCharsets.UTF_8);
    }

    static QueueRecords.Receipt receipt(QueueRecords.Message m) {
        return new QueueRecords.Receipt(m.id(), m.receipt().orElseThrow());
    }

    @Test
    void higherPriorityFirstThenOldestFirst() {
        queues.publish(
                List.of(
                        message("q", 0, null, "a"),
                        message("q", 9, null, "b"),
                        message("q", 5, null, "c"),
                        message("q", 9, null, "d"),
                        message("other", 9, null, "x")),
                T0);
        assertThat(claim("q", 10)).extracting(QueueRecordsTest::body).containsExactly("b", "d", "c", "a");
        assertThat(claim("q", 10)).as("all leased").isEmpty();
    }

    @Test
    void aKeysMessagesGoOneAtATimeInOrder() {
        queues.publish(
                List.of(
                        message("q", 0, "k", "k1"),
                        message("q", 9, "k", "k2"),
                        message("q", 0, "j", "j1"),
                        message("q", 0, null, "free")),
                T0);
        List<QueueRecords.Message> first = claim("q", 10);
        assertThat(first).extracting(QueueRecordsTest::body).containsExactlyInAnyOrder("k1", "j1", "free");
        assertThat(claim("q", 10)).as("k2 waits for k1, whatever its priority").isEmpty();
        QueueRecords.Message k1 =
                first.stream().filter(m -> body(m).equals("k1")).findFirst().orElseThrow();
        assertThat(queues.ack("q", List.of(receipt(k1))).ok()).isTrue();
        assertThat(claim("q", 10)).extracting(QueueRecordsTest::body).containsExactly("k2");
    }

    @Test
    void concurrentConsumersNeverShareAMessageNorBreakAKeysOrder() throws Exception {
        List<QueueRecords.NewMessage> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            batch.add(message("q", 0, "k" + (i % 5), Integer.toString(i)));
        }
        queues.publish(batch, T0);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> consumers = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            consumers.add(pool.submit(() -> {
                go.await();
                int idle = 0;
                while (delivered.size() < 200 && idle < 200) {
                    List<QueueRecords.Message> got = claim("q", 2);
                    if (got.isEmpty()) {
                        idle++;
                        Thread.onSpinWait();
                        continue;
                    }
                    for (QueueRecords.Message m : got) {
                        String key = m.key().orElseThrow();
                        if (inFlight.computeIfAbsent(key, k -> new AtomicInteger())
                                        .incrementAndGet()
                                > 1) {
                            overlaps.incrementAndGet();
                        }
                        if (!delivered.add(m.id())) {
                            duplicates.incrementAndGet();
                        }
                        seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(Integer.parseInt(body(m)));
                        inFlight.get(key).decrementAndGet();
                        assertThat(queues.ack("q", List.of(receipt(m))).ok()).isTrue();
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : consumers) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(delivered).hasSize(200);
        assertThat(duplicates).hasValue(0);
        assertThat(overlaps).as("two messages of one key out at once").hasValue(0);
        seen.values().forEach(order -> assertThat(order).isSorted());
    }

    @Test
    void aStaleReceiptRefusesTheWholeCall() {
        queues.publish(List.of(message("q", 0, null, "a"), message("q", 0, null, "b")), T0);
        List<QueueRecords.Message> got = claim("q", 2);
        QueueRecords.Receipt a = receipt(got.get(0));
        QueueRecords.Receipt b = receipt(got.get(1));
        // b's lease runs out and someone else leases it.
        assertThat(queues.expire(T0.plusSeconds(31), Map.of("q", 5), 100))
                .hasSize(2)
                .noneMatch(QueueRecords.Ended::dead);
        List<QueueRecords.Message> again = queues.claim("q", 1, T0.plusSeconds(31), T0.plusSeconds(60), () -> "new");
        assertThat(again).hasSize(1);
        QueueRecords.Receipt stale = again.get(0).id().equals(a.id()) ? a : b;
        QueueRecords.Receipt fine = stale == a ? b : a;
        QueueRecords.Settled s = queues.ack("q", List.of(fine, stale));
        assertThat(s.ok()).isFalse();
        assertThat(s.stale()).containsExactly(stale);
        assertThat(queues.get("q", fine.id())).as("nothing acked").isPresent();
        assertThat(queues.ack("q", List.of(fine)).ok())
                .as("a lease that ran out with no one leasing since is still the worker's to ack")
                .isTrue();
        assertThat(queues.ack("q", List.of(fine)).ok())
                .as("acking twice is fine")
                .isTrue();
        assertThat(queues.nack("q", List.of(fine), T0, "nack", n -> Optional.of(T0))
                        .ok())
                .as("but a nack of a message that is gone is refused")
                .isFalse();
        assertThat(queues.extend("q", List.of(new QueueRecords.Receipt(stale.id(), "new")), T0.plusSeconds(90))
                        .ok())
                .isTrue();
        assertThat(queues.get("q", stale.id()).orElseThrow().dueAt()).isEqualTo(T0.plusSeconds(90));
    }

    @Test
    void failedAttemptsBackOffThenDieKeepingBodyAndErrors() {
        queues.publish(List.of(message("q", 3, "k", "payload")), T0);
        QueueRecords.Retry retry = attempt -> attempt >= 2 ? Optional.empty() : Optional.of(T0.plusSeconds(10));
        QueueRecords.Message m = claim("q", 1).get(0);
        assertThat(m.attempt()).isEqualTo(1);
        assertThat(queues.nack("q", List.of(receipt(m)), T0.plusSeconds(1), "status 503: busy", retry)
                        .ok())
                .isTrue();
        assertThat(claim("q", 1)).as("not before its backoff").isEmpty();
        QueueRecords.Message m2 = queues.claim("q", 1, T0.plusSeconds(10), T0.plusSeconds(40), () -> "t2")
                .get(0);
        assertThat(m2.attempt()).isEqualTo(2);
        assertThat(queues.nack("q", List.of(receipt(m2)), T0.plusSeconds(11), "nack", retry)
                        .ok())
                .isTrue();
        assertThat(queues.claim("q", 1, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)), () -> "t3"))
                .isEmpty();
        List<QueueRecords.Message> dead = queues.deadLetters("q", 10);
        assertThat(dead).hasSize(1);
        assertThat(body(dead.get(0))).isEqualTo("payload");
        assertThat(dead.get(0).attempts())
                .extracting(QueueRecords.Attempt::error)
                .containsExactly("status 503: busy", "nack");
        assertThat(dead.get(0).attempts().get(0).at()).isEqualTo(T0.plusSeconds(1));

        assertThat(queues.redrive("q", Optional.of(List.of("nope")), T0)).isZero();
        assertThat(queues.redrive("q", Optional.empty(), T0.plus(Duration.ofDays(1))))
                .isEqualTo(1);
        QueueRecords.Message back = queues.claim(
                        "q", 1, T0.plus(Duration.ofDays(1)), T0.plus(Duration.ofDays(2)), () -> "t4")
                .get(0);
        assertThat(back.attempt()).as("fresh attempts").isEqualTo(1);
        assertThat(queues.get("q", back.id()).orElseThrow().attempts()).isEmpty();
    }

    @Test
    void aLeaseThatRunsOutPastTheLastAttemptDies() {
        queues.publish(List.of(message("q", 0, null, "a")), T0);
        claim("q", 1);
        assertThat(queues.expire(T0.plusSeconds(29), Map.of("q", 1), 100)).isEmpty();
        assertThat(queues.expire(T0.plusSeconds(30), Map.of("other", 1), 100))
                .as("a queue it does not know keeps its leases")
                .isEmpty();
        assertThat(queues.expire(T0.plusSeconds(30), Map.of("q", 1), 100))
                .singleElement()
                .matches(QueueRecords.Ended::dead);
        assertThat(queues.deadLetters("q", 10).get(0).attempts())
                .extracting(QueueRecords.Attempt::error)
                .containsExactly("lease expired");
        assertThat(queues.purgeDeadLetters("q", Optional.empty())).isEqualTo(1);
        assertThat(queues.deadLetters("q", 10)).isEmpty();
    }

    @Test
    void aDedupIdWithinItsWindowIsDroppedAndAnsweredWithTheFirstId() {
        QueueRecords.NewMessage first = dedup(message("q", 0, null, "a"), "order-1", T0.plusSeconds(60));
        QueueRecords.NewMessage again = dedup(message("q", 0, null, "b"), "order-1", T0.plusSeconds(70));
        QueueRecords.NewMessage otherQueue = dedup(message("r", 0, null, "c"), "order-1", T0.plusSeconds(60));
        assertThat(queues.publish(List.of(first, again, otherQueue), T0))
                .containsExactly(first.id(), first.id(), otherQueue.id());
        QueueRecords.NewMessage later = dedup(message("q", 0, null, "d"), "order-1", T0.plusSeconds(200));
        assertThat(queues.publish(List.of(later), T0.plusSeconds(30))).containsExactly(first.id());
        assertThat(queues.publish(List.of(later), T0.plusSeconds(60)))
                .as("after the window it is a new message")
                .containsExactly(later.id());
        assertThat(claim("q", 10)).extracting(QueueRecordsTest::body).containsExactly("a", "d");
        assertThat(queues.forgetDedupIds(T0.plusSeconds(500))).isEqualTo(2);
    }

    static QueueRecords.NewMessage dedup(QueueRecords.NewMessage m, String id, Instant until) {
        return new QueueRecords.NewMessage(
                m.queue(),
                m.id(),
                m.priority(),
                m.key(),
                m.dueAt(),
                m.headers(),
                m.body(),
                m.json(),
                Optional.of(id),
                until);
    }

    @Test
    void depthsCountEachStateAndTheOldestDue() {
        queues.publish(List.of(message("q", 0, null, "a"), message("q", 0, null, "b")), T0);
        QueueRecords.NewMessage later = message("q", 0, null, "later");
        queues.publish(
                List.of(new QueueRecords.NewMessage(
                        "q",
                        later.id(),
                        0,
                        Optional.empty(),
                        T0.plus(Duration.ofHours(1)),
                        "{}",
                        later.body(),
                        false,
                        Optional.empty(),
                        T0)),
                T0);
        claim("q", 1);
        List<QueueRecords.Depth> d = queues.depths(T0.plusSeconds(5));
        assertThat(d)
                .containsExactlyInAnyOrder(
                        new QueueRecords.Depth("q", QueueRecords.State.READY, 2, Optional.of(T0)),
                        new QueueRecords.Depth("q", QueueRecords.State.LEASED, 1, Optional.empty()));
        assertThat(queues.drop("q")).isEqualTo(3);
        assertThat(queues.depths(T0)).isEmpty();
    }

    @Test
    void declarationsAreReplacedAndRemoved() {
        queues.declare(new QueueRecords.Declaration("queue", "jobs", "{}", T0));
        queues.declare(new QueueRecords.Declaration("queue", "jobs", "{\"max-attempts\": 2}", T0.plusSeconds(1)));
        queues.declare(new QueueRecords.Declaration("topic", "jobs", "{}", T0));
        assertThat(queues.declarations())
                .containsExactly(
                        new QueueRecords.Declaration("queue", "jobs", "{\"max-attempts\": 2}", T0.plusSeconds(1)),
                        new QueueRecords.Declaration("topic", "jobs", "{}", T0));
        assertThat(queues.undeclare("queue", "jobs")).isTrue();
        assertThat(queues.undeclare("queue", "jobs")).isFalse();
    }
}
