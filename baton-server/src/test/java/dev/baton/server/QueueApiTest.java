package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Event;
import dev.baton.events.EventFilter;
import dev.baton.queue.Message;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queues and topics through the admin API of a whole gateway, and through its Java API. */
class QueueApiTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream payments;
    Baton baton;
    final List<String> pushed = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        payments = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(b -> {
                    pushed.add(req.path() + " " + req.getHeader("x-baton-queue") + " " + req.getHeader("content-type")
                            + " " + b.toString(StandardCharsets.UTF_8));
                    req.response().setStatusCode(204).end();
                }));
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  payments: { instances: [ "%s" ] }
                queues:
                  jobs: { max-attempts: 2, max-message-size: 1KB }
                topics:
                  orders:
                    subscriptions:
                      billing: { push: { service: payments, path: /events }, filter: { "headers.type": order.placed } }
                      pulled: {}
                """.formatted(dir.resolve("data"), payments.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        baton.events().subscribeSync("test", EventFilter.parse("*"), -1, events::add);
    }

    @AfterEach
    void stop() throws Exception {
        baton.close();
        payments.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        return Calls.send(baton.adminPort(), method, path, body, headers);
    }

    JsonObject ok(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return new JsonObject(r.body());
    }

    @Test
    void publishReceiveAndAcknowledgeOverHttp() throws Exception {
        JsonObject published = ok(
                send(
                        "POST",
                        "/queues/jobs/messages",
                        "{\"messages\": [{\"body\": {\"n\": 1}, \"priority\": 1, \"headers\": {\"Trace\": \"t1\"}},"
                                + " {\"bodyBase64\": \"AAEC\", \"priority\": 7, \"key\": \"k\"}]}"),
                201);
        JsonArray ids = published.getJsonArray("ids");
        assertThat(ids).hasSize(2);
        JsonArray got = ok(send("POST", "/queues/jobs/receive?max=10", ""), 200).getJsonArray("messages");
        assertThat(got).hasSize(2);
        JsonObject first = got.getJsonObject(0);
        assertThat(first.getString("id")).isEqualTo(ids.getString(1));
        assertThat(first.getString("bodyBase64")).isEqualTo("AAEC");
        assertThat(first.getString("key")).isEqualTo("k");
        JsonObject second = got.getJsonObject(1);
        assertThat(second.getJsonObject("body").getInteger("n")).isEqualTo(1);
        assertThat(second.getJsonObject("headers").getString("trace")).isEqualTo("t1");
        assertThat(second.getInteger("attempt")).isEqualTo(1);

        JsonObject acked = ok(
                send(
                        "POST",
                        "/queues/jobs/ack",
                        new JsonObject()
                                .put("receipts", new JsonArray().add(first.getString("receipt")))
                                .encode()),
                200);
        assertThat(acked.getInteger("acked")).isEqualTo(1);
        JsonObject nacked = ok(
                send(
                        "POST",
                        "/queues/jobs/nack",
                        new JsonObject()
                                .put("receipts", new JsonArray().add(second.getString("receipt")))
                                .put("delay", "0s")
                                .put("reason", "cannot yet")
                                .encode()),
                200);
        assertThat(nacked.getInteger("nacked")).isEqualTo(1);
        JsonObject again = ok(send("POST", "/queues/jobs/receive?max=10&wait=5s", ""), 200)
                .getJsonArray("messages")
                .getJsonObject(0);
        assertThat(again.getInteger("attempt")).isEqualTo(2);
        ok(
                send(
                        "POST",
                        "/queues/jobs/nack",
                        new JsonObject()
                                .put("receipts", new JsonArray().add(again.getString("receipt")))
                                .encode()),
                200);
        JsonArray dead = ok(send("GET", "/queues/jobs/dead-letters", null), 200).getJsonArray("messages");
        assertThat(dead).hasSize(1);
        assertThat(dead.getJsonObject(0).getJsonArray("attempts").stream()
                        .map(a -> ((JsonObject) a).getString("error"))
                        .toList())
                .containsExactly("nack: cannot yet", "nack");
        assertThat(ok(send("POST", "/queues/jobs/dead-letters/redrive", "{}"), 200)
                        .getInteger("redriven"))
                .isEqualTo(1);
        JsonObject redriven = ok(send("POST", "/queues/jobs/receive", ""), 200)
                .getJsonArray("messages")
                .getJsonObject(0);
        assertThat(redriven.getInteger("attempt")).isEqualTo(1);
        assertThat(ok(send("GET", "/queues/jobs", null), 200)
                        .getJsonObject("settings")
                        .getInteger("max-attempts"))
                .isEqualTo(2);
    }

    @Test
    void theQueuesMetersAreOnMetrics() throws Exception {
        ok(send("POST", "/queues/jobs/messages", "{\"messages\": [{\"body\": 1}, {\"body\": 2}]}"), 201);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(send("GET", "/metrics", null).body())
                        .contains("orchestrator_queue_messages_total{queue=\"jobs\",result=\"published\"} 2.0")
                        .contains("orchestrator_queue_depth{queue=\"jobs\"} 2.0")
                        .contains("orchestrator_queue_dead_letters{queue=\"jobs\"} 0.0")
                        .contains("orchestrator_queue_oldest_age_seconds{queue=\"jobs\"}"));
    }

    @Test
    void aJsonBodysNumbersComeBackAsWritten() throws Exception {
        ok(send("POST", "/queues/jobs/messages", "{\"body\": {\"n\": 12345678901234567.89, \"m\": 1.50}}"), 201);
        String got = send("POST", "/queues/jobs/receive", "").body();
        assertThat(got).contains("\"body\":{\"n\":12345678901234567.89,\"m\":1.50}");
    }

    @Test
    void badRequestsGetAClearJsonError() throws Exception {
        assertThat(send("POST", "/queues/jobs/messages", "{\"body\": \"" + "x".repeat(2000) + "\"}")
                        .statusCode())
                .isEqualTo(413);
        HttpResponse<String> unknown = send("POST", "/queues/jobs/messages", "{\"body\": 1, \"colour\": \"red\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(unknown.body()).getString("message")).contains("unknown field 'colour'");
        assertThat(send("POST", "/queues/jobs/messages", "{\"body\": 1, \"priority\": 12}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/queues/jobs/messages", "[1]").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/queues/jobs/messages", "{\"body\": ").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/queues/none/messages", "{\"body\": 1}").statusCode())
                .isEqualTo(404);
        assertThat(send("POST", "/queues/jobs/receive?max=1000", "").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/queues/jobs/receive?wait=soon", "").statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/queues/jobs/ack", "{\"receipts\": [\"nonsense\"]}")
                        .statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/queues/jobs/ack", "{}").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/topics/orders/subscriptions/billing/receive", "")
                        .statusCode())
                .as("a push subscription's messages are Baton's to deliver")
                .isEqualTo(409);
        HttpResponse<String> badQueue = send("PUT", "/queues/emails", "{\"visibility\": \"forever\"}");
        assertThat(badQueue.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(badQueue.body())
                        .getJsonArray("errors")
                        .getJsonObject(0)
                        .getString("field"))
                .isEqualTo("visibility");
        assertThat(send("PUT", "/queues/jobs", "{}").statusCode())
                .as("the config file's queue")
                .isEqualTo(409);
    }

    @Test
    void aTopicPushesToItsServiceAndKeepsMessagesForItsPullSubscription() throws Exception {
        ok(
                send(
                        "POST",
                        "/topics/orders/messages",
                        "{\"body\": {\"order\": 7}, \"headers\": {\"type\": \"order.placed\"}}"),
                201);
        ok(
                send(
                        "POST",
                        "/topics/orders/messages",
                        "{\"body\": {\"order\": 8}, \"headers\": {\"type\": \"other\"}}"),
                201);
        await().atMost(Duration.ofSeconds(10)).until(() -> pushed.size() == 1);
        assertThat(pushed.get(0)).isEqualTo("/events orders:billing application/json {\"order\":7}");
        JsonArray pulled = ok(send("POST", "/topics/orders/subscriptions/pulled/receive?max=5", ""), 200)
                .getJsonArray("messages");
        assertThat(pulled).hasSize(2);
        assertThat(ok(send("GET", "/topics/orders", null), 200)
                        .getJsonObject("subscriptions")
                        .fieldNames())
                .containsExactly("billing", "pulled");
    }

    @Test
    void runTimeQueuesAndTopicsAreDeclaredAuditedAndKeptAcrossARestart() throws Exception {
        ok(send("PUT", "/queues/emails", "{\"max-attempts\": 9}"), 200);
        ok(send("PUT", "/topics/signups", "{\"subscriptions\": {\"mail\": {\"queue\": \"emails\"}}}"), 200);
        ok(send("PUT", "/topics/signups/subscriptions/audit", "{\"filter\": {\"body.vip\": true}}"), 200);
        ok(send("POST", "/topics/signups/messages", "{\"body\": {\"vip\": true}}"), 201);
        ok(send("POST", "/queues/emails/messages", "{\"body\": 2}"), 201);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                new JsonArray(send("GET", "/audit", null).body())
                                        .stream()
                                                .map(e -> ((JsonObject) e).getString("path"))
                                                .toList())
                        .contains("/queues/emails", "/topics/signups", "/topics/signups/subscriptions/audit")
                        .doesNotContain("/queues/emails/messages", "/topics/signups/messages"));
        baton.close();
        baton = Baton.builder()
                .configFile(dir.resolve("baton.yaml"))
                .watch(false)
                .build()
                .start();
        JsonArray queues = new JsonArray(send("GET", "/queues", null).body());
        assertThat(queues.stream().map(q -> ((JsonObject) q).getString("name")).toList())
                .containsExactly("jobs", "emails");
        assertThat(ok(send("POST", "/queues/emails/receive?max=10", ""), 200).getJsonArray("messages"))
                .hasSize(2);
        assertThat(ok(send("POST", "/topics/signups/subscriptions/audit/receive", ""), 200)
                        .getJsonArray("messages"))
                .hasSize(1);
        assertThat(events.stream().map(e -> e.type().name()).toList()).contains("QUEUE_DECLARED", "TOPIC_DECLARED");
    }

    @Test
    void withEventsPersistEveryEventGoesToTheEventsTopic() throws Exception {
        baton.close();
        List<String> hooked = new CopyOnWriteArrayList<>();
        TestUpstream hook = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(b -> {
                    String ts = req.getHeader("x-baton-timestamp");
                    boolean signed = String.valueOf(req.getHeader("x-baton-signature"))
                            .equals("sha256="
                                    + dev.baton.security.WebhookSignature.sign(
                                            "0123456789abcdef",
                                            Long.parseLong(ts),
                                            b.toString(StandardCharsets.UTF_8)));
                    hooked.add(req.getHeader("x-baton-event-type") + " " + signed);
                    req.response()
                            .setStatusCode(req.path().equals("/down") ? 500 : 204)
                            .end("down");
                }));
        Path file = Files.writeString(
                dir.resolve("persist.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                events:
                  persist: true
                  webhooks:
                    - { url: "%s/in", types: [QUEUE_DECLARED], secret: "0123456789abcdef" }
                    - { url: "%s/down", types: [TOPIC_DECLARED], max-attempts: 2, backoff: 10ms, max-backoff: 10ms }
                topics:
                  baton.events:
                    subscriptions:
                      all: {}
                      queues-only: { filter: { "headers.type": { prefix: QUEUE_ } } }
                """.formatted(dir.resolve("data2"), hook.url(), hook.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        ok(send("PUT", "/queues/emails", "{}"), 200);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonArray got = ok(send("POST", "/topics/baton.events/subscriptions/queues-only/receive?max=10", ""), 200)
                    .getJsonArray("messages");
            assertThat(got).isNotEmpty();
            JsonObject e = got.getJsonObject(0);
            assertThat(e.getJsonObject("headers").getString("type")).isEqualTo("QUEUE_DECLARED");
            assertThat(e.getJsonObject("body").getString("type")).isEqualTo("QUEUE_DECLARED");
            assertThat(e.getJsonObject("body").getJsonObject("data").getString("queue"))
                    .isEqualTo("emails");
        });
        assertThat(ok(send("POST", "/topics/baton.events/subscriptions/all/receive?max=100", ""), 200)
                        .getJsonArray("messages")
                        .stream()
                        .map(m -> ((JsonObject) m).getJsonObject("headers").getString("type"))
                        .toList())
                .contains("QUEUE_DECLARED");
        // The webhooks are subscriptions of the topic: signed pushes, and dead letters in their queue.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(hooked).contains("QUEUE_DECLARED true"));
        ok(send("PUT", "/topics/signups", "{}"), 200);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                ok(send("GET", "/topics/baton.events/subscriptions/webhook-1/dead-letters", null), 200)
                                        .getJsonArray("messages"))
                        .as(
                                "pushed: %s; the topic: %s",
                                hooked,
                                send("GET", "/topics/baton.events", null).body())
                        .singleElement()
                        .satisfies(d -> assertThat(((JsonObject) d)
                                        .getJsonArray("attempts")
                                        .getJsonObject(0)
                                        .getString("error"))
                                .isEqualTo("status 500: down")));
        hook.close();
    }

    @Test
    void theJavaApiPublishesAndConsumes() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        AutoCloseable consumer = baton.queues().consume("jobs", 2, d -> {
            seen.add(d.body().text());
            return CompletableFuture.completedFuture(null);
        });
        baton.queues()
                .publish("jobs", List.of(Message.of(Map.of("job", 1)), Message.of("two")))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
        assertThat(seen).containsExactlyInAnyOrder("{\"job\":1}", "\"two\"");
        consumer.close();
    }
}
