package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.Ports;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped demo config, on free ports: Baton launches the demo services, and the README's curl lines work. */
class DemoTest {
    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    static int freePort() {
        return Ports.free();
    }

    HttpResponse<String> send(String method, URI uri) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri)
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The shipped demo config, written into {@code dir} with free ports and its data there. */
    static Path demoConfig(Path dir) throws java.io.IOException {
        String yaml = Files.readString(Path.of("..", "examples", "demo.yaml"))
                .replace("127.0.0.1:8080", "127.0.0.1:0")
                .replace("127.0.0.1:9090", "127.0.0.1:0")
                .replace("./data", dir.resolve("data").toString());
        for (String port : new String[] {"9101", "9102", "9103"}) {
            yaml = yaml.replace("127.0.0.1:" + port, "127.0.0.1:" + freePort());
        }
        return Files.writeString(dir.resolve("demo.yaml"), yaml);
    }

    @Test
    void theDemoRoutesBalancesAndSwitchesModes() throws Exception {
        Path file = demoConfig(dir);
        try (Baton baton =
                Baton.builder().configFile(file).env(Main.environment()).build().start()) {
            URI base = URI.create("http://127.0.0.1:" + baton.proxyPort());
            HttpResponse<String> early = send("GET", base.resolve("/api/orders"));
            if (early.statusCode() == 503) {
                assertThat(early.headers().firstValue("retry-after"))
                        .as("a service still starting says when to try again")
                        .hasValue("1");
            }
            // What the demo waits for before its banner: then every "Try" line works.
            assertThat(baton.awaitReady(Duration.ofSeconds(60))).isEmpty();
            URI admin = URI.create("http://127.0.0.1:" + baton.adminPort());
            for (String s : new String[] {"orders", "inventory"}) {
                JsonObject svc = new JsonObject(
                        send("GET", admin.resolve("/services/" + s)).body());
                assertThat(svc.getJsonObject("process").getString("state"))
                        .as(s)
                        .isEqualTo("RUNNING");
                assertThat(svc.getString("status")).as(s).isEqualTo("HEALTHY");
            }
            HttpResponse<String> orders = send("GET", base.resolve("/api/orders"));
            assertThat(orders.statusCode()).isEqualTo(200);
            JsonObject body = new JsonObject(orders.body());
            assertThat(body.getString("service")).isEqualTo("orders");
            assertThat(body.getJsonArray("orders")).hasSize(2);
            assertThat(body.getString("requestId"))
                    .isEqualTo(orders.headers().firstValue("x-request-id").orElseThrow());

            Set<String> instances = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                instances.add(new JsonObject(
                                send("GET", base.resolve("/api/inventory")).body())
                        .getString("instance"));
            }
            assertThat(instances).hasSize(2);

            HttpResponse<String> delete = send("DELETE", base.resolve("/api/orders"));
            assertThat(delete.statusCode()).isEqualTo(405);
            assertThat(delete.headers().firstValue("allow")).contains("GET, HEAD, POST");
            assertThat(send("GET", base.resolve("/nowhere")).statusCode()).isEqualTo(404);

            assertThat(send("POST", base.resolve("/api/orders/mode?set=fail")).statusCode())
                    .isEqualTo(200);
            assertThat(send("GET", base.resolve("/api/orders")).statusCode()).isEqualTo(500);
            assertThat(send("POST", base.resolve("/api/orders/mode?set=bogus")).statusCode())
                    .isEqualTo(400);
            assertThat(send("POST", base.resolve("/api/orders/mode?set=ok")).statusCode())
                    .isEqualTo(200);
            assertThat(send("GET", base.resolve("/orchestrator/orders/")).statusCode())
                    .isEqualTo(200);
        }
    }

    HttpResponse<String> post(URI uri, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The README's Sagas walkthrough on the demo: a success, a refusal compensated, a stuck undo retried. */
    @Test
    void theDemosTopicPushesToOrdersAndFillsTheEmailsQueue() throws Exception {
        Path file = demoConfig(dir);
        try (Baton baton =
                Baton.builder().configFile(file).env(Main.environment()).build().start()) {
            assertThat(baton.awaitReady(Duration.ofSeconds(60))).isEmpty();
            URI admin = URI.create("http://127.0.0.1:" + baton.adminPort());
            URI proxy = URI.create("http://127.0.0.1:" + baton.proxyPort());
            assertThat(post(
                                    admin.resolve("/topics/order-events/messages"),
                                    "{\"body\":{\"order\":1},\"headers\":{\"type\":\"order.placed\"}}")
                            .statusCode())
                    .isEqualTo(201);
            assertThat(post(
                                    admin.resolve("/topics/order-events/messages"),
                                    "{\"body\":{\"order\":1},\"headers\":{\"type\":\"order.shipped\"}}")
                            .statusCode())
                    .isEqualTo(201);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> new JsonObject(send("GET", proxy.resolve("/api/orders/events"))
                                            .body())
                                    .getJsonArray("events")
                                    .size()
                            == 2);
            JsonObject emails = new JsonObject(
                    post(admin.resolve("/queues/emails/receive?max=10"), "").body());
            assertThat(emails.getJsonArray("messages"))
                    .as("only the placed order")
                    .hasSize(1);
        }
    }

    @Test
    void theDemosPlaceOrderSagaAsTheReadmeWalksThroughIt() throws Exception {
        Path file = demoConfig(dir);
        // A person waits the demo's 15s for the undo to be STUCK; the test need not.
        Files.writeString(
                file, Files.readString(file).replace("compensation-deadline: 15s", "compensation-deadline: 1s"));
        try (Baton baton =
                Baton.builder().configFile(file).env(Main.environment()).build().start()) {
            assertThat(baton.awaitReady(Duration.ofSeconds(60))).isEmpty();
            URI admin = URI.create("http://127.0.0.1:" + baton.adminPort());
            URI proxy = URI.create("http://127.0.0.1:" + baton.proxyPort());
            JsonObject ok = new JsonObject(
                    post(admin.resolve("/sagas/place-order?wait=10s"), "{\"sku\":\"keyboard\",\"qty\":1}")
                            .body());
            assertThat(ok.getString("state")).as(ok.encode()).isEqualTo("COMPLETED");

            JsonObject refused = new JsonObject(
                    post(admin.resolve("/sagas/place-order?wait=10s"), "{\"sku\":\"monitor\",\"qty\":100}")
                            .body());
            assertThat(refused.getString("state")).as(refused.encode()).isEqualTo("COMPENSATED");
            assertThat(refused.getString("reason")).contains("only 7 monitor in stock");
            assertThat(refused.getJsonArray("steps").getJsonObject(0).getString("state"))
                    .isEqualTo("COMPENSATED");

            assertThat(send("POST", proxy.resolve("/api/orders/mode?set=stuck")).statusCode())
                    .isEqualTo(200);
            String id = new JsonObject(post(admin.resolve("/sagas/place-order"), "{\"sku\":\"monitor\",\"qty\":100}")
                            .body())
                    .getString("id");
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(40))
                    .until(() -> new JsonObject(
                                    send("GET", admin.resolve("/sagas/" + id)).body())
                            .getString("state")
                            .equals("STUCK"));
            assertThat(send("POST", proxy.resolve("/api/orders/mode?set=ok")).statusCode())
                    .isEqualTo(200);
            assertThat(send("POST", admin.resolve("/sagas/" + id + "/retry")).statusCode())
                    .isEqualTo(200);
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> new JsonObject(
                                    send("GET", admin.resolve("/sagas/" + id)).body())
                            .getString("state")
                            .equals("COMPENSATED"));
        }
    }
}
