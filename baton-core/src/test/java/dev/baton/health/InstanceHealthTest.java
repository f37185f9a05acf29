package dev.baton.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.config.ServiceConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InstanceHealthTest {
    static ServiceConfig.HealthCheck check(Optional<Duration> degraded) {
        return new ServiceConfig.HealthCheck(
                false,
                "/health",
                Duration.ofSeconds(1),
                Duration.ofMillis(500),
                3,
                2,
                200,
                399,
                Optional.empty(),
                degraded);
    }

    @Test
    void thresholdsDecideTheStatus() {
        InstanceHealth h = new InstanceHealth(check(Optional.empty()));
        assertThat(h.status()).isEqualTo(HealthStatus.UNKNOWN);
        assertThat(h.record(true, 5, null)).isTrue();
        assertThat(h.status()).as("first pass").isEqualTo(HealthStatus.HEALTHY);

        h.record(false, 5, "503");
        h.record(false, 5, "503");
        assertThat(h.status()).isEqualTo(HealthStatus.HEALTHY);
        assertThat(h.record(false, 5, "503")).isTrue();
        assertThat(h.status()).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(h.lastError()).isEqualTo("503");

        assertThat(h.record(true, 5, null)).isFalse();
        assertThat(h.status()).as("one pass is not enough").isEqualTo(HealthStatus.UNHEALTHY);
        h.record(false, 5, "503");
        h.record(true, 5, null);
        assertThat(h.status()).as("passes must be in a row").isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(h.record(true, 5, null)).isTrue();
        assertThat(h.status()).isEqualTo(HealthStatus.HEALTHY);
    }

    @Test
    void aNewInstanceFailingGoesDownAfterTheThreshold() {
        InstanceHealth h = new InstanceHealth(check(Optional.empty()));
        h.record(false, 0, "refused");
        h.record(false, 0, "refused");
        assertThat(h.status()).isEqualTo(HealthStatus.UNKNOWN);
        h.record(false, 0, "refused");
        assertThat(h.status()).isEqualTo(HealthStatus.UNHEALTHY);
    }

    @Test
    void slowPassesAreDegraded() {
        InstanceHealth h = new InstanceHealth(check(Optional.of(Duration.ofMillis(100))));
        h.record(true, 150, null);
        assertThat(h.status()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(h.record(true, 20, null)).isTrue();
        assertThat(h.status()).isEqualTo(HealthStatus.HEALTHY);
    }

    @Test
    void checksOfADownInstanceBackOff() {
        InstanceHealth h = new InstanceHealth(check(Optional.empty()));
        assertThat(h.nextDelayMillis()).isEqualTo(1000);
        for (int i = 0; i < 3; i++) {
            h.record(false, 0, "x");
        }
        assertThat(h.nextDelayMillis()).isEqualTo(1000);
        h.record(false, 0, "x");
        assertThat(h.nextDelayMillis()).isEqualTo(2000);
        h.record(false, 0, "x");
        assertThat(h.nextDelayMillis()).isEqualTo(4000);
        for (int i = 0; i < 20; i++) {
            h.record(false, 0, "x");
        }
        assertThat(h.nextDelayMillis()).isEqualTo(32_000);
    }

    @Test
    void aServiceIsAsHealthyAsItsInstances() {
        assertThat(HealthStatus.ofService(List.of())).isEqualTo(HealthStatus.UNKNOWN);
        assertThat(HealthStatus.ofService(List.of(HealthStatus.HEALTHY, HealthStatus.HEALTHY)))
                .isEqualTo(HealthStatus.HEALTHY);
        assertThat(HealthStatus.ofService(List.of(HealthStatus.HEALTHY, HealthStatus.UNHEALTHY)))
                .isEqualTo(HealthStatus.DEGRADED);
        assertThat(HealthStatus.ofService(List.of(HealthStatus.HEALTHY, HealthStatus.DEGRADED)))
                .isEqualTo(HealthStatus.DEGRADED);
        assertThat(HealthStatus.ofService(List.of(HealthStatus.UNHEALTHY, HealthStatus.UNHEALTHY)))
                .isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(HealthStatus.ofService(List.of(HealthStatus.UNKNOWN, HealthStatus.HEALTHY)))
                .isEqualTo(HealthStatus.HEALTHY);
    }
}
