package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routes to services that register later, and routes added, replaced and deleted at
 * run time through {@code /routes}: over the real admin API and proxy, persisted in
 * the store.
 */
class RuntimeRoutesTest {
    static Vertx vertx;
    static TestUpstream orders;
    static TestUpstream echo;

    @TempDir
    Path dir;

    Path file;
    Baton baton;

    @BeforeAll
    static void upstreams() {
        vertx = Vertx.vertx();
        orders = TestUpstream.start(vertx, req -> req.response().end("orders " + req.path()));
        echo = TestUpstream.start(vertx, req -> req.response().end("echo " + req.path()));
    }

    @AfterAll
    static void close() throws Exception {
        orders.close();
        echo.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String yaml(String routes) {
        return yaml(routes, "");
    }

    /** {@code routes} are more entries of routes:, {@code top} more top-level sections. */
    String yaml(String routes, String top) {
        return """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                %s
                services:
                  orders: { instances: [ "%s" ] }
                routes:
                  - { id: orders, path: /orders/**, service: orders }
                  - { id: later, path: /echo/**, service: echo }
                %s
                """.formatted(dir.resolve("data"), top, orders.url(), routes);
    }

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("baton.yaml");
        Files.writeString(file, yaml(""));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() {
        baton.close();
    }

    void restart() {
        baton.close();
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return Calls.send(baton.adminPort(), method, path, body);
    }

    HttpResponse<String> proxy(String path) throws Exception {
        return Calls.get(baton.proxyPort(), path);
    }

    JsonObject route(String id) throws Exception {
        JsonArray routes = new JsonObject(admin("GET", "/routes", null).body()).getJsonArray("routes");
        for (int i = 0; i < routes.size(); i++) {
            if (routes.getJsonObject(i).getString("id").equals(id)) {
                return routes.getJsonObject(i);
            }
        }
        throw new AssertionError("no route " + id + " in " + routes);
    }

    @Test
    void aRouteToAServiceThatRegistersLaterAnswers503UntilItDoes() throws Exception {
        assertThat(baton.plane().fileConfig().warnings())
                .singleElement()
                .satisfies(w -> assertThat(w.asWarning())
                        .endsWith(": warning: routes[1].service: service 'echo' is not defined here;"
                                + " the route answers 503 until it registers"));
        HttpResponse<String> before = proxy("/echo/hi");
        assertThat(before.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(before.body()).getString("message"))
                .isEqualTo("no instance of service 'echo' is registered");
        assertThat(before.headers().firstValue("retry-after")).contains("1");
        assertThat(route("later").getBoolean("serviceDefined")).isFalse();

        assertThat(admin("POST", "/services/register", """
                                {"id": "echo", "instances": ["%s"]}""".formatted(echo.url()))
                        .statusCode())
                .isEqualTo(201);
        HttpResponse<String> after = proxy("/echo/hi");
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.body()).isEqualTo("echo /echo/hi");
        assertThat(route("later").getBoolean("serviceDefined")).isTrue();

        assertThat(admin("DELETE", "/services/echo", null).statusCode()).isEqualTo(204);
        assertThat(proxy("/echo/hi").statusCode()).isEqualTo(503);
    }

