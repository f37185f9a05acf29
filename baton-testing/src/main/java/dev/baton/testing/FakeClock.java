package dev.baton.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that only moves when a test moves it, for windows, leases and backoff without
 * sleeping. It is a ticker too ({@code fake::nanos} where a {@code dev.baton.time.Ticker}
 * is wanted): one {@link #advance} moves wall-clock and elapsed time together.
 */
public final class FakeClock extends Clock {
    private final Instant origin;
    private volatile Instant now;

    public FakeClock() {
        this(Instant.parse("2026-11-23T10:00:00Z"));
    }

    public FakeClock(Instant start) {
        this.origin = start;
        this.now = start;
    }

    /** Nanoseconds since this clock was made, as a monotonic ticker reads them. */
    public long nanos() {
        return Duration.between(origin, now).toNanos();
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public long millis() {
        return now.toEpochMilli();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
