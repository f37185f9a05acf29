package dev.baton.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code tracing:} section. With {@code otlp-endpoint} set, Baton records a
 * server span per request and a client span per upstream try and exports them by
 * OTLP over HTTP (protobuf); without it (the default) it only passes W3C trace
 * context on.
 *
 * @param otlpEndpoint the collector's traces URL ({@code /v1/traces} is added to a bare host)
 * @param sampleRate the fraction of new traces recorded; a client's sampled flag is followed
 * @param headers sent with every export (an API key, say)
 */
public record TracingConfig(
        Optional<URI> otlpEndpoint,
        double sampleRate,
        String serviceName,
        Map<String, String> headers,
        Duration exportTimeout) {
    public static final TracingConfig OFF =
            new TracingConfig(Optional.empty(), 1.0, "baton", Map.of(), Duration.ofSeconds(10));

    public TracingConfig {
        headers = Map.copyOf(headers);
    }

    public boolean enabled() {
        return otlpEndpoint.isPresent();
    }
}
