package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** admin-auth: tokens from `baton token`, roles to permissions, 401 and 403, each counted. */
class AdminAuthTest {
    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    Path file;
    Baton baton;

    @BeforeEach
    void start() throws Exception {
        file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                security:
                  jwt: { secret: "0123456789abcdef0123456789abcdef" }
                  admin-auth: true
                  roles: { auditor: [config:read] }
                services: { orders: { instances: [ "http://127.0.0.1:9101" ] } }
                """.formatted(dir.resolve("data")));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() {
        baton.close();
    }

    /** What `baton token -c FILE --role ROLE` prints. */
    String token(String role) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        int code = cli.execute("token", "-c", file.toString(), "--role", role, "--sub", "ops", "--ttl", "10m");
        assertThat(code).isZero();
        return out.toString().trim();
    }

    HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + baton.adminPort() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rolesGrantWhatTheContractSays() throws Exception {
        assertThat(call("GET", "/health", null, null).statusCode())
                .as("health stays open")
                .isEqualTo(200);
        HttpResponse<String> anonymous = call("GET", "/services", null, null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(new JsonObject(anonymous.body()).getString("error")).isEqualTo("unauthorized");
        assertThat(call("GET", "/services", "not-a-token", null).statusCode()).isEqualTo(401);

        String readonly = token("readonly");
        assertThat(call("GET", "/services", readonly, null).statusCode()).isEqualTo(200);
        HttpResponse<String> denied = call("POST", "/orchestrator/stop", readonly, null);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(denied.body()).getString("message")).contains("operations:write");

        String user = token("user");
        assertThat(call("POST", "/orchestrator/stop", user, null).statusCode()).isEqualTo(200);
        assertThat(call("POST", "/orchestrator/start", user, null).statusCode()).isEqualTo(200);
        String registration = "{\"id\":\"x\",\"endpoint\":\"http://127.0.0.1:9\"}";
        assertThat(call("POST", "/services/register", user, registration).statusCode())
                .isEqualTo(403);
        assertThat(call("POST", "/config/reload", user, null).statusCode()).isEqualTo(403);

        String admin = token("admin");
        assertThat(call("POST", "/services/register", admin, registration).statusCode())
                .isEqualTo(201);
        assertThat(call("DELETE", "/services/x", admin, null).statusCode()).isEqualTo(204);

        String auditor = token("auditor");
        assertThat(call("GET", "/config", auditor, null).statusCode())
                .as("a configured role")
                .isEqualTo(200);
        assertThat(call("GET", "/services", auditor, null).statusCode()).isEqualTo(403);
        assertThat(call("GET", "/config", auditor, null).body()).doesNotContain("0123456789abcdef");
    }

    @Test
    void refusalsAreCountedAsSecurityViolations() throws Exception {
        call("GET", "/services", null, null);
        call("GET", "/services", "not-a-token", null);
        call("POST", "/orchestrator/stop", token("readonly"), null);
        String metrics = call("GET", "/metrics", token("admin"), null).body();
        assertThat(metrics)
                .contains("orchestrator_security_violations_total{violation_type=\"invalid_token\"} 2.0")
                .contains("orchestrator_security_violations_total{violation_type=\"forbidden_role\"} 1.0");
    }

    @Test
    void anAddressTheIpListRefusesIsCounted() throws Exception {
        baton.close();
        Files.writeString(file, """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                security: { ip-allow: [10.0.0.0/8] }
                """.formatted(dir.resolve("data")));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        HttpResponse<String> refused = call("GET", "/services", null, null);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(refused.body()).getString("message")).contains("is not allowed");
        assertThat(baton.violations().counts().get("ip_denied").sum()).isEqualTo(1);
    }

    @Test
    void theTokenCommandExplainsWhatIsMissing() throws Exception {
        Path plain = Files.writeString(dir.resolve("plain.yaml"), "services: {}\n");
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("token", "-c", plain.toString(), "--role", "admin"))
                .isEqualTo(1);
        assertThat(err.toString()).contains("has no security.jwt.secret");
        assertThat(cli.execute("token", "-c", file.toString(), "--role", "admin", "--ttl", "soon"))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--ttl");
    }
}
