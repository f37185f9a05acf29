package dev.baton.balance;

import dev.baton.time.Ticker;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One instance as balancers see it: its weight and its live state (requests in
 * flight, a latency average, whether it may take traffic). The state is shared by
 * every event loop, so it is atomic or volatile; it outlives config reloads that do
 * not change the service, so counts and averages are not reset by unrelated edits.
 * An ejection's end is told by the endpoint's {@link Ticker}, which its outlier
 * detector reads too, so one fake ticker moves both in tests.
 */
public final class Endpoint {
    /** How much a new latency sample moves the average (EWMA). */
    static final double EWMA_ALPHA = 0.2;

    private final String id;
    private final int weight;
    private final Ticker ticker;
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile double latencyNanos;
    private volatile boolean available = true;
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** When the current ejection ends (on the ticker), or 0 when not ejected. */
    private volatile long ejectedUntil;
    /** Ejections in a row, which multiply the next ejection's length; guarded by the detector. */
    int ejectionStreak;

    long lastEjectionEnd;

    /** An endpoint on the system's monotonic clock. */
    public Endpoint(String id, int weight) {
        this(id, weight, Ticker.system());
    }

    /** An endpoint whose ejections are timed by {@code ticker}. */
    public Endpoint(String id, int weight, Ticker ticker) {
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
        }
        this.id = id;
        this.weight = weight;
        this.ticker = ticker;
    }

    public String id() {
        return id;
    }

    public int weight() {
        return weight;
    }

    /** Healthy, not ejected and with a weight: may take traffic. */
    public boolean available() {
        return available && weight > 0 && !ejected();
    }

    /** Ejected by outlier detection right now. Cheap when not ejected: no clock read. */
    public boolean ejected() {
        long until = ejectedUntil;
        if (until == 0) {
            return false;
        }
        if (ticker.nanos() - until < 0) {
            return true;
        }
        ejectedUntil = 0; // over; a racing re-ejection is only delayed to its next failure
        return false;
    }

    /** Now, on this endpoint's ticker: what ejections are timed against. */
    long nanos() {
        return ticker.nanos();
    }

    void eject(long untilNanos) {
        ejectedUntil = untilNanos;
        lastEjectionEnd = untilNanos;
    }

    /** How long the current ejection has left, in nanoseconds; 0 when not ejected. */
    public long ejectionRemainingNanos() {
        long until = ejectedUntil;
        return until == 0 ? 0 : Math.max(0, until - ticker.nanos());
    }

    /** Set by active health checks; ejection is separate and ends by itself. */
    public void setAvailable(boolean available) {
        this.available = available;
    }

    public int outstanding() {
        return outstanding.get();
    }

    /** Average latency of recent requests, in nanoseconds; 0 before the first. */
    public double latencyNanos() {
        return latencyNanos;
    }

    /** A request was sent to this endpoint. */
    public void started() {
        outstanding.incrementAndGet();
    }

    /** A request started with {@link #started} is over, after {@code latencyNanos}. */
    public void finished(long latencyNanos) {
        outstanding.decrementAndGet();
        double old = this.latencyNanos;
        // A lost update between loops only drops one sample from an average.
        this.latencyNanos = old == 0 ? latencyNanos : old + EWMA_ALPHA * (latencyNanos - old);
    }

    @Override
    public String toString() {
        return id;
    }
}
