package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Event;
import dev.baton.events.EventType;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operators drive a service's circuit breaker through the admin API; every transition is an event. */
class BreakerApiTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    Baton baton;
    final List<Event> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        up = TestUpstream.ok(vertx);
        Path file =
                Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  orders:
                    circuit-breaker: { minimum-calls: 5, open-duration: 30s }
                    instances: [ "%s" ]
                  plain: { instances: [ "%s" ] }
                routes: [ { path: /**, service: orders } ]
                """.formatted(dir.resolve("data"), up.url(), up.url()));
        baton = Baton.builder().configFile(file).watch(false).build();
        baton.events().subscribe("test", events::add);
        baton.start();
    }

    @AfterEach
    void stop() throws Exception {
        Calls.closeAll(vertx, baton, up);
    }

    HttpResponse<String> admin(String method, String path) throws Exception {
        return Calls.send(baton.adminPort(), method, path, null);
    }

    String breakerState() throws Exception {
        return new JsonObject(admin("GET", "/services/orders").body())
                .getJsonObject("circuitBreaker")
                .getString("state");
    }

    @Test
    void openCloseAndResetByHandWithEvents() throws Exception {
        assertThat(Calls.get(baton.proxyPort(), "/x").statusCode()).isEqualTo(200);
        JsonObject cb = new JsonObject(admin("GET", "/services/orders").body()).getJsonObject("circuitBreaker");
        assertThat(cb.getString("state")).isEqualTo("CLOSED");
        assertThat(cb.getString("scope")).isEqualTo("service");
        assertThat(cb.getInteger("bufferedCalls")).isEqualTo(1);

        HttpResponse<String> opened = admin("POST", "/services/orders/circuit-breaker/open");
        assertThat(opened.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(opened.body()).getJsonObject("circuitBreaker").getString("state"))
                .isEqualTo("FORCED_OPEN");
        assertThat(Calls.get(baton.proxyPort(), "/x").statusCode()).isEqualTo(503);

        admin("POST", "/services/orders/circuit-breaker/close");
        assertThat(breakerState()).isEqualTo("CLOSED");
        assertThat(Calls.get(baton.proxyPort(), "/x").statusCode()).isEqualTo(200);
        admin("POST", "/services/orders/circuit-breaker/reset");
        assertThat(new JsonObject(admin("GET", "/services/orders").body())
                        .getJsonObject("circuitBreaker")
                        .getInteger("bufferedCalls"))
                .isZero();
        await().until(() -> events.stream()
                        .filter(e -> e.type().name().startsWith("CIRCUIT_BREAKER"))
                        .count()
                == 2);
        assertThat(events)
                .filteredOn(e -> e.type().name().startsWith("CIRCUIT_BREAKER"))
                .extracting(Event::type)
                .containsExactly(EventType.CIRCUIT_BREAKER_OPENED, EventType.CIRCUIT_BREAKER_CLOSED);

        assertThat(admin("POST", "/services/orders/circuit-breaker/explode").statusCode())
                .isEqualTo(400);
        HttpResponse<String> noBreaker = admin("POST", "/services/plain/circuit-breaker/open");
        assertThat(noBreaker.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(noBreaker.body()).getString("error")).isEqualTo("no_circuit_breaker");
        assertThat(admin("POST", "/services/nope/circuit-breaker/open").statusCode())
                .isEqualTo(404);
        assertThat(new JsonObject(admin("GET", "/services/plain").body()).getValue("circuitBreaker"))
                .isNull();
    }
}