    @Test
    void aRouteAddedAtRunTimeIsServedOnceAnsweredAndSurvivesARestart() throws Exception {
        HttpResponse<String> added = admin("POST", "/routes", """
                {"id": "v2", "path": "/v2/**", "service": "orders", "strip-prefix": "/v2",
                 "methods": ["GET"]}""");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(added.headers().firstValue("location")).contains("/routes/v2");
        JsonObject body = new JsonObject(added.body());
        assertThat(body.getString("source")).isEqualTo("api");
        assertThat(body.getString("stripPrefix")).isEqualTo("/v2");
        assertThat(body.containsKey("warnings")).isFalse();
        assertThat(proxy("/v2/list").body()).isEqualTo("orders /list");

        assertThat(new JsonObject(admin("GET", "/routes", null).body())
                        .getJsonArray("routes").stream()
                                .map(r ->
                                        ((JsonObject) r).getString("id") + ":" + ((JsonObject) r).getString("source")))
                .containsExactly("orders:config", "later:config", "v2:api");
        assertThat(new JsonObject(admin("GET", "/routes/v2", null).body()).getString("path"))
                .isEqualTo("/v2/**");

        // Written as the answer ends, so it may land a moment after the client has it.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !new JsonArray(admin("GET", "/audit", null).body()).isEmpty());
        JsonObject audited = new JsonArray(admin("GET", "/audit", null).body()).getJsonObject(0);
        assertThat(audited.getString("path")).isEqualTo("/routes");
        assertThat(audited.getJsonObject("after").getString("route")).isEqualTo("v2");
        assertThat(audited.getJsonObject("after").getString("service")).isEqualTo("orders");

        restart();
        assertThat(proxy("/v2/list").body()).isEqualTo("orders /list");
        assertThat(route("v2").getString("source")).isEqualTo("api");
    }

