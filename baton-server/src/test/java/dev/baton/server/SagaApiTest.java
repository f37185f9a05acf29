package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.Event;
import dev.baton.events.EventFilter;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sagas through the admin API of a whole gateway: start, wait, read, list, act, define; and their events. */
class SagaApiTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream stock;
    TestUpstream pay;
    Baton baton;
    final List<Event> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        stock = TestUpstream.start(
                vertx,
                req -> req.response()
                        .setStatusCode(req.method().name().equals("POST") ? 201 : 204)
                        .end("{\"id\":\"r9\"}"));
        pay = TestUpstream.start(
                vertx,
                req -> req.response()
                        .setStatusCode(
                                req.getHeader("x-amount") != null
                                                && req.getHeader("x-amount").equals("0")
                                        ? 402
                                        : 201)
                        .end("{\"id\":\"c9\"}"));
        Path file = Files.writeString(
                dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  stock: { instances: [ "%s" ] }
                  pay: { instances: [ "%s" ] }
                sagas:
                  order:
                    steps:
                      - id: reserve
                        call: { service: stock, path: /reservations, body: { sku: "{{input.sku}}" } }
                        compensate: { service: stock, method: DELETE, path: "/reservations/{{steps.reserve.response.body.id}}" }
                      - id: charge
                        call: { service: pay, path: /charges, headers: { x-amount: "{{input.amount}}" } }
                """.formatted(dir.resolve("data"), stock.url(), pay.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        baton.events().subscribeSync("test", EventFilter.parse("SAGA_*"), -1, events::add);
    }

    @AfterEach
    void stop() throws Exception {
        baton.close();
        stock.close();
        pay.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        return Calls.send(baton.adminPort(), method, path, body, headers);
    }

    @Test
    void aSagaStartsRunsAndIsReadBack() throws Exception {
        HttpResponse<String> done = send("POST", "/sagas/order?wait=10s", "{\"sku\":\"A\",\"amount\":5}");
        assertThat(done.statusCode()).isEqualTo(200);
        JsonObject saga = new JsonObject(done.body());
        assertThat(saga.getString("state")).isEqualTo("COMPLETED");
        assertThat(saga.getJsonArray("steps").getJsonObject(0).getString("state"))
                .isEqualTo("SUCCEEDED");
        String id = saga.getString("id");
        assertThat(done.headers().firstValue("location")).hasValue("/sagas/" + id);

        JsonObject read = new JsonObject(send("GET", "/sagas/" + id, null).body());
        assertThat(read.getJsonObject("input").getString("sku")).isEqualTo("A");
        JsonArray list = new JsonArray(
                send("GET", "/sagas?name=order&state=completed", null).body());
        assertThat(list).hasSize(1);
        assertThat(send("GET", "/sagas/nope", null).statusCode()).isEqualTo(404);
        HttpResponse<String> cancel = send("POST", "/sagas/" + id + "/cancel", null);
        assertThat(cancel.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(cancel.body()).getString("message")).contains("has ended COMPLETED");

        HttpResponse<String> refused = send("POST", "/sagas/order?wait=10s", "{\"sku\":\"B\",\"amount\":0}");
        JsonObject compensated = new JsonObject(refused.body());
        assertThat(compensated.getString("state")).isEqualTo("COMPENSATED");
        assertThat(compensated.getJsonArray("steps").getJsonObject(0).getString("state"))
                .isEqualTo("COMPENSATED");
        assertThat(stock.received()).extracting(r -> r.method() + " " + r.uri()).contains("DELETE /reservations/r9");

        assertThat(events)
                .extracting(e -> e.type().name())
                .contains(
                        "SAGA_STARTED",
                        "SAGA_STEP_SUCCEEDED",
                        "SAGA_COMPLETED",
                        "SAGA_COMPENSATING",
                        "SAGA_COMPENSATED");
    }

    @Test
    void startsAreIdempotentByKeyAndBadInputIsRefused() throws Exception {
        HttpResponse<String> a = send("POST", "/sagas/order", "{\"sku\":\"A\",\"amount\":5}", "Idempotency-Key", "k-1");
        HttpResponse<String> b = send("POST", "/sagas/order", "{\"sku\":\"A\",\"amount\":5}", "Idempotency-Key", "k-1");
        assertThat(a.statusCode()).isEqualTo(201);
        assertThat(new JsonObject(b.body()).getString("id")).isEqualTo(new JsonObject(a.body()).getString("id"));
        assertThat(send("POST", "/sagas/order", "{nope").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/sagas/ghost", "{}").statusCode()).isEqualTo(404);
        assertThat(send("POST", "/sagas/order?wait=2h", "{}").statusCode()).isEqualTo(400);
        assertThat(send("POST", "/sagas/order?wait=999999999999999d", "{}").statusCode())
                .isEqualTo(400);
        String deep = "[".repeat(150) + "]".repeat(150);
        HttpResponse<String> tooDeep = send("POST", "/sagas/order", "{\"a\":" + deep + "}");
        assertThat(tooDeep.statusCode()).isEqualTo(400);
        assertThat(tooDeep.body()).contains("nested at most 100 deep");
        assertThat(send("GET", "/sagas?limit=0", null).statusCode()).isEqualTo(400);
        assertThat(send("GET", "/sagas?state=DONE", null).statusCode()).isEqualTo(400);
    }

    @Test
    void definitionsAreReadAndPutWithVersions() throws Exception {
        JsonArray defs = new JsonArray(send("GET", "/sagas/definitions", null).body());
        assertThat(defs).hasSize(1);
        assertThat(defs.getJsonObject(0).getString("source")).isEqualTo("config");
        String secretive = "{\"steps\":[{\"id\":\"r\",\"call\":{\"service\":\"pay\",\"path\":\"/r\","
                + "\"headers\":{\"Authorization\":\"Bearer s3cr3t\",\"x-trace\":\"on\"}}}]}";
        assertThat(send("PUT", "/sagas/definitions/secretive", secretive).body())
                .doesNotContain("s3cr3t")
                .contains("\"x-trace\":\"on\"");
        assertThat(send("GET", "/sagas/definitions", null).body()).doesNotContain("s3cr3t");
        String refund = "{\"steps\":[{\"id\":\"refund\",\"call\":{\"service\":\"pay\",\"path\":\"/refunds\"}}]}";
        HttpResponse<String> put = send("PUT", "/sagas/definitions/refund", refund);
        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(put.body()).getInteger("version")).isEqualTo(1);
        String changed = refund.replace("/refunds", "/refunds/v2");
        assertThat(new JsonObject(send("PUT", "/sagas/definitions/refund", changed)
                                .body())
                        .getInteger("version"))
                .isEqualTo(2);
        HttpResponse<String> bad = send(
                "PUT",
                "/sagas/definitions/refund",
                "{\"steps\":[{\"id\":\"x\",\"call\":{\"service\":\"pay\",\"path\":\"/{{steps.y.response.body.id}}\"}}]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("no step 'y' has run by then");
        assertThat(send("PUT", "/sagas/definitions/order", refund).statusCode())
                .as("the config file's own")
                .isEqualTo(409);
        assertThat(new JsonObject(send("POST", "/sagas/refund?wait=10s", "{}").body()).getString("state"))
                .isEqualTo("COMPLETED");
        assertThat(pay.received()).extracting(r -> r.uri()).contains("/refunds/v2");
    }
}
