package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The config of what Baton refuses: the slow-client and connection limits with their
 * defaults, and header values in transforms and CORS lists, which go out verbatim and
 * so are checked at load.
 */
class HardeningConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of());

    private List<String> errors(String yaml) {
        try {
            loader.parse(yaml, "baton.yaml");
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected the config to be rejected");
    }

    @Test
    void theLimitsHaveDefaultsAnOperatorWouldPick() {
        LimitsConfig l = loader.parse("services: {}\n", "baton.yaml").limits();
        assertThat(l.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(l.bodyTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(l.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(l.maxConnections()).isEqualTo(20_000);
        assertThat(l.maxConnectionsPerClient()).isEmpty();
        assertThat(l.http2().maxConcurrentStreams()).isEqualTo(100);
        assertThat(l.http2().maxResets()).isEqualTo(200);
        assertThat(l.http2().resetWindow()).isEqualTo(Duration.ofSeconds(30));
        assertThat(l.http2().maxControlFrames()).isEqualTo(500);
    }

    @Test
    void theLimitsAreRead() {
        LimitsConfig l = loader.parse("""
                        limits:
                          header-timeout: 5s
                          body-timeout: 2s
                          keep-alive-timeout: 20s
                          max-connections: 500
                          max-connections-per-client: 20
                          http2: { max-concurrent-streams: 50, max-resets: 100, reset-window: 10s, max-control-frames: 50 }
                        services: {}
                        """, "baton.yaml").limits();
        assertThat(l.headerTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(l.bodyTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(l.keepAliveTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(l.maxConnections()).isEqualTo(500);
        assertThat(l.maxConnectionsPerClient()).hasValue(20);
        assertThat(l.http2()).isEqualTo(new LimitsConfig.Http2(50, 100, Duration.ofSeconds(10), 50));
    }

    @Test
    void badLimitsSayWhereAndWhat() {
        assertThat(errors("limits: { header-timeout: 10ms, max-connections: 0, http2: { max-streams: 1 } }\n"))
                .anySatisfy(e -> assertThat(e).startsWith("baton.yaml:1: limits.header-timeout:"))
                .anySatisfy(e -> assertThat(e).startsWith("baton.yaml:1: limits.max-connections:"))
                .anySatisfy(e -> assertThat(e).startsWith("baton.yaml:1: limits.http2.max-streams:"));
    }

    @Test
    void aTransformValueWithALineBreakIsRefusedAtLoad() {
        assertThat(errors("""
                        services: { s: { instances: [ "http://127.0.0.1:1" ] } }
                        routes:
                          - path: /x
                            service: s
                            transform:
                              request:
                                headers: { set: { x-a: "a\\r\\nx-admin: 1" } }
                        """))
                .anySatisfy(e -> assertThat(e)
                        .contains("routes[0].transform.request.headers.set")
                        .contains("x-a"));
    }

    @Test
    void corsHeaderListsMustNameHeaders() {
        assertThat(errors("""
                        services: { s: { instances: [ "http://127.0.0.1:1" ] } }
                        routes:
                          - path: /x
                            service: s
                            cors: { allow-origins: [ "https://a.example" ], allow-headers: [ "x a" ] }
                        """))
                .anySatisfy(e ->
                        assertThat(e).contains("routes[0].cors.allow-headers").contains("x a"));
    }
}
