package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Event;
import dev.baton.events.EventType;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Run-time registration, leases, persistence and discovery files, over the real admin API and proxy. */
class RegistryApiTest {
    static Vertx vertx;
    static TestUpstream a;
    static TestUpstream b;

    @TempDir
    Path dir;

    Path file;
    Baton baton;
    final List<Event> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void upstreams() {
        vertx = Vertx.vertx();
        a = TestUpstream.start(vertx, req -> req.response().end("a"));
        b = TestUpstream.start(vertx, req -> req.response().end("b"));
    }

    @AfterAll
    static void close() throws Exception {
        a.close();
        b.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String yaml(String extra) {
        return """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                discovery: { files: %s }
                services:
                  orders: { type: core, instances: [ "%s" ] }
                routes: [ { path: /orders/**, service: orders } ]
                %s
                """.formatted(dir.resolve("data"), dir.resolve("sd"), a.url(), extra);
    }

    @BeforeEach
    void start() throws Exception {
        file = dir.resolve("baton.yaml");
        Files.writeString(file, yaml(""));
        startBaton();
    }

    void startBaton() {
        baton = Baton.builder().configFile(file).watch(false).build();
        baton.events().subscribe("test", events::add);
        baton.start();
    }

    @AfterEach
    void stop() {
        baton.close();
    }

    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        return Calls.send(baton.adminPort(), method, path, body);
    }

    HttpResponse<String> proxy(String path) throws Exception {
        return Calls.get(baton.proxyPort(), path);
    }

    List<EventType> types() {
        return events.stream().map(Event::type).toList();
    }

