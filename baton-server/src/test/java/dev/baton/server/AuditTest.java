package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.security.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every admin mutation lands in the audit log with who, what, before and after; no secret does. */
class AuditTest {
    static final String SECRET = "0123456789abcdef0123456789abcdef";
    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    Baton baton;

    @BeforeEach
    void start() throws Exception {
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                security: { jwt: { secret: "%s" }, admin-auth: true }
                services:
                  orders:
                    circuit-breaker: { minimum-calls: 5 }
                    instances: [ "http://127.0.0.1:9101" ]
                """.formatted(dir.resolve("data"), SECRET));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() {
        baton.close();
    }

    static String token(String subject, String role) {
        return Tokens.issue(
                SECRET, "roles", List.of(role), subject, Optional.empty(), Duration.ofMinutes(5), Instant.now());
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.adminPort() + path))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "application/json")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void mutationsAreRecordedNewestFirstWithoutSecrets() throws Exception {
        String admin = token("carol", "admin");
        String register = "{\"id\":\"billing\",\"instances\":[{\"url\":\"http://127.0.0.1:9201\","
                + "\"metadata\":{\"api-key\":\"s3cr3t-value\"}}]}";
        assertThat(call("POST", "/services/register", admin, register).statusCode())
                .isEqualTo(201);
        assertThat(call("POST", "/services/orders/circuit-breaker/open", admin, null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(call("DELETE", "/services/billing", token("dave", "user"), null)
                        .statusCode())
                .isEqualTo(403);
        assertThat(call("GET", "/services", admin, null).statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> new JsonArray(call("GET", "/audit", admin, null).body()).size() == 3);
        JsonArray entries = new JsonArray(call("GET", "/audit", admin, null).body());
        JsonObject refused = entries.getJsonObject(0);
        assertThat(refused.getString("result")).isEqualTo("refused");
        assertThat(refused.getInteger("status")).isEqualTo(403);
        assertThat(refused.getJsonObject("who").getJsonArray("roles")).containsExactly("user");

        JsonObject breaker = entries.getJsonObject(1);
        assertThat(breaker.getString("path")).isEqualTo("/services/orders/circuit-breaker/open");
        assertThat(breaker.getJsonObject("before").getString("circuitBreaker")).isEqualTo("CLOSED");
        assertThat(breaker.getJsonObject("after").getString("circuitBreaker")).isEqualTo("FORCED_OPEN");

        JsonObject registered = entries.getJsonObject(2);
        assertThat(registered.getJsonObject("who").getString("subject")).isEqualTo("carol");
        assertThat(registered.getJsonObject("after").getString("service")).isEqualTo("billing");
        assertThat(registered.getString("result")).isEqualTo("ok");

        String onDisk = Files.readString(dir.resolve("data").resolve("audit.log"));
        assertThat(onDisk.lines()).hasSize(3);
        assertThat(onDisk).doesNotContain("s3cr3t").doesNotContain(SECRET);
        assertThat(call("GET", "/audit", token("erin", "user"), null).statusCode())
                .isEqualTo(403);
        assertThat(call("GET", "/audit?limit=1", admin, null).body()).contains("refused");
        assertThat(call("GET", "/audit?limit=x", admin, null).statusCode()).isEqualTo(400);
    }
}
