package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API of a running gateway, over real HTTP. */
class AdminApiTest {
    static Vertx vertx;
    static TestUpstream up;
    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    Path file;
    Baton baton;

    @BeforeAll
    static void upstream() {
        vertx = Vertx.vertx();
        up = TestUpstream.ok(vertx);
    }

    @AfterAll
    static void close() throws Exception {
        up.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String yaml(String extraService) {
        return """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  orders:
                    name: Orders
                    type: core
                    health-check: { path: /health, interval: 100ms, timeout: 50ms }
                    instances: [ "%s", "http://127.0.0.1:1" ]
                  edge: { type: edge, instances: [ "%s/e" ] }
                %s
                routes: [ { path: /**, service: orders } ]
                """.formatted(dir.resolve("data"), up.url(), up.url(), extraService);
    }

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("baton.yaml");
        Files.writeString(file, yaml(""));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() {
        baton.stop();
    }

    HttpResponse<String> call(String method, String path) throws Exception {
        return Calls.send(baton.adminPort(), method, path, null);
    }

    HttpResponse<String> proxied(String path) throws Exception {
        return Calls.get(baton.proxyPort(), path);
    }

    void awaitOrdersDegraded() {
        // One of its instances refuses connections; the other answers.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> new JsonObject(call("GET", "/services/orders").body())
                        .getString("status")
                        .equals("DEGRADED"));
    }

    @Test
    void healthAndStatus() throws Exception {
        HttpResponse<String> health = call("GET", "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(health.body()).getString("status")).isEqualTo("UP");
        assertThat(health.headers().firstValue("x-request-id")).isPresent();

        JsonObject status = new JsonObject(call("GET", "/status").body());
        assertThat(status.getInteger("services")).isEqualTo(2);
        assertThat(status.getJsonObject("instances").getInteger("total")).isEqualTo(3);
        assertThat(status.getString("version")).isEqualTo(Baton.version()).isNotEqualTo("dev");
    }

    @Test
    void servicesInTheContractsShape() throws Exception {
        assertThat(new JsonArray(call("GET", "/services").body())).hasSize(2);
        JsonArray core = new JsonArray(call("GET", "/services?type=core").body());
        assertThat(core).hasSize(1);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonObject orders = new JsonObject(call("GET", "/services/orders").body());
            assertThat(orders.getString("id")).isEqualTo("orders");
            assertThat(orders.getString("name")).isEqualTo("Orders");
            assertThat(orders.getString("type")).isEqualTo("core");
            assertThat(orders.getString("status")).isEqualTo("DEGRADED"); // one instance refuses connections
            JsonArray instances = orders.getJsonArray("instances");
            assertThat(instances.getJsonObject(0).getString("status")).isEqualTo("HEALTHY");
            assertThat(instances.getJsonObject(0).getString("url"))
                    .isEqualTo(up.url().toString());
            assertThat(instances.getJsonObject(0).getInteger("activeRequests")).isZero();
            assertThat(instances.getJsonObject(1).getString("status")).isEqualTo("UNHEALTHY");
        });
        JsonObject edge = new JsonObject(call("GET", "/services/edge").body());
        assertThat(edge.getString("status")).as("unchecked").isEqualTo("UNKNOWN");