    @Test
    void aRegistrationIsRoutableAsSoonAsItIsAnswered() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = admin("POST", "/services/register", """
                {"id": "search", "type": "query", "load-balancer": "round-robin",
                 "instances": [{"id": "s1", "url": "%s", "zone": "eu-1a", "tags": ["blue"],
                                "metadata": {"version": "2.1"}}, "%s"]}
                """.formatted(a.url(), b.url()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        assertThat(proxy("/orchestrator/search/x").statusCode()).isEqualTo(200);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(millis).as("registered and routed, ms").isLessThan(2_000);
        assertThat(r.headers().firstValue("location")).contains("/services/search");

        JsonObject s = new JsonObject(r.body());
        assertThat(s.getString("source")).isEqualTo("registration");
        JsonObject s1 = s.getJsonArray("instances").getJsonObject(0);
        assertThat(s1.getString("id")).isEqualTo("s1");
        assertThat(s1.getString("zone")).isEqualTo("eu-1a");
        assertThat(s1.getJsonArray("tags")).containsExactly("blue");
        assertThat(s1.getJsonObject("metadata").getString("version")).isEqualTo("2.1");
        assertThat(s.getJsonArray("instances").getJsonObject(1).getString("id")).isEqualTo("search-1");

        assertThat(List.of(
                        proxy("/orchestrator/search/").body(),
                        proxy("/orchestrator/search/").body()))
                .containsExactlyInAnyOrder("a", "b");
        assertThat(new JsonObject(admin("GET", "/loadbalancer/query", null).body()).getString("serviceId"))
                .isEqualTo("search");
        await().until(() -> types().contains(EventType.SERVICE_REGISTERED));

        assertThat(admin("DELETE", "/services/search", null).statusCode()).isEqualTo(204);
        assertThat(proxy("/orchestrator/search/x").statusCode()).isEqualTo(404);
        assertThat(admin("GET", "/services/search", null).statusCode()).isEqualTo(404);
        assertThat(admin("DELETE", "/services/search", null).statusCode()).isEqualTo(404);
        await().until(() -> types().contains(EventType.SERVICE_UNREGISTERED));
    }

    @Test
    void theFlatShapeIsAcceptedWithWarningsForWhatCannotApply() throws Exception {
        HttpResponse<String> r = admin("POST", "/services/register", """
                {"id": "legacy", "name": "Legacy", "type": "core", "endpoint": "%s",
                 "healthCheckPath": "/health", "healthCheckInterval": 1000,
                 "maxRestarts": 3, "restartDelay": 500, "priority": 2, "dependencies": ["orders"]}
                """.formatted(b.url()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        JsonObject s = new JsonObject(r.body());
        assertThat(s.getString("name")).isEqualTo("Legacy");
        assertThat(s.getJsonArray("dependsOn")).containsExactly("orders");
        assertThat(s.getJsonArray("warnings")).hasSize(1);
        assertThat(proxy("/orchestrator/legacy/").body()).isEqualTo("b");
    }

    @Test
    void badRegistrationsListEveryProblemAndChangeNothing() throws Exception {
        HttpResponse<String> malformed = admin("POST", "/services/register", "{\"id\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(malformed.body()).getString("error")).isEqualTo("bad_request");

        HttpResponse<String> bad = admin("POST", "/services/register", """
                {"id": "x", "instances": ["not a url", {"url": "http://h:1", "weight": -1}],
                 "depends-on": ["nobody"], "load-balancer": "random"}
                """);
        assertThat(bad.statusCode()).isEqualTo(400);
        JsonArray errors = new JsonObject(bad.body()).getJsonArray("errors");
        assertThat(errors.stream().map(e -> ((JsonObject) e).getString("field")))
                .containsExactlyInAnyOrder("instances[0]", "instances[1].weight", "depends-on", "load-balancer");
        assertThat(admin("GET", "/services/x", null).statusCode()).isEqualTo(404);

        HttpResponse<String> configured = admin("DELETE", "/services/orders", null);
        assertThat(configured.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(configured.body()).getString("message")).contains("config file");
        assertThat(new JsonObject(configured.body()).getString("error")).isEqualTo("defined_in_config");

        assertThat(admin("PUT", "/services/nope/instances/i/heartbeat", null).statusCode())
                .isEqualTo(404);
        assertThat(admin("GET", "/services", null).body()).doesNotContain("\"x\"");
        HttpResponse<String> duplicate = admin(
                "POST",
                "/services/register",
                "{\"id\": \"y\", \"instances\": [{\"id\": \"i\", \"url\": \"http://a:1\"}, {\"id\": \"i\", \"url\": \"http://b:1\"}]}");
        assertThat(duplicate.statusCode()).isEqualTo(400);
        assertThat(duplicate.body()).contains("duplicate instance id 'i'");
    }

    @Test
    void leasesExpireWithoutHeartbeatsAndHoldWithThem() throws Exception {
        String body = """
                {"id": "cache", "instances": [
                  {"id": "kept", "url": "%s", "ttl": "1s"},
                  {"id": "lost", "url": "%s", "ttl": "1s"}]}
                """.formatted(a.url(), b.url());
        assertThat(admin("POST", "/services/register", body).statusCode()).isEqualTo(201);
        // The gateway's leases run on its real clock (what they mean is tested on a fake
        // one in RegistryTest): heartbeat one instance, as a client would, until the
        // other's lease has run out and the sweep has dropped it.
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    HttpResponse<String> hb = admin("PUT", "/services/cache/instances/kept/heartbeat", null);
                    assertThat(hb.statusCode()).isEqualTo(200);
                    assertThat(new JsonObject(hb.body()).getBoolean("leased")).isTrue();
                    return new JsonObject(admin("GET", "/services/cache", null).body())
                                    .getJsonArray("instances")
                                    .size()
                            == 1;
                });
        JsonArray instances =
                new JsonObject(admin("GET", "/services/cache", null).body()).getJsonArray("instances");
        assertThat(instances.stream().map(i -> ((JsonObject) i).getString("id")))
                .containsExactly("kept");
        assertThat(instances.getJsonObject(0).getString("leaseExpiresAt")).isNotNull();
        assertThat(proxy("/orchestrator/cache/").body()).isEqualTo("a");
        assertThat(admin("PUT", "/services/cache/instances/lost/heartbeat", null)
                        .statusCode())
                .isEqualTo(404);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> admin("GET", "/services/cache", null).statusCode() == 404);
        assertThat(events)
                .filteredOn(e -> e.type().equals(EventType.SERVICE_UNREGISTERED))
                .extracting(e -> e.data().get("reason"))
                .containsOnly("lease expired");
    }

    @Test
    void registrationsSurviveARestartAndAReload() throws Exception {
        admin("POST", "/services/register", "{\"id\":\"billing\",\"endpoint\":\"" + b.url() + "\"}");
        Files.writeString(file, yaml("").replace("type: core", "type: main"));
        assertThat(admin("POST", "/config/reload", null).statusCode()).isEqualTo(200);
        assertThat(proxy("/orchestrator/billing/").body())
                .as("a reload keeps it")
                .isEqualTo("b");

        baton.close();
        startBaton();
        assertThat(proxy("/orchestrator/billing/").body())
                .as("a restart keeps it")
                .isEqualTo("b");
        assertThat(new JsonObject(admin("GET", "/services/orders", null).body()).getString("type"))
                .isEqualTo("main");

        assertThat(admin("DELETE", "/services/billing", null).statusCode()).isEqualTo(204);
        baton.close();
        startBaton();
        assertThat(admin("GET", "/services/billing", null).statusCode()).isEqualTo(404);
    }

    @Test
    void aRegistrationOverridesTheConfigFileUntilItIsRemoved() throws Exception {
        assertThat(proxy("/orders/x").body()).isEqualTo("a");
        admin("POST", "/services/register", "{\"id\":\"orders\",\"endpoint\":\"" + b.url() + "\"}");
        assertThat(proxy("/orders/x").body()).isEqualTo("b");
        assertThat(admin("DELETE", "/services/orders", null).statusCode()).isEqualTo(204);
        assertThat(proxy("/orders/x").body()).isEqualTo("a");
        assertThat(new JsonObject(admin("GET", "/services/orders", null).body()).getString("source"))
                .isEqualTo("config");
    }

    @Test
    void discoveryFilesAddChangeAndRemoveServices() throws Exception {
        Path sd = dir.resolve("sd");
        Files.writeString(sd.resolve("team.yaml"), "reports: { instances: [ \"" + a.url() + "\" ] }\n");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> proxy("/orchestrator/reports/").body().equals("a"));
        assertThat(new JsonObject(admin("GET", "/services/reports", null).body()).getString("source"))
                .isEqualTo("discovery");
        await().until(() -> types().contains(EventType.SERVICE_DISCOVERED));

        Files.writeString(sd.resolve("team.yaml"), "reports: { instances: [ \"" + b.url() + "\" ] }\n");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> proxy("/orchestrator/reports/").body().equals("b"));

        Files.writeString(sd.resolve("team.yaml"), "reports: { instances: [ nope ] }\n");
        Files.writeString(sd.resolve("more.json"), "{\"ledger\": {\"instances\": [\"" + a.url() + "\"]}}");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> proxy("/orchestrator/ledger/").statusCode() == 200);
        assertThat(proxy("/orchestrator/reports/").body())
                .as("last good content")
                .isEqualTo("b");

        Files.delete(sd.resolve("team.yaml"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> proxy("/orchestrator/reports/").statusCode() == 404);
        assertThat(events)
                .filteredOn(e -> e.type().equals(EventType.SERVICE_UNREGISTERED))
                .extracting(e -> e.data().get("serviceId"))
                .containsExactly("reports");
    }
}
