package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.telemetry.Webhooks;
import dev.baton.testing.TestUpstream;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Webhooks against a real receiver: signed deliveries, retries until it answers,
 * dead letters when it never does, their replay, and dead letters for what was still
 * outstanding when Baton stopped.
 */
class WebhookTest {
    static final String SECRET = "0123456789abcdef-webhook";

    /** What the receiver got: headers and body of each POST. */
    record Received(MultiMap headers, String body) {}

    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream receiver;
    final AtomicInteger failuresLeft = new AtomicInteger();
    final List<Received> received = new CopyOnWriteArrayList<>();
    Baton baton;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        receiver = TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    if (failuresLeft.getAndDecrement() > 0) {
                        req.response().setStatusCode(500).end();
                    } else {
                        received.add(new Received(
                                MultiMap.caseInsensitiveMultiMap().addAll(req.headers()), body.toString()));
                        req.response().setStatusCode(204).end();
                    }
                }));
    }

    Baton baton(String backoff, int attempts) throws Exception {
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                events:
                  webhooks:
                    - url: %s/hooks/baton?token=abc
                      types: [SERVICE_REGISTERED]
                      secret: %s
                      backoff: %s
                      max-backoff: %s
                      max-attempts: %d
                      timeout: 2s
                """.formatted(
                        dir.resolve("data"), receiver.url(), SECRET, backoff, backoff, attempts));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        return baton;
    }

    @AfterEach
    void stop() throws Exception {
        if (baton != null) {
            baton.close();
        }
        receiver.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void register(String id) throws Exception {
        HttpResponse<String> r = Calls.send(
                baton.adminPort(),
                "POST",
                "/services/register",
                "{\"id\":\"" + id + "\",\"endpoint\":\"http://127.0.0.1:1\"}");
        assertThat(r.statusCode()).isEqualTo(201);
    }

    JsonArray deadLetters() throws Exception {
        HttpResponse<String> r = Calls.get(baton.adminPort(), "/events/dead-letters");
        assertThat(r.statusCode()).isEqualTo(200);
        return new JsonArray(r.body());
    }

    @Test
    void aReceiverThatFailsTwiceGetsTheSignedEventOnTheThirdTry() throws Exception {
        baton("20ms", 5);
        failuresLeft.set(2);
        register("orders");
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
        Received r = received.get(0);
        JsonObject event = new JsonObject(r.body());
        assertThat(event.getString("type")).isEqualTo("SERVICE_REGISTERED");
        assertThat(event.getJsonObject("data").getString("service")).isEqualTo("orders");
        assertThat(r.headers().get("x-baton-event-id")).isEqualTo(String.valueOf(event.getLong("id")));
        assertThat(r.headers().get("x-baton-event-type")).isEqualTo("SERVICE_REGISTERED");
        assertThat(r.headers().get("content-type")).isEqualTo("application/json");
        long timestamp = Long.parseLong(r.headers().get("x-baton-timestamp"));
        assertThat(r.headers().get("x-baton-signature"))
                .isEqualTo("sha256=" + Webhooks.sign(SECRET, timestamp, r.body()));
        assertThat(failuresLeft.get()).isLessThan(0); // two refused, then this one
        assertThat(deadLetters()).isEmpty();
        String metrics = Calls.get(baton.adminPort(), "/metrics").body();
        assertThat(metrics)
                .contains("orchestrator_webhook_deliveries_total{result=\"delivered\"} 1.0")
                .contains("orchestrator_webhook_deliveries_total{result=\"retried\"} 2.0");
    }

    @Test
    void oneThatAlwaysFailsLeavesADeadLetterThatReplays() throws Exception {
        baton("10ms", 3);
        failuresLeft.set(Integer.MAX_VALUE);
        register("orders");
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters().size() == 1);
        JsonObject dead = deadLetters().getJsonObject(0);
        assertThat(dead.getInteger("attempts")).isEqualTo(3);
        assertThat(dead.getString("lastError")).isEqualTo("status 500");
        assertThat(dead.getString("eventType")).isEqualTo("SERVICE_REGISTERED");
        assertThat(dead.getString("webhook")).endsWith("/hooks/baton?token=abc");
        assertThat(dead.getJsonObject("event").getJsonObject("data").getString("service"))
                .isEqualTo("orders");
        long id = dead.getLong("id");

        HttpResponse<String> stillFailing =
                Calls.send(baton.adminPort(), "POST", "/events/dead-letters/" + id + "/replay", null);
        assertThat(stillFailing.statusCode()).isEqualTo(502);
        assertThat(new JsonObject(stillFailing.body()).getInteger("attempts")).isEqualTo(4);
        assertThat(deadLetters().getJsonObject(0).getInteger("attempts")).isEqualTo(4);

        failuresLeft.set(0);
        HttpResponse<String> replayed =
                Calls.send(baton.adminPort(), "POST", "/events/dead-letters/" + id + "/replay", null);
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(replayed.body()).getBoolean("delivered")).isTrue();
        assertThat(received).hasSize(1);
        assertThat(new JsonObject(received.get(0).body()).getLong("id")).isEqualTo(dead.getLong("eventId"));
        assertThat(deadLetters()).isEmpty();
        assertThat(Calls.send(baton.adminPort(), "POST", "/events/dead-letters/" + id + "/replay", null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(Calls.get(baton.adminPort(), "/events/dead-letters?limit=0").statusCode())
                .isEqualTo(400);
    }

    @Test
    void whatIsStillOutstandingAtStopBecomesADeadLetterThatSurvivesARestart() throws Exception {
        baton("1h", 5);
        failuresLeft.set(Integer.MAX_VALUE);
        register("orders");
        await().atMost(Duration.ofSeconds(10)).until(() -> failuresLeft.get() < Integer.MAX_VALUE); // tried once
        baton.close();
        baton = null;
        baton("1h", 5);
        JsonArray dead = deadLetters();
        assertThat(dead).hasSize(1);
        assertThat(dead.getJsonObject(0).getString("lastError")).contains("stopped before the event was delivered");
        assertThat(dead.getJsonObject(0).getInteger("attempts")).isEqualTo(1);
    }

    @Test
    void webhookConfigIsChecked() {
        ConfigLoader loader = new ConfigLoader(Map.of());
        assertThatThrownBy(() -> loader.parse("""
                        events:
                          webhooks:
                            - url: ftp://example.com/x
                              types: [SERVICE_REGISTRED]
                              secret: short
                              backoff: 10s
                              max-backoff: 1s
                            - types: [ALERT_*]
                        """, "baton.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "baton.yaml:3: events.webhooks[0].url: 'ftp://example.com/x' is not an http(s) URL")
                .hasMessageContaining("events.webhooks[0].types: 'SERVICE_REGISTRED' names no event type")
                .hasMessageContaining("events.webhooks[0].secret: must be at least 16 characters")
                .hasMessageContaining("events.webhooks[0].max-backoff: must be at least backoff")
                .hasMessageContaining("events.webhooks[1].url: is required");
    }
}