        HttpResponse<String> missing = call("GET", "/services/nope");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(missing.body()).getString("error")).isEqualTo("not_found");
    }

    @Test
    void loadBalancerPicksAHealthyInstanceOfAType() throws Exception {
        awaitOrdersDegraded();
        for (int i = 0; i < 4; i++) {
            JsonObject pick = new JsonObject(call("GET", "/loadbalancer/core").body());
            assertThat(pick.getString("serviceId")).isEqualTo("orders");
            assertThat(pick.getString("url"))
                    .as("never the unhealthy one")
                    .isEqualTo(up.url().toString());
        }
        HttpResponse<String> none = call("GET", "/loadbalancer/batch");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(none.body()).getString("error")).isEqualTo("service_unavailable");
    }

    @Test
    void configReloadAppliesOrListsEveryError() throws Exception {
        Files.writeString(file, yaml("  extra: { instances: [ \"" + up.url() + "/x\" ] }"));
        HttpResponse<String> ok = call("POST", "/config/reload");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(ok.body()).getLong("configReloads")).isEqualTo(1);
        assertThat(new JsonArray(call("GET", "/services").body())).hasSize(3);

        Files.writeString(file, "services: { bad: { instances: [ nope ] } }\nroutes: [ { service: bad } ]\n");
        HttpResponse<String> bad = call("POST", "/config/reload");
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonObject body = new JsonObject(bad.body());
        assertThat(body.getString("error")).isEqualTo("bad_request");
        assertThat(body.getJsonArray("errors")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(new JsonArray(call("GET", "/services").body()))
                .as("still the last good config")
                .hasSize(3);
        assertThat(baton.rejectedReloadCount()).isEqualTo(1);
    }

    @Test
    void unknownPathsMethodsAndRequestIdsAreJsonErrors() throws Exception {
        HttpResponse<String> nowhere = call("GET", "/nowhere");
        assertThat(nowhere.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(nowhere.body()).getString("error")).isEqualTo("not_found");

        HttpResponse<String> wrong = call("DELETE", "/status");
        assertThat(wrong.statusCode()).isEqualTo(405);
        assertThat(new JsonObject(wrong.body()).getString("error")).isEqualTo("method_not_allowed");
        assertThat(wrong.headers().firstValue("allow")).hasValue("GET, HEAD, OPTIONS");

        HttpResponse<String> badId = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.adminPort() + "/health"))
                        .header("X-Request-ID", "not valid!")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(badId.statusCode()).isEqualTo(400);
    }

    @Test
    void headAndOptionsAnswerWhereverTheyShould() throws Exception {
        HttpResponse<String> head = call("HEAD", "/health");
        assertThat(head.statusCode()).as("a load balancer's probe").isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(call("HEAD", "/services/orders").statusCode()).isEqualTo(200);
        assertThat(call("HEAD", "/services/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> events = call("HEAD", "/events");
        assertThat(events.statusCode()).isEqualTo(200);
        assertThat(events.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));

        HttpResponse<String> options = call("OPTIONS", "/services/orders");
        assertThat(options.statusCode()).isEqualTo(204);
        assertThat(options.headers().firstValue("allow")).hasValue("DELETE, GET, HEAD, OPTIONS");
        assertThat(call("OPTIONS", "/config/reload").headers().firstValue("allow"))
                .hasValue("OPTIONS, POST");
        assertThat(call("OPTIONS", "/nowhere").statusCode()).isEqualTo(404);
    }

    @Test
    void prettyIndentsTheJson() throws Exception {
        assertThat(call("GET", "/health").body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(call("GET", "/health?pretty").body()).isEqualTo("{\n  \"status\" : \"UP\"\n}");
        assertThat(call("GET", "/nowhere?pretty").body()).contains("\n  \"error\" : \"not_found\"");
    }

    @Test
    void theActiveConfigAsJson() throws Exception {
        HttpResponse<String> r = call("GET", "/config");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonObject config = new JsonObject(r.body());
        assertThat(config.getJsonObject("server").getString("listen")).isEqualTo("127.0.0.1:0");
        assertThat(config.getJsonObject("limits").getString("requestTimeout")).isEqualTo("30s");
        JsonObject orders = config.getJsonObject("services").getJsonObject("orders");
        assertThat(orders.getString("loadBalancer")).isEqualTo("round-robin");
        assertThat(orders.getJsonObject("healthCheck").getString("interval")).isEqualTo("100ms");
        assertThat(orders.getJsonArray("instances").getJsonObject(0).getString("url"))
                .isEqualTo(up.url().toString());
        assertThat(config.getJsonArray("routes").getJsonObject(0).getString("path"))
                .isEqualTo("/**");
        assertThat(orders.containsKey("hashKey"))
                .as("absent optionals are left out")
                .isFalse();
    }

    @Test
    void detailedStatusListsEveryServiceInFull() throws Exception {
        JsonObject status = new JsonObject(call("GET", "/status/detailed").body());
        assertThat(status.getString("orchestrator")).isEqualTo("RUNNING");
        assertThat(status.getJsonObject("servicesByStatus").fieldNames()).contains("HEALTHY", "UNKNOWN");
        JsonArray details = status.getJsonArray("serviceDetails");
        assertThat(details.stream().map(s -> ((JsonObject) s).getString("id"))).containsExactly("orders", "edge");
        assertThat(details.getJsonObject(0).getJsonArray("instances")).hasSize(2);
    }

    @Test
    void stoppingTheOrchestratorRefusesProxyingUntilItStartsAgain() throws Exception {
        awaitOrdersDegraded();
        HttpResponse<String> proxied = proxied("/x");
        assertThat(proxied.statusCode()).isEqualTo(200);

        HttpResponse<String> stop = call("POST", "/orchestrator/stop");
        assertThat(new JsonObject(stop.body()).getBoolean("changed")).isTrue();
        assertThat(new JsonObject(call("POST", "/orchestrator/stop").body()).getBoolean("changed"))
                .isFalse();
        HttpResponse<String> refused = proxied("/x");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(refused.body()).getString("message")).contains("orchestrator is stopped");
        assertThat(call("GET", "/loadbalancer/core").statusCode()).isEqualTo(503);
        JsonObject status = new JsonObject(call("GET", "/status").body());
        assertThat(status.getString("orchestrator")).isEqualTo("STOPPED");
        assertThat(status.getJsonObject("instances").getJsonObject("byStatus").getInteger("HEALTHY"))
                .as("checks paused")
                .isZero();

        assertThat(new JsonObject(call("POST", "/orchestrator/start").body()).getString("orchestrator"))
                .isEqualTo("RUNNING");
        awaitOrdersDegraded();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> again = proxied("/x");
            assertThat(again.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void batonsOwnResponsesCarrySecurityHeaders() throws Exception {
        HttpResponse<String> health = call("GET", "/health");
        assertThat(health.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(health.headers().firstValue("x-frame-options")).contains("DENY");
        assertThat(health.headers().firstValue("content-security-policy"))
                .hasValueSatisfying(p -> assertThat(p).startsWith("default-src 'none'"));
        assertThat(call("GET", "/nope").headers().firstValue("x-content-type-options"))
                .contains("nosniff");
        assertThat(call("GET", "/docs").headers().firstValue("content-security-policy"))
                .hasValueSatisfying(p -> assertThat(p).contains("script-src 'self'"));
        HttpResponse<String> proxyError = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.proxyPort() + "/x"))
                        .header("X-Request-ID", "not valid!")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(proxyError.statusCode()).isEqualTo(400);
        assertThat(proxyError.headers().firstValue("x-content-type-options")).contains("nosniff");
    }
}
