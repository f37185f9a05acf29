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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The saga log across a crash: a Baton process running 100 sagas against slow
 * services is killed with SIGKILL mid-way; a new one on the same data directory
 * brings every saga to its end. No call is lost, every call carries its
 * idempotency key, and only the sagas whose charge was refused are compensated.
 */
class SagaCrashTest {
    static final int SAGAS = 100;

    @TempDir
    Path dir;

    Vertx vertx = Vertx.vertx();
    Process baton;
    final List<String> calls = new CopyOnWriteArrayList<>(); // "METHOD path key"

    @AfterEach
    void cleanUp() throws Exception {
        if (baton != null) {
            baton.destroyForcibly();
            baton.waitFor(30, TimeUnit.SECONDS);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Answers after 150 ms: slow enough that the kill finds calls out. */
    TestUpstream slow(int refuseWhenAmountIs) {
        return TestUpstream.start(
                vertx,
                req -> req.body().onSuccess(body -> {
                    calls.add(req.method() + " " + req.path() + " " + req.getHeader("idempotency-key"));
                    boolean refuse =
                            body.length() > 0 && new JsonObject(body).getInteger("amount", -1) == refuseWhenAmountIs;
                    vertx.setTimer(
                            150,
                            t -> req.response()
                                    .setStatusCode(
                                            refuse ? 402 : req.method().name().equals("DELETE") ? 204 : 201)
                                    .end("{\"id\":\"x\"}"));
                }));
    }

    void launch(Path config) throws Exception {
        baton = Calls.launch(config, dir.resolve("baton.log"));
    }

    static String states(int admin) {
        try {
            return new JsonArray(Calls.get(admin, "/sagas?limit=1000").body())
                    .stream()
                            .map(o -> ((JsonObject) o).getString("state"))
                            .collect(Collectors.groupingBy(s -> s, Collectors.counting()))
                            .toString();
        } catch (Exception e) {
            return "unreadable: " + e;
        }
    }

    String log() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("baton.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (java.io.IOException e) {
            return "no log: " + e;
        }
    }

    @Test
    void aBatonKilledMidWayLeavesNoSagaUnfinishedForTheNext() throws Exception {
        TestUpstream stock = slow(-2);
        TestUpstream pay = slow(0);
        int admin = Ports.free();
        Path config = Files.writeString(
                dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:%d, data-dir: %s, shutdown-grace: 1s }
                services:
                  stock: { instances: [ "%s" ] }
                  pay: { instances: [ "%s" ] }
                sagas:
                  order:
                    steps:
                      - id: reserve
                        call: { service: stock, path: /reservations, body: { n: "{{input.n}}" } }
                        compensate: { service: stock, method: DELETE, path: "/reservations/{{saga.id}}" }
                      - id: charge
                        call: { service: pay, path: /charges, body: { amount: "{{input.amount}}" } }
                """.formatted(admin, dir.resolve("data"), stock.url(), pay.url()));
        launch(config);
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> Calls.get(admin, "/health").statusCode() == 200);
        Map<String, Integer> amounts = new HashMap<>();
        for (int i = 0; i < SAGAS; i++) {
            int amount = i % 2; // every other charge is refused
            var r = Calls.send(admin, "POST", "/sagas/order", "{\"n\":" + i + ",\"amount\":" + amount + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            amounts.put(new JsonObject(r.body()).getString("id"), amount);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> calls.size() >= SAGAS / 2);
        baton.destroyForcibly(); // SIGKILL: no chance to write anything more
        assertThat(baton.waitFor(30, TimeUnit.SECONDS)).isTrue();
        int before = calls.size();

        launch(config);
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .ignoreExceptions()
                .conditionEvaluationListener(c -> {
                    if (c.getRemainingTimeInMS() <= 500) { // about to give up: say what was left
                        System.err.println("sagas: " + states(admin) + "\nbaton.log:\n" + log());
                    }
                })
                .until(() -> {
                    JsonArray all =
                            new JsonArray(Calls.get(admin, "/sagas?limit=1000").body());
                    return all.size() == SAGAS
                            && all.stream()
                                    .map(o -> ((JsonObject) o).getString("state"))
                                    .allMatch(s -> s.equals("COMPLETED") || s.equals("COMPENSATED"));
                });
        assertThat(calls.size())
                .as("the new Baton went on where the killed one stopped")
                .isGreaterThan(before);

        JsonArray all = new JsonArray(Calls.get(admin, "/sagas?limit=1000").body());
        Map<String, String> states = all.stream()
                .map(o -> (JsonObject) o)
                .collect(Collectors.toMap(o -> o.getString("id"), o -> o.getString("state")));
        assertThat(states.keySet()).isEqualTo(amounts.keySet());
        for (String call : calls) {
            assertThat(call).matches("(POST|DELETE) /\\S+ [0-9a-f-]{36}:(reserve|charge):(call|compensate)");
        }
        for (var e : amounts.entrySet()) {
            String id = e.getKey();
            Set<String> keys = calls.stream()
                    .filter(c -> c.contains(" " + id + ":"))
                    .map(c -> c.substring(0, c.indexOf(' ')) + " " + c.substring(c.lastIndexOf(':') + 1) + " "
                            + c.substring(c.indexOf(id + ":") + id.length() + 1, c.lastIndexOf(':')))
                    .collect(Collectors.toSet());
            if (e.getValue() == 0) {
                assertThat(states.get(id)).as(id).isEqualTo("COMPENSATED");
                assertThat(keys)
                        .as(id)
                        .containsExactlyInAnyOrder(
                                "POST call reserve", "POST call charge", "DELETE compensate reserve");
            } else {
                assertThat(states.get(id)).as(id).isEqualTo("COMPLETED");
                assertThat(keys).as(id).containsExactlyInAnyOrder("POST call reserve", "POST call charge");
            }
        }
        stock.close();
        pay.close();
    }
}
