package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.Ports;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least once across a crash: a Baton process pushing a topic's messages to a
 * slow service, with messages of a queue leased to a consumer that never
 * acknowledges, is killed with SIGKILL; a new one on the same data directory
 * delivers every message, those that were out again once their lease runs out.
 */
class QueueCrashTest {
    static final int PUSHED = 150;
    static final int PULLED = 60;

    @TempDir
    Path dir;

    final Vertx vertx = Vertx.vertx();
    Process baton;
    final Set<String> delivered = ConcurrentHashMap.newKeySet(); // message ids the service answered 204 for

    @AfterEach
    void cleanUp() throws Exception {
        if (baton != null) {
            baton.destroyForcibly();
            baton.waitFor(30, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void launch(Path config) throws Exception {
        baton = Calls.launch(config, dir.resolve("baton.log"));
    }

    static List<String> ids(JsonArray messages) {
        return messages.stream().map(m -> ((JsonObject) m).getString("id")).toList();
    }

    @Test
    void aBatonKilledMidDeliveryLosesNothing() throws Exception {
        TestUpstream billing = TestUpstream.start(
                vertx,
                req -> vertx.setTimer(100, t -> {
                    delivered.add(req.getHeader("x-baton-message-id"));
                    req.response().setStatusCode(204).end();
                }));
        int admin = Ports.free();
        Path config =
                Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:%d, data-dir: %s, shutdown-grace: 1s }
                services:
                  billing: { instances: [ "%s" ] }
                queues:
                  jobs: { visibility: 1s }
                topics:
                  orders:
                    subscriptions:
                      billing: { push: { service: billing, path: /in, timeout: 1s, concurrency: 4 }, visibility: 2s }
                """.formatted(admin, dir.resolve("data"), billing.url()));
        launch(config);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> Calls.get(admin, "/health").statusCode() == 200);

        Set<String> pushed = new HashSet<>();
        for (int batch = 0; batch < PUSHED / 50; batch++) {
            JsonArray messages = new JsonArray();
            for (int i = 0; i < 50; i++) {
                messages.add(new JsonObject().put("body", new JsonObject().put("n", batch * 50 + i)));
            }
            var r = Calls.send(
                    admin,
                    "POST",
                    "/topics/orders/messages",
                    new JsonObject().put("messages", messages).encode());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            new JsonObject(r.body()).getJsonArray("ids").forEach(id -> pushed.add((String) id));
        }
        Set<String> pulled = new HashSet<>();
        JsonArray jobs = new JsonArray();
        for (int i = 0; i < PULLED; i++) {
            jobs.add(new JsonObject().put("body", i));
        }
        var p = Calls.send(
                admin,
                "POST",
                "/queues/jobs/messages",
                new JsonObject().put("messages", jobs).encode());
        new JsonObject(p.body()).getJsonArray("ids").forEach(id -> pulled.add((String) id));
        // A consumer takes a third of the jobs and dies with them.
        List<String> leased = ids(new JsonObject(Calls.send(admin, "POST", "/queues/jobs/receive?max=20", "")
                        .body())
                .getJsonArray("messages"));
        assertThat(leased).hasSize(20);

        await().atMost(Duration.ofSeconds(30)).until(() -> delivered.size() >= 20);
        baton.destroyForcibly(); // SIGKILL: pushes are out, leases held
        assertThat(baton.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int before = delivered.size();
        assertThat(before).as("the kill came mid-way").isLessThan(PUSHED);

        launch(config);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> Calls.get(admin, "/health").statusCode() == 200);
        List<String> got = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    JsonArray messages = new JsonObject(
                                    Calls.send(admin, "POST", "/queues/jobs/receive?max=100&wait=1s", "")
                                            .body())
                            .getJsonArray("messages");
                    got.addAll(ids(messages));
                    JsonArray receipts = new JsonArray();
                    messages.forEach(m -> receipts.add(((JsonObject) m).getString("receipt")));
                    if (!receipts.isEmpty()) {
                        Calls.send(
                                admin,
                                "POST",
                                "/queues/jobs/ack",
                                new JsonObject().put("receipts", receipts).encode());
                    }
                    assertThat(new HashSet<>(got))
                            .as("every job, those leased at the kill after their lease")
                            .containsAll(pulled);
                    assertThat(delivered).as("every pushed message").containsAll(pushed);
                });
        assertThat(delivered.size()).isGreaterThan(before);
    }
}
