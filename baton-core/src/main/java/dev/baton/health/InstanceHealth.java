package dev.baton.health;

import dev.baton.config.ServiceConfig;
import dev.baton.resilience.Backoff;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One instance's active-check state: consecutive results against the thresholds,
 * the status they give, and when to check next. An instance starts UNKNOWN and
 * turns HEALTHY on its first pass (a new instance should not wait) or UNHEALTHY
 * after {@code unhealthy-threshold} failures; an UNHEALTHY one needs
 * {@code healthy-threshold} passes in a row to come back, and is checked less
 * often the longer it stays down (doubling, at most {@link #MAX_BACKOFF} intervals).
 * Not thread-safe: one checker drives it.
 */
public final class InstanceHealth {
    static final int MAX_BACKOFF = 32;

    private final ServiceConfig.HealthCheck config;
    private HealthStatus status = HealthStatus.UNKNOWN;
    private int successes;
    private int failures;
    private long latencyMillis = -1; // before the first check
    private @Nullable String lastError;

    public InstanceHealth(ServiceConfig.HealthCheck config) {
        this.config = config;
    }

    /** Records one check; returns true when the status changed. */
    public boolean record(boolean passed, long latencyMillis, @Nullable String error) {
        HealthStatus before = status;
        this.latencyMillis = latencyMillis;
        if (passed) {
            lastError = null;
            failures = 0;
            successes++;
            HealthStatus up = config.degradedLatency()
                            .filter(d -> latencyMillis > d.toMillis())
                            .isPresent()
                    ? HealthStatus.DEGRADED
                    : HealthStatus.HEALTHY;
            if (status != HealthStatus.UNHEALTHY || successes >= config.healthyThreshold()) {
                status = up;
            }
        } else {
            lastError = error;
            successes = 0;
            failures++;
            if (status != HealthStatus.UNHEALTHY && failures >= config.unhealthyThreshold()) {
                status = HealthStatus.UNHEALTHY;
            }
        }
        return status != before;
    }

    /**
     * Marks the instance down without a check, because its process ended or is only
     * starting: it needs {@code healthy-threshold} passes to come back, checked at the
     * plain interval. Returns true when the status changed.
     */
    public boolean down(String error) {
        HealthStatus before = status;
        status = HealthStatus.UNHEALTHY;
        successes = 0;
        failures = config.unhealthyThreshold();
        lastError = error;
        return status != before;
    }

    /** Milliseconds to the next check, before jitter: the interval, backed off while down. */
    public long nextDelayMillis() {
        long interval = config.interval().toMillis();
        if (status != HealthStatus.UNHEALTHY) {
            return interval;
        }
        int beyond = Math.max(0, failures - config.unhealthyThreshold());
        return Backoff.millis(interval, 2, interval * MAX_BACKOFF, beyond);
    }

    public HealthStatus status() {
        return status;
    }

    /** Latency of the last check in milliseconds; empty before the first. */
    public OptionalLong latencyMillis() {
        return latencyMillis < 0 ? OptionalLong.empty() : OptionalLong.of(latencyMillis);
    }

    /** Why the last check failed, or null when it passed. */
    public @Nullable String lastError() {
        return lastError;
    }
}
