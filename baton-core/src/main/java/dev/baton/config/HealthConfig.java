package dev.baton.config;

/** Gateway-wide health-check settings ({@code health:}): how many checks may run at once. */
public record HealthConfig(int maxConcurrentChecks) {
    public static final HealthConfig DEFAULT = new HealthConfig(10);
}
