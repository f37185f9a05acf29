package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Event;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log's JSON lines and rotation, and REQUEST_FAILED / REQUEST_ROUTED events. */
class AccessLogTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    Baton baton;
    Path log;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        // Reads the whole body before answering: an upstream that answers first may
        // finish the exchange before the body has passed (and been counted as bytesIn).
        up = TestUpstream.start(
                vertx,
                req -> req.body()
                        .onSuccess(b -> req.response()
                                .putHeader("content-type", "application/json")
                                .end("{\"ok\":true,\"path\":\"" + req.path() + "\"}")));
        log = dir.resolve("logs/access.log");
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                access-log: { file: %s, max-size: 2KB, max-files: 2 }
                events: { request-sample: 1 }
                services:
                  orders:
                    instances: [ "%s" ]
                  broken:
                    retry: { attempts: 2, backoff: 1ms }
                    instances: [ "http://127.0.0.1:1" ]
                routes:
                  - { id: orders, path: /api/**, service: orders }
                  - { id: broken, path: /broken/**, service: broken }
                """.formatted(dir.resolve("data"), log, up.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        Calls.closeAll(vertx, baton, up);
    }

    List<JsonObject> lines() throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().map(JsonObject::new).toList();
    }

    @Test
    void oneJsonLinePerRequestWithItsFacts() throws Exception {
        List<Event> events = new CopyOnWriteArrayList<>();
        baton.events()
                .subscribeSync(
                        "test", EventFilter.of(EventType.REQUEST_ROUTED, EventType.REQUEST_FAILED), -1, events::add);
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        HttpResponse<String> ok = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.proxyPort() + "/api/orders?x=1"))
                                .header("traceparent", trace)
                                .header("x-request-id", "req-1")
                                .POST(HttpRequest.BodyPublishers.ofString("hello"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(up.last().headers().get("traceparent"))
                .as("a client's trace goes on as it was")
                .isEqualTo(trace);
        assertThat(Calls.get(baton.proxyPort(), "/broken/x").statusCode()).isEqualTo(502);
        assertThat(Calls.get(baton.proxyPort(), "/nowhere").statusCode()).isEqualTo(404);
        assertThat(Calls.get(baton.proxyPort(), "/api/fresh").statusCode()).isEqualTo(200);
        String started = up.last().headers().get("traceparent");
        assertThat(started).as("a trace is started when none came").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");

        await().atMost(Duration.ofSeconds(5)).until(() -> lines().size() == 4);
        List<JsonObject> lines = lines();
        JsonObject first = lines.get(0);
        assertThat(first.getString("requestId")).isEqualTo("req-1");
        assertThat(first.getString("traceId")).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(first.getString("method")).isEqualTo("POST");
        assertThat(first.getString("path")).isEqualTo("/api/orders");
        assertThat(first.getString("route")).isEqualTo("orders");
        assertThat(first.getString("service")).isEqualTo("orders");
        assertThat(first.getString("instance")).isEqualTo("orders-0");
        assertThat(first.getInteger("status")).isEqualTo(200);
        assertThat(first.getLong("bytesIn")).isEqualTo(5);
        assertThat(first.getLong("bytesOut")).isPositive();
        assertThat(first.getDouble("durationMs")).isPositive();
        assertThat(first.getDouble("upstreamMs")).isPositive().isLessThanOrEqualTo(first.getDouble("durationMs"));
        assertThat(first.getInteger("tries")).isEqualTo(1);
        assertThat(first.getString("client")).isEqualTo("127.0.0.1");
        assertThat(first.getString("time")).endsWith("Z");

        JsonObject broken = lines.get(1);
        assertThat(broken.getInteger("status")).isEqualTo(502);
        assertThat(broken.getInteger("tries")).isEqualTo(2);
        assertThat(broken.getInteger("retries")).isEqualTo(1);
        assertThat(broken.containsKey("upstreamMs")).isFalse();

        JsonObject unrouted = lines.get(2);
        assertThat(unrouted.getInteger("status")).isEqualTo(404);
        assertThat(unrouted.getString("route")).isNull();
        assertThat(lines.get(3).getString("traceId")).isEqualTo(started.substring(3, 35));

        await().atMost(Duration.ofSeconds(5)).until(() -> events.size() == 3);
        assertThat(events)
                .extracting(Event::type)
                .containsExactly(EventType.REQUEST_ROUTED, EventType.REQUEST_FAILED, EventType.REQUEST_ROUTED);
        assertThat(events.get(1).data())
                .containsEntry("service", "broken")
                .containsEntry("status", 502)
                .containsEntry("tries", 2);
    }

    @Test
    void theFileRollsOverBySizeKeepingMaxFiles() throws Exception {
        for (int i = 0; i < 60; i++) {
            assertThat(Calls.get(baton.proxyPort(), "/api/" + i).statusCode()).isEqualTo(200);
        }
        Path one = log.resolveSibling("access.log.1");
        Path two = log.resolveSibling("access.log.2");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(two));
        baton.close(); // flushes what is queued
        assertThat(log.resolveSibling("access.log.3")).doesNotExist();
        for (Path p : List.of(log, one, two)) {
            assertThat(Files.size(p)).isLessThanOrEqualTo(2048);
            try (Stream<String> lines = Files.lines(p)) {
                lines.forEach(
                        l -> assertThat(new JsonObject(l).getInteger("status")).isEqualTo(200));
            }
        }
        // The newest lines are in the live file, the oldest kept in .2.
        List<String> newest = Files.readAllLines(log);
        assertThat(new JsonObject(newest.get(newest.size() - 1)).getString("path"))
                .isEqualTo("/api/59");
    }
}
