package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /events: health changes arrive as SSE, filtered by type, resumed after a reconnect, with heartbeats. */
class EventsApiTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    AtomicBoolean healthy = new AtomicBoolean(true);
    Baton baton;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        up = TestUpstream.start(
                vertx,
                req -> req.response()
                        .setStatusCode(req.path().equals("/health") && !healthy.get() ? 503 : 200)
                        .end("ok"));
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                events: { heartbeat: 1s, history: 100 }
                services:
                  orders:
                    health-check: { path: /health, interval: 100ms, timeout: 100ms, unhealthy-threshold: 1, healthy-threshold: 1 }
                    instances: [ "%s" ]
                """.formatted(dir.resolve("data"), up.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        Calls.closeAll(vertx, baton, up);
    }

    static JsonObject data(String line) {
        return new JsonObject(line.substring("data: ".length()));
    }

    @Test
    void aHealthChangeArrivesAndAReconnectResumesWhereItLeftOff() throws Exception {
        String lastId;
        try (SseClient sse = new SseClient(baton.adminPort(), "/events?types=SERVICE_HEALTH_*", null)) {
            assertThat(sse.response().statusCode()).isEqualTo(200);
            assertThat(sse.response().headers().firstValue("content-type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
            // UNKNOWN -> HEALTHY first (the stream starts live: that may already be past), then down.
            healthy.set(false);
            JsonObject down;
            do {
                lastId = sse.next("id: ", WAIT).substring(4);
                down = data(sse.next("data: ", WAIT));
            } while (!down.getJsonObject("data").getString("status").equals("UNHEALTHY"));
            assertThat(down.getString("type")).isEqualTo("SERVICE_HEALTH_CHANGED");
            assertThat(down.getLong("id")).isEqualTo(Long.parseLong(lastId));
            assertThat(down.getString("time")).isNotBlank();
            assertThat(down.getJsonObject("data").getString("service")).isEqualTo("orders");
            assertThat(sse.next(": ping", Duration.ofSeconds(5))).isEqualTo(": ping");
        }
        // While nobody listens, it comes back up and other events happen.
        healthy.set(true);
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> new JsonObject(
                                Calls.get(baton.adminPort(), "/services/orders").body())
                        .getString("status")
                        .equals("HEALTHY"));
        Calls.send(baton.adminPort(), "POST", "/config/reload", null);

        try (SseClient resumed = new SseClient(baton.adminPort(), "/events?types=SERVICE_HEALTH_*", lastId)) {
            JsonObject missed = data(resumed.next("data: ", WAIT));
            assertThat(missed.getLong("id")).isGreaterThan(Long.parseLong(lastId));
            assertThat(missed.getString("type")).isEqualTo("SERVICE_HEALTH_CHANGED");
            assertThat(missed.getJsonObject("data").getString("status")).isEqualTo("HEALTHY");
        }
        // Unfiltered, from the start of the history: the reload is there too.
        try (SseClient all = new SseClient(baton.adminPort(), "/events", "0")) {
            boolean sawReload = false;
            for (int i = 0; i < 10 && !sawReload; i++) {
                sawReload = data(all.next("data: ", WAIT)).getString("type").equals("CONFIG_RELOADED");
            }
            assertThat(sawReload).isTrue();
        }
    }

    @Test
    void badFiltersAndIdsAreRefusedWithJsonErrors() throws Exception {
        HttpResponse<String> r = Calls.get(baton.adminPort(), "/events?types=SERVICE_HEALTHY");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(r.body()).getString("message")).contains("'SERVICE_HEALTHY' names no event type");
        HttpResponse<String> id = Calls.get(baton.adminPort(), "/events?lastEventId=abc");
        assertThat(id.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(id.body()).getString("message")).contains("Last-Event-ID");
    }
}
