package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a config may say but probably does not mean: read all the same, and said back as warnings. */
class ConfigWarningsTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of());

    @Test
    void aRouteToAServiceThatIsNotDefinedIsAcceptedWithAWarning() {
        Config c = loader.parse("""
                services:
                  orders:
                    instances: [http://127.0.0.1:9001]
                routes:
                  - path: /api/**
                    service: orders
                  - path: /echo/**
                    service: echo
                  - path: /order/**
                    service: order
                """, "baton.yaml");

        assertThat(c.routes()).extracting(RouteConfig::service).containsExactly("orders", "echo", "order");
        assertThat(c.warnings())
                .extracting(ConfigError::asWarning)
                .containsExactly(
                        "baton.yaml:8: warning: routes[1].service: service 'echo' is not defined here;"
                                + " the route answers 503 until it registers",
                        "baton.yaml:10: warning: routes[2].service: service 'order' is not defined here;"
                                + " the route answers 503 until it registers (did you mean 'orders'?)");
    }

    @Test
    void aConfigWithNothingDoubtfulHasNoWarnings() {
        Config c = loader.parse("""
                services:
                  orders:
                    instances: [http://127.0.0.1:9001]
                routes:
                  - path: /api/**
                    service: orders
                """, "baton.yaml");

        assertThat(c.warnings()).isEmpty();
    }
}
