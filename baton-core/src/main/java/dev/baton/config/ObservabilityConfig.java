package dev.baton.config;

import java.util.List;

/**
 * What Baton tells about itself: the top-level {@code events:}, {@code metrics:},
 * {@code access-log:}, {@code stats:}, {@code tracing:} and {@code alerts:} sections, gathered so
 * that {@link Config} stays short.
 *
 * @param metrics whether proxied requests are measured ({@code metrics.enabled}); the
 *     meters that read counters kept anyway (breakers, limits, JVM) are always there
 * @param stats whether the rolling per-second statistics are kept ({@code stats.enabled})
 * @param alerts the {@code alerts:} rules
 */
public record ObservabilityConfig(
        EventsConfig events,
        boolean metrics,
        AccessLogConfig accessLog,
        boolean stats,
        TracingConfig tracing,
        List<AlertRule> alerts) {
    public static final ObservabilityConfig DEFAULT = new ObservabilityConfig(
            EventsConfig.DEFAULT, true, AccessLogConfig.OFF, true, TracingConfig.OFF, List.of());

    public ObservabilityConfig {
        alerts = List.copyOf(alerts);
    }

    public ObservabilityConfig withAlerts(List<AlertRule> rules) {
        return new ObservabilityConfig(events, metrics, accessLog, stats, tracing, rules);
    }
}
