package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Event;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /stats, GET /stats/{service} and GET /alerts over real traffic, with ALERT_FIRING on the bus. */
class StatsApiTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    Baton baton;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        up = TestUpstream.ok(vertx);
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  orders:
                    instances: [ "%s" ]
                  broken:
                    instances: [ "http://127.0.0.1:1" ]
                routes:
                  - { id: orders-api, path: /api/**, service: orders }
                alerts:
                  - { name: broken-errors, when: "error-rate(broken) > 50%%", severity: page }
                  - { name: ghost, when: "health(ghost) == UNHEALTHY" }
                """.formatted(dir.resolve("data"), up.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        Calls.closeAll(vertx, baton, up);
    }

    JsonObject get(String path) throws Exception {
        var r = Calls.get(baton.adminPort(), path);
        assertThat(r.statusCode()).as(path + " " + r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    @Test
    void trafficShowsInStatsAndFiresAnAlert() throws Exception {
        List<Event> alerts = new CopyOnWriteArrayList<>();
        baton.events().subscribeSync("test", EventFilter.parse("ALERT_*"), -1, alerts::add);
        for (int i = 0; i < 5; i++) {
            assertThat(Calls.get(baton.proxyPort(), "/api/x").statusCode()).isEqualTo(200);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(Calls.get(baton.proxyPort(), "/orchestrator/broken/x").statusCode())
                    .isEqualTo(502);
        }
        // The current second is left out: wait for it to end, for both services (their
        // requests may have ended in different seconds).
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            JsonObject services = get("/stats").getJsonObject("services");
            return services.getJsonObject("orders").getLong("requests") == 5
                    && services.getJsonObject("broken").getLong("requests") == 3;
        });
        JsonObject all = get("/stats?window=30s");
        assertThat(all.getString("window")).isEqualTo("30s");
        JsonObject orders = all.getJsonObject("services").getJsonObject("orders");
        assertThat(orders.getLong("errors")).isZero();
        assertThat(orders.getDouble("requestsPerSecond"))
                .isEqualTo(5 / 30.0, org.assertj.core.api.Assertions.within(0.001));
        assertThat(orders.getDouble("p50Ms")).isPositive();
        assertThat(orders.getDouble("p99Ms")).isGreaterThanOrEqualTo(orders.getDouble("p50Ms"));
        JsonObject broken = all.getJsonObject("services").getJsonObject("broken");
        assertThat(broken.getLong("errors")).isEqualTo(3);
        assertThat(broken.getDouble("errorRate")).isEqualTo(1.0);
        assertThat(all.getJsonObject("routes").getJsonObject("orders-api").getLong("requests"))
                .isEqualTo(5);
        assertThat(all.getJsonObject("routes")
                        .getJsonObject("orchestrator:broken")
                        .getLong("requests"))
                .isEqualTo(3);

        JsonObject series = get("/stats/orders?window=20s&step=5s");
        assertThat(series.getJsonArray("points")).hasSize(4);
        long inPoints = series.getJsonArray("points").stream()
                .mapToLong(p -> ((JsonObject) p).getLong("requests"))
                .sum();
        assertThat(inPoints).isEqualTo(5);
        assertThat(series.getJsonObject("summary").getLong("requests")).isEqualTo(5);
        assertThat(series.getJsonObject("routes").fieldNames()).containsExactly("orders-api", "orchestrator:orders");

        await().atMost(Duration.ofSeconds(5)).until(() -> !alerts.isEmpty());
        assertThat(alerts.get(0).type()).isEqualTo(EventType.ALERT_FIRING);
        assertThat(alerts.get(0).data()).containsEntry("alert", "broken-errors").containsEntry("severity", "page");
        JsonArray states = new JsonArray(Calls.get(baton.adminPort(), "/alerts").body());
        JsonObject firing = states.getJsonObject(0);
        assertThat(firing.getString("state")).isEqualTo("FIRING");
        assertThat(firing.getJsonArray("targets")).containsExactly("broken");
        assertThat(firing.getDouble("value")).isEqualTo(1.0);
        assertThat(firing.getString("firedAt")).isNotNull();
        JsonObject ghost = states.getJsonObject(1);
        assertThat(ghost.getString("state")).isEqualTo("INACTIVE");
        assertThat(ghost.getString("warning")).contains("no service 'ghost'");
    }

    @Test
    void badWindowsAndUnknownServicesAreRefused() throws Exception {
        assertThat(Calls.get(baton.adminPort(), "/stats?window=1h").statusCode())
                .isEqualTo(400);
        assertThat(Calls.get(baton.adminPort(), "/stats?window=soon").statusCode())
                .isEqualTo(400);
        assertThat(Calls.get(baton.adminPort(), "/stats/orders?step=0s").statusCode())
                .isEqualTo(400);
        assertThat(Calls.get(baton.adminPort(), "/stats/nope").statusCode()).isEqualTo(404);
    }
}
