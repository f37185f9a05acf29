package dev.baton.queue;

import static dev.baton.queue.QueueTesting.get;
import static dev.baton.queue.QueueTesting.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.control.DataStore;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.testing.FakeClock;
import dev.baton.testing.RequiredServer;
import dev.baton.testing.TestUpstream;
import dev.baton.time.ManualScheduler;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queues with {@code broker: nats}, against the NATS with JetStream on
 * 127.0.0.1:4222: the same API, leases as unacknowledged deliveries, waits handed
 * back with nakWithDelay, JetStream's own dedup, dead letters with their errors.
 * Each test's queues have names of their own and are deleted after.
 */
class NatsQueuesTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    final Vertx vertx = Vertx.vertx();
    final FakeClock clock = new FakeClock();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final List<String> pushed = new CopyOnWriteArrayList<>();
    final String jobs =
            "jobs-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    final String topic =
            "orders-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    TestUpstream billing;
    DataStore data;
    Snapshot snapshot;
    Queues queues;

    @BeforeEach
    void start() {
        RequiredServer.NATS.require();
        billing = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(b -> {
                    pushed.add(req.getHeader("x-baton-attempt") + " " + b.toString(StandardCharsets.UTF_8));
                    req.response().setStatusCode(204).end();
                }));
        data = new DataStore(dir, Optional.empty());
        Config config = new ConfigLoader(Map.of())
                .parse("""
                services:
                  billing: { instances: [ "%s" ] }
                queues:
                  broker: nats
                  url: "nats://%s"
                  %s: { visibility: 30s, max-attempts: 2, backoff: 100ms, max-backoff: 200ms }
                topics:
                  %s:
                    subscriptions:
                      billing: { push: { service: billing, path: /in } }
                """.formatted(billing.url(), RequiredServer.NATS.address(), jobs, topic), "baton.yaml");
        assertThat(config.warnings())
                .anySatisfy(w -> assertThat(w.toString()).contains("has no priorities and no per-key order"));
        snapshot = Snapshot.compile(config);
        queues = new Queues(vertx, data, () -> snapshot, EventSink.NONE, clock, clock::nanos, scheduler);
        queues.start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            get(queues.purgeDeadLetters(jobs, Optional.empty()));
        } finally {
            queues.close();
            try (var r = new dev.baton.queue.internal.NatsQueues(
                    java.net.URI.create("nats://" + RequiredServer.NATS.address()))) {
                r.drop(jobs);
                r.drop(topic + ":billing");
            }
            data.close();
            billing.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    List<Delivery> receive(int max) throws Exception {
        return get(queues.receive(jobs, max, Duration.ZERO));
    }

    @Test
    void headersAndBodyComeBackInOrderAndAnAckIsFinal() throws Exception {
        get(queues.publish(
                jobs,
                List.of(
                        Message.of(Map.of("n", 1)),
                        Message.of(Map.of("n", 2)).withHeader("trace", "t-2"),
                        Message.bytes(new byte[] {7, 8}))));
        List<Delivery> got = await().atMost(WAIT).until(() -> receive(10), l -> l.size() == 3);
        assertThat(got)
                .extracting(d -> d.body().isJson() ? d.body().text() : "bytes")
                .containsExactly("{\"n\":1}", "{\"n\":2}", "bytes");
        assertThat(got.get(1).headers()).containsEntry("trace", "t-2");
        assertThat(got.get(0).attempt()).isEqualTo(1);
        assertThat(get(queues.ack(jobs, got.stream().map(Delivery::receipt).toList())))
                .isEqualTo(3);
        assertThat(receive(10)).isEmpty();
    }

    @Test
    void aRepeatedDedupIdIsDroppedByJetStream() throws Exception {
        get(queues.publish(jobs, List.of(Message.of(1).withDedupId("order-9"))));
        get(queues.publish(jobs, List.of(Message.of(2).withDedupId("order-9"), Message.of(3))));
        List<Delivery> got = await().atMost(WAIT).until(() -> receive(10), l -> l.size() >= 2);
        assertThat(got).extracting(d -> d.body().text()).containsExactly("1", "3");
    }

    @Test
    void aNackWaitsItsBackoffOnTheBrokerThenDiesWithItsErrorsAndRedriveBringsItBack() throws Exception {
        get(queues.publish(jobs, List.of(Message.of("x"))));
        Delivery first =
                await().atMost(WAIT).until(() -> receive(1), l -> !l.isEmpty()).get(0);
        get(queues.nack(jobs, List.of(first.receipt()), Optional.empty(), Optional.of("boom")));
        assertThat(receive(1)).as("not at once").isEmpty();
        clock.advance(Duration.ofMillis(200)); // Baton's clock says when a message handed back early is due
        Delivery second =
                await().atMost(WAIT).until(() -> receive(1), l -> !l.isEmpty()).get(0);
        assertThat(second.attempt()).isEqualTo(2);
        get(queues.nack(jobs, List.of(second.receipt()), Optional.empty(), Optional.empty()));
        clock.advance(Duration.ofMillis(200));
        List<DeadLetter> dead = await().atMost(WAIT).until(() -> get(queues.deadLetters(jobs, 10)), l -> !l.isEmpty());
        assertThat(dead.get(0).body().text()).isEqualTo("\"x\"");
        assertThat(dead.get(0).attempts()).extracting(DeadLetter.Attempt::error).containsExactly("nack: boom", "nack");
        assertThat(get(queues.deadLetters(jobs, 10)))
                .as("reading dead letters leaves them")
                .hasSize(1);
        assertThat(get(queues.redrive(jobs, Optional.of(List.of(dead.get(0).id())))))
                .isEqualTo(1);
        Delivery back =
                await().atMost(WAIT).until(() -> receive(1), l -> !l.isEmpty()).get(0);
        assertThat(back.attempt()).as("fresh attempts").isEqualTo(1);
        assertThat(refused(queues.ack(jobs, List.of(first.receipt()))).code())
                .as("a receipt whose message came again")
                .isEqualTo("conflict");
    }

    @Test
    void aLeaseThatRunsOutComesAgainAsItsNextAttempt() throws Exception {
        get(queues.publish(jobs, List.of(Message.of("slow"))));
        Delivery d =
                await().atMost(WAIT).until(() -> receive(1), l -> !l.isEmpty()).get(0);
        clock.advance(Duration.ofSeconds(31));
        await().atMost(WAIT).until(() -> scheduler.pending() > 0);
        scheduler.advance(Queues.POLL);
        Delivery again =
                await().atMost(WAIT).until(() -> receive(1), l -> !l.isEmpty()).get(0);
        assertThat(again.id()).isEqualTo(d.id());
        assertThat(again.attempt()).isEqualTo(2);
    }

    @Test
    void aDelayedMessageWaitsOnTheBroker() throws Exception {
        get(queues.publish(jobs, List.of(Message.of("later").withDelay(Duration.ofMillis(300)))));
        assertThat(receive(1)).isEmpty();
        clock.advance(Duration.ofMillis(300));
        assertThat(await().atMost(WAIT)
                        .until(() -> receive(1), l -> !l.isEmpty())
                        .get(0)
                        .body()
                        .text())
                .isEqualTo("\"later\"");
    }

    @Test
    void whatJetStreamCannotDoIsRefused() {
        assertThat(refused(queues.publish(jobs, List.of(Message.of(1).withKey("k"))))
                        .getMessage())
                .contains("keep no per-key order");
        assertThat(refused(queues.publish(jobs, List.of(Message.of(1).withPriority(3))))
                        .getMessage())
                .contains("have no priorities");
    }

    @Test
    void aTopicsPushGoesThroughTheBroker() throws Exception {
        get(queues.publishToTopic(topic, List.of(Message.of(Map.of("order", 1)))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(pushed).containsExactly("1 {\"order\":1}"));
    }
}
