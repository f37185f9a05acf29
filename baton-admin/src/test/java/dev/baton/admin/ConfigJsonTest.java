package dev.baton.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.config.SecurityConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConfigJsonTest {
    @Test
    void secretsAreMaskedAndTheRestShown() {
        SecurityConfig security = new SecurityConfig(
                Optional.of(new SecurityConfig.Jwt(
                        Optional.of("s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t"),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of("baton"),
                        Optional.empty(),
                        "roles")),
                true,
                List.of("127.0.0.0/8"),
                List.of(),
                List.of(),
                SecurityConfig.DEFAULT_ROLES,
                List.of("https://ops.example.com"),
                List.of("baton-admin.internal:9090"));
        JsonObject json = (JsonObject) ConfigJson.render(security);
        assertThat(json.getJsonObject("jwt").getString("secret")).isEqualTo(ConfigJson.MASK);
        assertThat(json.getJsonObject("jwt").getString("issuer")).isEqualTo("baton");
        assertThat(json.getJsonObject("jwt").containsKey("jwksUrl")).isFalse();
        assertThat(json.getBoolean("adminAuth")).isTrue();
        assertThat(json.getJsonArray("adminOrigins").getList()).containsExactly("https://ops.example.com");
        assertThat(json.getJsonArray("adminHosts").getList()).containsExactly("baton-admin.internal:9090");
        assertThat(json.encode()).doesNotContain("s3cr3t");
    }

    @Test
    void sizesReadAsWrittenAndEventLoopsAsUsed() {
        dev.baton.config.Config c = new dev.baton.config.ConfigLoader(java.util.Map.of())
                .parse("limits: { max-body-size: 10MB }\nservices: {}\nroutes: []", "baton.yaml");
        JsonObject json = (JsonObject) ConfigJson.render(c);
        assertThat(json.getJsonObject("limits").getString("maxBodySize")).isEqualTo("10MB");
        assertThat(json.getJsonObject("server").getInteger("eventLoops"))
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void aBrokersPasswordInItsUrlIsMasked() {
        dev.baton.config.Config c = new dev.baton.config.ConfigLoader(java.util.Map.of("P", "hunter2"))
                .parse(
                        "queues: { broker: rabbitmq, url: \"amqp://baton:${P}@mq:5672/prod\", jobs: {} }\nservices: {}",
                        "baton.yaml");
        JsonObject queues = ((JsonObject) ConfigJson.render(c)).getJsonObject("queues");
        assertThat(queues.getJsonObject("broker").getString("url")).isEqualTo("amqp://baton:********@mq:5672/prod");
        assertThat(queues.encode()).doesNotContain("hunter2");
    }

    @Test
    void theStoresPasswordIsMaskedAndAnEmbeddedStoreLeftOut() {
        dev.baton.config.ConfigLoader loader = new dev.baton.config.ConfigLoader(java.util.Map.of("PG", "hunter2"));
        dev.baton.config.Config c = loader.parse(
                "store: { url: postgresql://db/baton, user: baton, password: \"${PG}\" }\nservices: {}", "baton.yaml");
        JsonObject store = ((JsonObject) ConfigJson.render(c)).getJsonObject("store");
        assertThat(store.getMap())
                .containsExactly(
                        java.util.Map.entry("url", "postgresql://db/baton"),
                        java.util.Map.entry("user", "baton"),
                        java.util.Map.entry("password", ConfigJson.MASK),
                        java.util.Map.entry("maxConnections", 8));
        assertThat(store.encode()).doesNotContain("hunter2");
        JsonObject embedded = (JsonObject) ConfigJson.render(loader.parse("services: {}", "baton.yaml"));
        assertThat(embedded.containsKey("store")).isFalse();
    }

    @Test
    void aProcessEnvironmentShowsOnlyItsNames() {
        dev.baton.config.Config c = new dev.baton.config.ConfigLoader(java.util.Map.of()).parse("""
                services:
                  app:
                    instances: [http://127.0.0.1:1]
                    process: { command: [app], env: { DB_URL: "postgres://u:hunter2@db/app" } }
                routes: []
                """, "baton.yaml");
        JsonObject json = (JsonObject) ConfigJson.render(c.services().get("app"));
        assertThat(json.getJsonObject("process").getJsonObject("env").getString("DB_URL"))
                .isEqualTo(ConfigJson.MASK);
        assertThat(json.encode()).doesNotContain("hunter2").contains("\"command\":[\"app\"]");
    }
}
