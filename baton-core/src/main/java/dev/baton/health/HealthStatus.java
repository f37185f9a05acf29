package dev.baton.health;

/** An instance's or a service's health. */
public enum HealthStatus {
    /** Never checked. */
    UNKNOWN,
    HEALTHY,
    /** Passing but slower than {@code degraded-latency}; for a service, some instances down. */
    DEGRADED,
    UNHEALTHY;

    /** A service's health from its instances': all down is UNHEALTHY, any down or slow is DEGRADED. */
    public static HealthStatus ofService(Iterable<HealthStatus> instances) {
        int total = 0;
        int down = 0;
        int unknown = 0;
        boolean slow = false;
        for (HealthStatus s : instances) {
            total++;
            switch (s) {
                case UNHEALTHY -> down++;
                case UNKNOWN -> unknown++;
                case DEGRADED -> slow = true;
                default -> {}
            }
        }
        if (total == 0 || unknown == total) {
            return UNKNOWN;
        }
        if (down == total) {
            return UNHEALTHY;
        }
        return down > 0 || slow ? DEGRADED : HEALTHY;
    }
}
