package dev.baton.server.internal;

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
                SecurityConfig.DEFAULT_ROLES);
        JsonObject json = (JsonObject) ConfigJson.render(security);
        assertThat(json.getJsonObject("jwt").getString("secret")).isEqualTo(ConfigJson.MASK);
        assertThat(json.getJsonObject("jwt").getString("issuer")).isEqualTo("baton");
        assertThat(json.getJsonObject("jwt").containsKey("jwksUrl")).isFalse();
        assertThat(json.getBoolean("adminAuth")).isTrue();
        assertThat(json.encode()).doesNotContain("s3cr3t");
    }
}
