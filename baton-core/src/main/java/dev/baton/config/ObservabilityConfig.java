package dev.baton.config;

/**
 * What Baton tells about itself: the top-level {@code events:}, {@code metrics:} and
 * {@code access-log:} sections, gathered so that {@link Config} stays short.
 *
 * @param metrics whether proxied requests are measured ({@code metrics.enabled}); the
 *     meters that read counters kept anyway (breakers, limits, JVM) are always there
 */
public record ObservabilityConfig(EventsConfig events, boolean metrics, AccessLogConfig accessLog) {
    public static final ObservabilityConfig DEFAULT =
            new ObservabilityConfig(EventsConfig.DEFAULT, true, AccessLogConfig.OFF);
}
