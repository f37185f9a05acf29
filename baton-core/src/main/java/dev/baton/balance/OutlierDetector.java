package dev.baton.balance;

import dev.baton.config.ServiceConfig;
import java.util.List;

/**
 * Passive health for one service (Envoy's outlier detection): results of real
 * requests eject an instance after {@code consecutive-failures} failures in a row,
 * for {@code base-ejection-time} times its ejections in a row (at most
 * {@link #MAX_STREAK}), and never more than {@code max-ejection-percent} of the
 * service at once, though one of several instances may always go and a lone
 * instance never does. The multiplier
 * falls by one for every base period an instance has stayed in since its last
 * ejection, so an instance that recovered starts short again. Time is each
 * endpoint's own ticker, the one its ejection is later judged by.
 */
public final class OutlierDetector {
    static final int MAX_STREAK = 10;

    private final List<Endpoint> endpoints;
    private final int threshold;
    private final long baseNanos;
    private final int maxPercent;

    public OutlierDetector(List<Endpoint> endpoints, ServiceConfig.OutlierDetection config) {
        this.endpoints = List.copyOf(endpoints);
        this.threshold = config.consecutiveFailures();
        this.baseNanos = config.baseEjectionTime().toNanos();
        this.maxPercent = config.maxEjectionPercent();
    }

    /** A response below 500 from {@code e}. */
    public void success(Endpoint e) {
        if (e.consecutiveFailures.get() != 0) { // a read, not a write, on the common path
            e.consecutiveFailures.set(0);
        }
    }

    /** A 5xx, connect failure, reset or timeout from {@code e}; true if it was ejected now. */
    public boolean failure(Endpoint e) {
        return threshold > 0 && e.consecutiveFailures.incrementAndGet() >= threshold && eject(e);
    }

    private synchronized boolean eject(Endpoint e) {
        if (e.ejected()) {
            return false;
        }
        int ejected = 0;
        for (Endpoint other : endpoints) {
            if (other.ejected()) {
                ejected++;
            }
        }
        if (ejected >= allowedEjections()) {
            return false;
        }
        long now = e.nanos();
        if (e.ejectionStreak > 0 && now - e.lastEjectionEnd > 0) {
            long calmPeriods = (now - e.lastEjectionEnd) / baseNanos;
            e.ejectionStreak = (int) Math.max(0, e.ejectionStreak - calmPeriods);
        }
        e.ejectionStreak = Math.min(e.ejectionStreak + 1, MAX_STREAK);
        e.eject(now + baseNanos * e.ejectionStreak);
        e.consecutiveFailures.set(0);
        return true;
    }

    int allowedEjections() {
        int n = endpoints.size();
        if (n < 2) {
            return 0; // as nginx: ejecting the only instance would just turn failures into 503s
        }
        int allowed = n * maxPercent / 100;
        return allowed == 0 && maxPercent > 0 ? 1 : allowed;
    }
}
