package dev.baton.queue;

import static dev.baton.queue.QueueTesting.get;
import static dev.baton.queue.QueueTesting.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.control.DataStore;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.store.StoreBackend;
import dev.baton.testing.FakeClock;
import dev.baton.testing.TestUpstream;
import dev.baton.time.ManualScheduler;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Queues and topics end to end on each store: a real Vert.x, real upstreams, time on a fake clock. */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class QueuesTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(10);

    @Parameter
    StoreBackend backend;

    @TempDir
    Path dir;

    final Vertx vertx = Vertx.vertx();
    final FakeClock clock = new FakeClock();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<String> events = new CopyOnWriteArrayList<>();
    final EventSink sink = (type, data) -> events.add(type + " " + data);
    final List<String> pushed = new CopyOnWriteArrayList<>(); // "attempt body"
    final AtomicReference<Integer> pushStatus = new AtomicReference<>(200);
    StoreBackend.Fresh fresh;
    DataStore data;
    TestUpstream billing;
    volatile Snapshot snapshot;
    Queues queues;

    @BeforeEach
    void start() {
        billing = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    pushed.add(req.getHeader("x-baton-attempt") + " " + body.toString(StandardCharsets.UTF_8));
                    req.response().setStatusCode(pushStatus.get()).end("nope, not now");
                }));
        fresh = backend.fresh(dir.resolve("data"));
        data = new DataStore(
                fresh.dir(),
                fresh.server()
                        .map(p ->
                                new dev.baton.config.StoreConfig(p.url(), p.user(), p.password(), p.maxConnections())));
        queues = queues(config(billing.url().toString()));
    }

    Config config(String billingUrl) {
        return new ConfigLoader(Map.of()).parse("""
                services:
                  billing: { instances: [ "%s" ] }
                queues:
                  jobs: { visibility: 30s, max-attempts: 3, backoff: 1s, max-backoff: 4s, dedup-window: 10m, max-message-size: 1KB }
                  audit-log: {}
                topics:
                  orders:
                    subscriptions:
                      billing: { push: { service: billing, path: /events, timeout: 5s }, max-attempts: 2, backoff: 1s,
                                 filter: { "headers.type": { in: [order.placed] } } }
                      audit: { queue: audit-log }
                      big: { filter: { "body.total": { "!=": 0 }, "body.currency": EUR } }
                """.formatted(billingUrl), "baton.yaml");
    }

    Queues queues(Config config) {
        snapshot = Snapshot.compile(config);
        Queues q = new Queues(vertx, data, () -> snapshot, sink, clock, clock::nanos, scheduler);
        q.start();
        return q;
    }

    @AfterEach
    void stop() throws Exception {
        queues.close();
        data.close();
        fresh.close();
        billing.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    List<String> publish(String queue, Message... messages) throws Exception {
        return get(queues.publish(queue, List.of(messages)));
    }

    List<Delivery> receive(String queue, int max) throws Exception {
        return get(queues.receive(queue, max, Duration.ZERO));
    }

    static List<String> bodies(List<Delivery> ds) {
        return ds.stream().map(d -> d.body().text()).toList();
    }

    static List<String> receipts(List<Delivery> ds) {
        return ds.stream().map(Delivery::receipt).toList();
    }

    /** Lets one poll tick run: it is always scheduled while the queues run. */
    void tick() {
        await().atMost(WAIT).until(() -> scheduler.pending() > 0);
        scheduler.advance(Queues.POLL);
    }

    @Test
    void messagesComeHighestPriorityFirstWithTheirHeadersAndBody() throws Exception {
        publish(
                "jobs",
                Message.of(Map.of("n", 1)),
                Message.of(Map.of("n", 2)).withPriority(9).withHeader("X-Kind", "urgent"),
                Message.bytes(new byte[] {0, 1, 2}).withPriority(5));
        List<Delivery> got = receive("jobs", 10);
        assertThat(bodies(got).get(0)).isEqualTo("{\"n\":2}");
        assertThat(got.get(0).headers()).containsEntry("x-kind", "urgent");
        assertThat(got.get(0).attempt()).isEqualTo(1);
        assertThat(got.get(1).body().isJson()).isFalse();
        assertThat(got.get(1).body().bytes()).containsExactly(0, 1, 2);
        assertThat(bodies(got).get(2)).isEqualTo("{\"n\":1}");
        assertThat(receive("jobs", 10)).as("all leased").isEmpty();
        assertThat(get(queues.ack("jobs", receipts(got)))).isEqualTo(3);
        assertThat(get(queues.ack("jobs", receipts(got))))
                .as("acking again is harmless")
                .isZero();
    }

    @Test
    void aLongPollIsAnsweredByThePublishOrEmptyWhenItsWaitRunsOut() throws Exception {
        CompletableFuture<List<Delivery>> waiting = queues.receive("jobs", 5, Duration.ofSeconds(20));
        assertThat(waiting).isNotDone();
        publish("jobs", Message.of("hello"));
        assertThat(bodies(waiting.get(10, TimeUnit.SECONDS))).containsExactly("\"hello\"");

        CompletableFuture<List<Delivery>> idle = queues.receive("jobs", 5, Duration.ofSeconds(20));
        await().atMost(WAIT).until(() -> scheduler.pending() >= 2); // the tick and this wait
        scheduler.advance(Duration.ofSeconds(19));
        assertThat(idle).isNotDone();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(idle.get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aGivenUpReceiveGivesItsMessagesBackUncounted() throws Exception {
        CompletableFuture<List<Delivery>> waiting = queues.receive("jobs", 5, Duration.ofSeconds(20));
        waiting.cancel(false);
        publish("jobs", Message.of("kept"));
        await().atMost(WAIT).untilAsserted(() -> {
            List<Delivery> got = receive("jobs", 5);
            assertThat(bodies(got)).containsExactly("\"kept\"");
            assertThat(got.get(0).attempt()).isEqualTo(1);
        });
    }

    @Test
    void aDelayedMessageWaitsItsTime() throws Exception {
        publish("jobs", Message.of("later").withDelay(Duration.ofSeconds(2)), Message.of("now"));
        assertThat(bodies(receive("jobs", 10))).containsExactly("\"now\"");
        CompletableFuture<List<Delivery>> waiting = queues.receive("jobs", 5, Duration.ofSeconds(20));
        clock.advance(Duration.ofMillis(1000));
        tick(); // the tick moves the clock on by its own 500 ms: 1.5s, not due yet
        await().atMost(WAIT).until(() -> scheduler.pending() >= 2); // that tick's claim is done
        assertThat(waiting).isNotDone();
        tick(); // 2s: due
        assertThat(bodies(waiting.get(10, TimeUnit.SECONDS))).containsExactly("\"later\"");
    }

    @Test
    void aDedupIdWithinTheWindowIsAcceptedAndDropped() throws Exception {
        List<String> first = publish("jobs", Message.of(1).withDedupId("order-7"));
        List<String> again = publish("jobs", Message.of(2).withDedupId("order-7"), Message.of(3));
        assertThat(again.get(0)).isEqualTo(first.get(0));
        assertThat(bodies(receive("jobs", 10))).containsExactly("1", "3");
        clock.advance(Duration.ofMinutes(10));
        List<String> later = publish("jobs", Message.of(4).withDedupId("order-7"));
        assertThat(later.get(0)).as("after the window it is new").isNotEqualTo(first.get(0));
    }

    @Test
    void aTopicsRepeatedDedupIdIsAnsweredWithTheFirstId() throws Exception {
        Message m = Message.of(Map.of("total", 5, "currency", "EUR")).withDedupId("o-1");
        List<String> first = get(queues.publishToTopic("orders", List.of(m)));
        List<String> again = get(queues.publishToTopic("orders", List.of(m)));
        assertThat(again).isEqualTo(first);
        assertThat(receive("audit-log", 10)).hasSize(1);
    }

    @Test
    void aKeysMessagesGoInOrderOneAtATimeAcrossFourConsumers() throws Exception {
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            batch.add(Message.of(i).withKey("k" + (i % 4)));
        }
        get(queues.publish("jobs", batch));
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> out = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<AutoCloseable> consumers = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            consumers.add(queues.consume(
                    "jobs",
                    2,
                    d -> CompletableFuture.runAsync(() -> {
                        String key = d.key().orElseThrow();
                        if (out.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                            overlaps.incrementAndGet();
                        }
                        seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(Integer.parseInt(d.body().text()));
                        out.get(key).decrementAndGet();
                        done.incrementAndGet();
                    })));
        }
        await().atMost(WAIT).untilAsserted(() -> {
            tick(); // a consumer that found its keys busy looks again on the tick
            assertThat(done).hasValue(40);
        });
        for (AutoCloseable c : consumers) {
            c.close();
        }
        assertThat(overlaps).as("two messages of one key out at once").hasValue(0);
        assertThat(seen).hasSize(4);
        seen.values().forEach(order -> assertThat(order).hasSize(10).isSorted());
    }

    @Test
    void aNackComesBackAfterABackoffThatDoublesAndNeverAtOnce() throws Exception {
        publish("jobs", Message.of("x"));
        Delivery d1 = receive("jobs", 1).get(0);
        get(queues.nack("jobs", List.of(d1.receipt()), Optional.empty(), Optional.of("boom")));
        assertThat(receive("jobs", 1)).as("not at once").isEmpty();
        clock.advance(Duration.ofMillis(790)); // 1s - 20%
        assertThat(receive("jobs", 1)).isEmpty();
        clock.advance(Duration.ofMillis(420));
        Delivery d2 = receive("jobs", 1).get(0);
        assertThat(d2.attempt()).isEqualTo(2);
        get(queues.nack("jobs", List.of(d2.receipt()), Optional.empty(), Optional.empty()));
        clock.advance(Duration.ofMillis(1590)); // 2s - 20%
        assertThat(receive("jobs", 1)).isEmpty();
        clock.advance(Duration.ofMillis(820));
        Delivery d3 = receive("jobs", 1).get(0);
        assertThat(d3.attempt()).isEqualTo(3);

        get(queues.nack("jobs", List.of(d3.receipt()), Optional.of(Duration.ZERO), Optional.of("last")));
        clock.advance(Duration.ofHours(1));
        assertThat(receive("jobs", 1)).as("three attempts, then dead").isEmpty();
        List<DeadLetter> dead = get(queues.deadLetters("jobs", 10));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).body().text()).isEqualTo("\"x\"");
        assertThat(dead.get(0).attempts())
                .extracting(DeadLetter.Attempt::error)
                .containsExactly("nack: boom", "nack", "nack: last");
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("MESSAGE_DEAD_LETTERED"));
    }

    @Test
    void aLeaseThatRunsOutRedeliversThenDeadLettersAndRedriveBringsItBack() throws Exception {
        publish("jobs", Message.of("slow").withHeader("trace", "t-1"));
        for (int attempt = 1; attempt <= 3; attempt++) {
            int n = attempt;
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(receive("jobs", 1))
                            .singleElement()
                            .satisfies(d -> assertThat(d.attempt()).isEqualTo(n)));
            clock.advance(Duration.ofSeconds(30));
            tick();
        }
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(get(queues.deadLetters("jobs", 10)))
                        .singleElement()
                        .satisfies(d -> {
                            assertThat(d.headers()).containsEntry("trace", "t-1");
                            assertThat(d.attempts())
                                    .extracting(DeadLetter.Attempt::error)
                                    .containsExactly("lease expired", "lease expired", "lease expired");
                        }));
        String id = get(queues.deadLetters("jobs", 10)).get(0).id();
        assertThat(get(queues.redrive("jobs", Optional.of(List.of("not-" + id)))))
                .isZero();
        assertThat(get(queues.redrive("jobs", Optional.of(List.of(id))))).isEqualTo(1);
        Delivery back = receive("jobs", 1).get(0);
        assertThat(back.attempt()).as("fresh attempts").isEqualTo(1);
        get(queues.nack("jobs", List.of(back.receipt()), Optional.of(Duration.ZERO), Optional.empty()));
        get(queues.nack(
                "jobs", List.of(receive("jobs", 1).get(0).receipt()), Optional.of(Duration.ZERO), Optional.empty()));
        get(queues.nack(
                "jobs", List.of(receive("jobs", 1).get(0).receipt()), Optional.of(Duration.ZERO), Optional.empty()));
        assertThat(get(queues.purgeDeadLetters("jobs", Optional.empty()))).isEqualTo(1);
        assertThat(get(queues.deadLetters("jobs", 10))).isEmpty();
    }

    @Test
    void aStaleReceiptIsRefusedAndChangesNothing() throws Exception {
        publish("jobs", Message.of("a"));
        Delivery first = receive("jobs", 1).get(0);
        clock.advance(Duration.ofSeconds(31));
        tick();
        await().atMost(WAIT).untilAsserted(() -> assertThat(receive("jobs", 1)).hasSize(1));
        QueueRefused r = refused(queues.ack("jobs", List.of(first.receipt())));
        assertThat(r.code()).isEqualTo("conflict");
        assertThat(r.getMessage()).contains("stale receipt").contains(first.receipt());
        assertThat(refused(queues.ack("jobs", List.of("no-dot"))).code()).isEqualTo("invalid");
        assertThat(refused(queues.extend("jobs", List.of(first.receipt()), Duration.ofSeconds(60)))
                        .code())
                .isEqualTo("conflict");
    }

    @Test
    void anExtendedLeaseOutlivesTheVisibility() throws Exception {
        publish("jobs", Message.of("a"));
        Delivery d = receive("jobs", 1).get(0);
        get(queues.extend("jobs", List.of(d.receipt()), Duration.ofSeconds(120)));
        clock.advance(Duration.ofSeconds(60));
        tick();
        assertThat(receive("jobs", 1)).isEmpty();
        assertThat(get(queues.ack("jobs", List.of(d.receipt())))).isEqualTo(1);
    }

    @Test
    void badMessagesAreRefusedWithWhy() {
        assertThat(refused(queues.publish("jobs", List.of(Message.bytes(new byte[1025]))))
                        .code())
                .isEqualTo("too_large");
        assertThat(refused(queues.publish("jobs", List.of(Message.of(1).withPriority(10))))
                        .getMessage())
                .contains("priority must be 0 to 9");
        assertThat(refused(queues.publish("jobs", List.of(Message.of(1).withHeader("Content-Length", "3"))))
                        .getMessage())
                .contains("'content-length' is Baton's own");
        assertThat(refused(queues.publish("jobs", List.of(Message.of(1).withHeader("x", "a\r\nb"))))
                        .getMessage())
                .contains("not valid");
        assertThat(refused(queues.publish("jobs", List.of(Message.of(1).withDelay(Duration.ofDays(31)))))
                        .getMessage())
                .contains("delay must be");
        assertThat(refused(queues.publish("nowhere", List.of(Message.of(1)))).code())
                .isEqualTo("not_found");
        assertThat(refused(queues.publish("jobs", List.of())).code()).isEqualTo("invalid");
        assertThat(refused(queues.receive("jobs", 0, Duration.ZERO)).code()).isEqualTo("invalid");
        assertThat(refused(queues.receive("orders:billing", 1, Duration.ZERO)).getMessage())
                .contains("pushes its messages");
    }

    @Test
    void aTopicCopiesEachMessageToTheSubscriptionsItsFiltersLetThrough() throws Exception {
        List<String> ids = get(queues.publishToTopic(
                "orders",
                List.of(
                        Message.of(Map.of("total", 5, "currency", "EUR")).withHeader("type", "order.placed"),
                        Message.of(Map.of("total", 0, "currency", "EUR")).withHeader("type", "order.cancelled"))));
        List<Delivery> audit = receive("audit-log", 10);
        assertThat(audit).extracting(Delivery::id).containsExactlyElementsOf(ids);
        List<Delivery> big = receive("orders:big", 10);
        assertThat(big).extracting(Delivery::id).containsExactly(ids.get(0));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(pushed)
                        .singleElement()
                        .satisfies(p -> assertThat(p).startsWith("1 {").contains("\"total\":5")));
        assertThat(refused(queues.publishToTopic("none", List.of(Message.of(1))))
                        .code())
                .isEqualTo("not_found");
    }

    @Test
    void aPushThatFailsBacksOffThenDeadLettersWithTheAnswer() throws Exception {
        pushStatus.set(503);
        get(queues.publishToTopic("orders", List.of(Message.of("p").withHeader("type", "order.placed"))));
        await().atMost(WAIT).until(() -> pushed.size() == 1);
        clock.advance(Duration.ofMillis(1300));
        tick();
        await().atMost(WAIT).until(() -> pushed.size() == 2);
        assertThat(pushed).containsExactly("1 \"p\"", "2 \"p\"");
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(get(queues.deadLetters("orders:billing", 10)))
                        .singleElement()
                        .satisfies(d -> assertThat(d.attempts())
                                .extracting(DeadLetter.Attempt::error)
                                .containsExactly("status 503: nope, not now", "status 503: nope, not now")));
    }

    @Test
    void aPushPausesWhileNoInstanceTakesItAndResumesWithoutSpendingAttempts() throws Exception {
        queues.close();
        // An instance on a port where nothing listens: every connection is refused.
        TestUpstream gone = TestUpstream.ok(vertx);
        String deadUrl = gone.url().toString();
        gone.close();
        queues = queues(config(deadUrl));
        get(queues.publishToTopic("orders", List.of(Message.of("wait").withHeader("type", "order.placed"))));
        await().atMost(WAIT).until(() -> events.stream().anyMatch(e -> e.startsWith("QUEUE_DELIVERY_PAUSED")));
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(5));
            tick();
        }
        assertThat(pushed).isEmpty();
        assertThat(get(queues.deadLetters("orders:billing", 10))).isEmpty();
        // The service comes back (a registration, a reload): the next tick delivers, as attempt 1.
        snapshot = Snapshot.compile(config(billing.url().toString()));
        queues.apply(snapshot);
        tick();
        await().atMost(WAIT).untilAsserted(() -> assertThat(pushed).containsExactly("1 \"wait\""));
        await().atMost(WAIT)
                .untilAsserted(
                        () -> assertThat(events).anySatisfy(e -> assertThat(e).startsWith("QUEUE_DELIVERY_RESUMED")));
    }

    @Test
    void anotherBatonsPublishWakesAWaitingReceiveAtOnceOnPostgresql() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                backend == StoreBackend.POSTGRESQL, "only PostgreSQL is shared by several Batons");
        DataStore otherData = new DataStore(
                dir.resolve("other"),
                fresh.server()
                        .map(p ->
                                new dev.baton.config.StoreConfig(p.url(), p.user(), p.password(), p.maxConnections())));
        Queues other = new Queues(vertx, otherData, () -> snapshot, sink, clock, clock::nanos, scheduler);
        other.start();
        try {
            tick(); // both start listening on their first tick
            boolean woken = false;
            // The listener connects on its own thread: until it has, a publish goes unheard (and only
            // the poll, which this test never lets run, would find it).
            for (int i = 0; i < 20 && !woken; i++) {
                CompletableFuture<List<Delivery>> waiting = queues.receive("jobs", 1, Duration.ofSeconds(20));
                get(other.publish("jobs", List.of(Message.of(i))));
                try {
                    woken = !waiting.get(500, TimeUnit.MILLISECONDS).isEmpty();
                } catch (java.util.concurrent.TimeoutException e) {
                    waiting.cancel(false);
                }
            }
            assertThat(woken)
                    .as("a receive woken by the other Baton's publish, with no poll")
                    .isTrue();
        } finally {
            other.close();
            otherData.close();
        }
    }

    @Test
    void runTimeDeclarationsAreKeptAndTheConfigFilesAreNotTheApisToChange() throws Exception {
        get(queues.declareQueue("emails", "{\"max-attempts\": 7}"));
        get(queues.declareTopic("signups", "{\"subscriptions\": {\"mail\": {\"queue\": \"emails\"}}}"));
        get(queues.declareSubscription("signups", "pull", "{\"filter\": {\"headers.kind\": \"vip\"}}"));
        get(queues.publishToTopic("signups", List.of(Message.of("v").withHeader("kind", "vip"))));
        queues.close();
        queues = queues(snapshot.config());
        assertThat(queues.queues().get("emails").source()).isEqualTo("api");
        assertThat(queues.queue("emails").maxAttempts()).isEqualTo(7);
        assertThat(queues.topics().get("signups").config().subscriptions()).containsOnlyKeys("mail", "pull");
        assertThat(bodies(receive("emails", 5))).containsExactly("\"v\"");
        assertThat(bodies(receive("signups:pull", 5))).containsExactly("\"v\"");

        assertThat(refused(queues.declareQueue("jobs", "{}")).code()).isEqualTo("conflict");
        assertThat(refused(queues.deleteQueue("emails")).getMessage()).contains("fans out into queue 'emails'");
        assertThat(get(queues.deleteSubscription("signups", "mail"))).isZero();
        assertThat(get(queues.deleteQueue("emails"))).isEqualTo(1);
        assertThat(get(queues.deleteTopic("signups")))
                .as("the pull subscription's message, received, not acked")
                .isEqualTo(1);
        assertThat(queues.topics()).doesNotContainKey("signups");
        assertThatThrownBy(() -> get(queues.declareQueue("bad:name", "{}")))
                .hasCauseInstanceOf(dev.baton.config.ConfigException.class)
                .hasMessageContaining("a queue's name is 1 to 64");
    }
}