    @Test
    void putAddsOrReplacesAndDeleteRemoves() throws Exception {
        HttpResponse<String> created = admin("PUT", "/routes/echo", """
                {"path": "/e/**", "service": "echo"}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(new JsonObject(created.body()).getJsonArray("warnings"))
                .containsExactly(
                        "service: service 'echo' is not defined here; the route answers 503 until it registers");

        HttpResponse<String> replaced = admin("PUT", "/routes/echo", """
                {"id": "echo", "path": "/e/**", "service": "orders"}""");
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        assertThat(proxy("/e/x").body()).isEqualTo("orders /e/x");

        assertThat(admin("DELETE", "/routes/echo", null).statusCode()).isEqualTo(204);
        assertThat(proxy("/e/x").statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/routes/echo", null).statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/routes/echo", null).statusCode()).isEqualTo(404);

        restart();
        assertThat(proxy("/e/x").statusCode()).as("deleted durably").isEqualTo(404);
    }

    @Test
    void anInvalidRouteIsRefusedWithEveryProblemAndChangesNothing() throws Exception {
        HttpResponse<String> r = admin("POST", "/routes", """
                {"path": "no-slash", "service": "orders", "methods": ["FETCH"], "colour": "blue",
                 "auth": {"jwt": true}}""");
        assertThat(r.statusCode()).isEqualTo(400);
        JsonObject body = new JsonObject(r.body());
        List<String> fields = body.getJsonArray("errors").stream()
                .map(e -> ((JsonObject) e).getString("field"))
                .toList();
        assertThat(fields).contains("id", "path", "colour");
        assertThat(body.getJsonArray("errors").encode()).contains("FETCH").contains("security.jwt");

        HttpResponse<String> mismatch = admin("PUT", "/routes/a", """
                {"id": "b", "path": "/b/**", "service": "orders"}""");
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("differs from the id in the path");

        HttpResponse<String> file = admin("POST", "/routes", """
                {"id": "f", "path": "/f/**", "service": "orders",
                 "validate": {"json": {"schema": "/etc/passwd"}}}""");
        assertThat(file.statusCode()).isEqualTo(400);
        assertThat(file.body())
                .contains("validate.json.schema")
                .contains("cannot read files")
                .doesNotContain("root");

        assertThat(admin("POST", "/routes", "[1]").statusCode()).isEqualTo(400);
        assertThat(admin("POST", "/routes", "{").statusCode()).isEqualTo(400);
        assertThat(new JsonObject(admin("GET", "/routes", null).body()).getJsonArray("routes"))
                .hasSize(2);
    }

    @Test
    void theConfigFilesRoutesAreTheFilesToChange() throws Exception {
        for (String[] call : List.of(
                new String[] {"POST", "/routes", "{\"id\":\"orders\",\"path\":\"/x/**\",\"service\":\"orders\"}"},
                new String[] {"PUT", "/routes/orders", "{\"path\":\"/x/**\",\"service\":\"orders\"}"},
                new String[] {"DELETE", "/routes/orders", null})) {
            HttpResponse<String> r = admin(call[0], call[1], call[2]);
            assertThat(r.statusCode()).as(call[0]).isEqualTo(409);
            assertThat(new JsonObject(r.body()).getString("error")).isEqualTo("defined_in_config");
        }
        assertThat(admin("POST", "/routes", "{\"id\":\"v2\",\"path\":\"/v2/**\",\"service\":\"orders\"}")
                        .statusCode())
                .isEqualTo(201);
        HttpResponse<String> again =
                admin("POST", "/routes", "{\"id\":\"v2\",\"path\":\"/v3/**\",\"service\":\"orders\"}");
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(again.body()).getString("error")).isEqualTo("route_exists");
    }

    @Test
    void aFileRouteOfTheSameIdShadowsARuntimeOneUntilItGoes() throws Exception {
        assertThat(admin("POST", "/routes", "{\"id\":\"v2\",\"path\":\"/v2/**\",\"service\":\"orders\"}")
                        .statusCode())
                .isEqualTo(201);
        Files.writeString(file, yaml("  - { id: v2, path: /two/**, service: orders }"));
        assertThat(admin("POST", "/config/reload", null).statusCode()).isEqualTo(200);

        assertThat(proxy("/two/x").body()).isEqualTo("orders /two/x");
        assertThat(proxy("/v2/x").statusCode()).isEqualTo(404);
        JsonArray routes = new JsonObject(admin("GET", "/routes", null).body()).getJsonArray("routes");
        assertThat(routes.stream()
                        .map(r -> ((JsonObject) r).getString("id") + ":" + ((JsonObject) r).getString("source") + ":"
                                + ((JsonObject) r).getBoolean("active")))
                .containsExactly("orders:config:true", "later:config:true", "v2:config:true", "v2:api:false");
        assertThat(routes.getJsonObject(3).getString("reason")).contains("the config file defines a route 'v2' too");

        Files.writeString(file, yaml(""));
        assertThat(admin("POST", "/config/reload", null).statusCode()).isEqualTo(200);
        assertThat(proxy("/v2/x").body()).isEqualTo("orders /v2/x");
        assertThat(route("v2").getString("source")).isEqualTo("api");
    }

    @Test
    void aStoredRouteThatNeedsWhatTheFileNoLongerGivesIsKeptIdle() throws Exception {
        String jwt = "security: { jwt: { secret: \"0123456789abcdef0123456789abcdef\" } }";
        Files.writeString(file, yaml("", jwt));
        restart();
        HttpResponse<String> added = admin("POST", "/routes", """
                {"id": "secure", "path": "/secure/**", "service": "orders", "auth": {"jwt": true}}""");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(proxy("/secure/x").statusCode()).isEqualTo(401);

        Files.writeString(file, yaml(""));
        restart();
        JsonObject idle = route("secure");
        assertThat(idle.getBoolean("active")).isFalse();
        assertThat(idle.getString("reason")).contains("security.jwt");
        assertThat(proxy("/secure/x").statusCode()).isEqualTo(404);

        Files.writeString(file, yaml("", jwt));
        assertThat(admin("POST", "/config/reload", null).statusCode()).isEqualTo(200);
        assertThat(route("secure").getBoolean("active")).isTrue();
        assertThat(proxy("/secure/x").statusCode()).isEqualTo(401);
    }

    @Test
    void aReloadSaysWhatTheFileProbablyDoesNotMean() throws Exception {
        HttpResponse<String> r = admin("POST", "/config/reload", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonArray warnings = new JsonObject(r.body()).getJsonArray("warnings");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.getJsonObject(0).getString("path")).isEqualTo("routes[1].service");
    }
}
