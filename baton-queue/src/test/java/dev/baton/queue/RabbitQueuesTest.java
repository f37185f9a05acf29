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
 * Queues with {@code broker: rabbitmq}, against the RabbitMQ on 127.0.0.1:5672:
 * the same API, leases on the broker, waits in its TTL queues, dead letters with
 * their errors. Each test's queues have names of their own and are deleted after.
 */
class RabbitQueuesTest {
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
        RequiredServer.RABBITMQ.require();
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
                  broker: rabbitmq
                  url: "amqp://guest:guest@%s"
                  %s: { visibility: 30s, max-attempts: 2, backoff: 100ms, max-backoff: 200ms }
                topics:
                  %s:
                    subscriptions:
                      billing: { push: { service: billing, path: /in } }
                """.formatted(billing.url(), RequiredServer.RABBITMQ.address(), jobs, topic), "baton.yaml");
        assertThat(config.warnings()).anySatisfy(w -> assertThat(w.toString()).contains("keeps no per-key order"));
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
            try (var r = new dev.baton.queue.internal.RabbitQueues(
                    java.net.URI.create("amqp://guest:guest@" + RequiredServer.RABBITMQ.address()))) {
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
    void priorityHeadersAndBodyComeBackAndAnAckIsFinal() throws Exception {
        get(queues.publish(
                jobs,
                List.of(
                        Message.of(Map.of("n", 1)),
                        Message.of(Map.of("n", 2)).withPriority(9).withHeader("trace", "t-2"),
                        Message.bytes(new byte[] {7, 8}).withPriority(5))));
        List<Delivery> got = receive(10);
        assertThat(got)
                .extracting(d -> d.body().isJson() ? d.body().text() : "bytes")
                .containsExactly("{\"n\":2}", "bytes", "{\"n\":1}");
        assertThat(got.get(0).headers()).containsEntry("trace", "t-2");
        assertThat(got.get(0).attempt()).isEqualTo(1);
        assertThat(get(queues.ack(jobs, got.stream().map(Delivery::receipt).toList())))
                .isEqualTo(3);
        assertThat(receive(10)).isEmpty();
    }

    @Test
    void aNackWaitsItsBackoffOnTheBrokerThenDiesWithItsErrorsAndRedriveBringsItBack() throws Exception {
        get(queues.publish(jobs, List.of(Message.of("x"))));
        Delivery first = receive(1).get(0);
        get(queues.nack(jobs, List.of(first.receipt()), Optional.empty(), Optional.of("boom")));
        assertThat(receive(1)).as("not at once").isEmpty();
        Delivery second =
                await().atMost(WAIT).until(() -> receive(1), l -> !l.isEmpty()).get(0);
        assertThat(second.attempt()).isEqualTo(2);
        get(queues.nack(jobs, List.of(second.receipt()), Optional.empty(), Optional.empty()));
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
        Delivery d = receive(1).get(0);
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
        assertThat(await().atMost(WAIT)
                        .until(() -> receive(1), l -> !l.isEmpty())
                        .get(0)
                        .body()
                        .text())
                .isEqualTo("\"later\"");
    }

    @Test
    void whatRabbitmqCannotDoIsRefused() {
        assertThat(refused(queues.publish(jobs, List.of(Message.of(1).withKey("k"))))
                        .getMessage())
                .contains("keep no per-key order");
        assertThat(refused(queues.publish(jobs, List.of(Message.of(1).withDedupId("d"))))
                        .getMessage())
                .contains("drop no duplicates");
    }

    @Test
    void quorumQueuesCarryTheSameApiWithoutPriorities() throws Exception {
        String q = "quorum-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Config config =
                new ConfigLoader(Map.of()).parse("""
                queues:
                  broker: rabbitmq
                  url: "amqp://guest:guest@%s"
                  queue-type: quorum
                  %s: { max-attempts: 2, backoff: 100ms, max-backoff: 200ms }
                """.formatted(RequiredServer.RABBITMQ.address(), q), "baton.yaml");
        assertThat(config.warnings())
                .anySatisfy(w -> assertThat(w.toString()).contains("quorum queues have no priorities"));
        Snapshot quorum = Snapshot.compile(config);
        Queues qs = new Queues(vertx, data, () -> quorum, EventSink.NONE, clock, clock::nanos, scheduler);
        qs.start();
        try {
            get(qs.publish(q, List.of(Message.of("a"), Message.of("b"))));
            List<Delivery> got =
                    await().atMost(WAIT).until(() -> get(qs.receive(q, 10, Duration.ZERO)), l -> l.size() == 2);
            assertThat(got).extracting(d -> d.body().text()).containsExactly("\"a\"", "\"b\"");
            assertThat(get(qs.ack(q, got.stream().map(Delivery::receipt).toList())))
                    .isEqualTo(2);
            assertThat(refused(qs.publish(q, List.of(Message.of(1).withPriority(5))))
                            .getMessage())
                    .contains("(quorum) have no priorities");
        } finally {
            qs.close();
            try (var r = new dev.baton.queue.internal.RabbitQueues(
                    java.net.URI.create("amqp://guest:guest@" + RequiredServer.RABBITMQ.address()), true)) {
                r.drop(q);
            }
        }
    }

    @Test
    void aTopicsPushGoesThroughTheBroker() throws Exception {
        get(queues.publishToTopic(topic, List.of(Message.of(Map.of("order", 1)))));
        await().atMost(WAIT).untilAsserted(() -> assertThat(pushed).containsExactly("1 {\"order\":1}"));
    }
}
