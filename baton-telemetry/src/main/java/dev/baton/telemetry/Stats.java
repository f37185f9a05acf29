package dev.baton.telemetry;

import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Recent traffic per service and per route, as time series: rolling
 * one-second buckets for the last 15 minutes, each with its request and error
 * counts and a latency histogram, from which any window's requests per second,
 * error rate and p50/p95/p99 are read. The dashboard, alerts and canary analysis
 * read these; {@code GET /stats} shows them.
 *
 * <p>Recording is a few atomic adds into the current second's bucket; a bucket is
 * cleared when its second comes round again. Latencies fall into buckets 30% wide
 * (from 50 µs to about a minute), so a percentile is exact to within 15%.
 * Errors are 5xx answers and responses cut off.
 */
public final class Stats implements RequestObserver, Component<Snapshot> {
    /** How many seconds of stats are kept: the longest window that can be asked for. */
    public static final int SECONDS = 900;

    static final double BASE_NANOS = 50_000;
    static final double RATIO = 1.3;
    /** Latency buckets: below 50 µs, then ×1.3 each, the last open-ended. */
    static final int BUCKETS = 56;

    /** A summed window: requests, errors, then the latency buckets. */
    private static final int COUNT = 0;

    private static final int ERRORS = 1;
    private static final int WIDTH = 2 + BUCKETS;
    /** A stored second: errors, then the latency buckets (whose sum is the requests). */
    private static final int STORED = 1 + BUCKETS;
    /** The upper bound in nanoseconds of each latency bucket but the last. */
    private static final long[] UPPER = new long[BUCKETS - 1];

    static {
        for (int b = 0; b < UPPER.length; b++) {
            UPPER[b] = Math.round(BASE_NANOS * Math.pow(RATIO, b));
        }
    }

    private final Clock clock;
    private final Map<String, Series> series = new ConcurrentHashMap<>();
    private final Map<String, Series> services = new ConcurrentHashMap<>();
    private final Map<String, Series> routes = new ConcurrentHashMap<>();
    private volatile boolean enabled = true;

    public Stats(Clock clock) {
        this.clock = clock;
    }

    /** Holds nothing but memory: the buckets fill on the event loops. */
    @Override
    public void start() {}

    /** Follows the snapshot: recording on or off, and the series of services and routes gone dropped. */
    @Override
    public void apply(Snapshot next) {
        enabled(next.config().observability().stats());
        retain(
                next.services().keySet(),
                next.routeTargets().stream().map(r -> r.id()).collect(java.util.stream.Collectors.toSet()));
    }

    @Override
    public void close() {}

    /** Whether requests are recorded ({@code stats.enabled}). */
    public void enabled(boolean on) {
        enabled = on;
    }

    /** What a window of traffic came to. Percentiles are NaN without requests. */
    public record Summary(
            long requests,
            double requestsPerSecond,
            long errors,
            double errorRate,
            double p50,
            double p95,
            double p99) {}

    /** One step of a series: the summary of the seconds from {@code epochSecond} on. */
    public record Point(long epochSecond, Summary summary) {}

    /** Fifteen minutes of one-second buckets for one service or route. */
    static final class Series {
        final AtomicLongArray seconds = new AtomicLongArray(SECONDS);
        final AtomicIntegerArray counts = new AtomicIntegerArray(SECONDS * STORED);

        Series() {
            for (int i = 0; i < SECONDS; i++) {
                seconds.set(i, Long.MIN_VALUE);
            }
        }

        void record(long second, int bucket, boolean error) {
            int slot = (int) Math.floorMod(second, SECONDS);
            if (seconds.get(slot) != second) {
                roll(slot, second);
            }
            int base = slot * STORED;
            if (error) {
                counts.incrementAndGet(base);
            }
            counts.incrementAndGet(base + 1 + bucket);
        }

        private synchronized void roll(int slot, long second) {
            long held = seconds.get(slot);
            if (held >= second) {
                return; // another thread rolled it, or a late record for a second already gone
            }
            int base = slot * STORED;
            for (int i = 0; i < STORED; i++) {
                counts.set(base + i, 0);
            }
            seconds.set(slot, second);
        }

        /** Adds the buckets of seconds [from, to] into {@code into} (WIDTH longs). */
        void sum(long from, long to, long[] into) {
            for (long s = Math.max(from, to - SECONDS + 1); s <= to; s++) {
                int slot = (int) Math.floorMod(s, SECONDS);
                if (seconds.get(slot) != s) {
                    continue;
                }
                int base = slot * STORED;
                into[ERRORS] += counts.get(base);
                for (int b = 0; b < BUCKETS; b++) {
                    int n = counts.get(base + 1 + b);
                    into[COUNT] += n;
                    into[2 + b] += n;
                }
            }
        }
    }

    /** The bucket of a latency: a binary search of the bounds, no logarithm per request. */
    static int bucket(long nanos) {
        int i = Arrays.binarySearch(UPPER, nanos);
        return i >= 0 ? i + 1 : -i - 1;
    }

    /** A bucket's representative latency in seconds: the geometric middle of its bounds. */
    static double value(int bucket) {
        if (bucket == 0) {
            return BASE_NANOS / 2 / 1e9;
        }
        double low = BASE_NANOS * Math.pow(RATIO, bucket - 1);
        return low * Math.sqrt(RATIO) / 1e9;
    }

    @Override
    public void completed(ProxiedRequest r) {
        if (!enabled || r.route() == null) {
            return;
        }
        // The second the request ended in, from its own times rather than another clock read.
        long second = Math.floorDiv(r.startMillis() + r.durationNanos() / 1_000_000, 1000);
        boolean error = r.status() >= 500 || r.aborted();
        int bucket = bucket(r.durationNanos());
        series(r.route().service().id(), true).record(second, bucket, error);
        series(r.route().id(), false).record(second, bucket, error);
    }

    /** Records one request for {@code key} ({@code service:ID} or {@code route:ID}); for tests and benchmarks. */
    void record(String key, long nanos, boolean error) {
        series(key).record(Math.floorDiv(clock.millis(), 1000), bucket(nanos), error);
    }

    /** A service's or route's series, by id: no key string is built per request. */
    private Series series(String id, boolean service) {
        Map<String, Series> byId = service ? services : routes;
        Series s = byId.get(id);
        if (s == null) {
            s = series((service ? "service:" : "route:") + id);
            byId.put(id, s);
        }
        return s;
    }

    private Series series(String key) {
        Series s = series.get(key);
        return s != null ? s : series.computeIfAbsent(key, k -> new Series());
    }

    /** Drops the series of services and routes that are gone. */
    public void retain(Set<String> services, Set<String> routes) {
        series.keySet()
                .removeIf(k -> k.startsWith("service:")
                        ? !services.contains(k.substring(8))
                        : !routes.contains(k.substring(6)));
        this.services.keySet().retainAll(services);
        this.routes.keySet().retainAll(routes);
    }

    /** The keys with data: {@code service:ID} and {@code route:ID}. */
    public Set<String> keys() {
        return Set.copyOf(series.keySet());
    }

    /**
     * The last {@code window} of complete seconds for {@code key} (the current second
     * is still filling); empty when nothing was ever recorded for it.
     */
    public Optional<Summary> summary(String key, Duration window) {
        long now = clockSeconds();
        long seconds = Math.max(1, Math.min(SECONDS - 1, window.toSeconds()));
        return between(key, now - seconds, now - 1);
    }

    /**
     * The seconds {@code from} to {@code to} (epoch seconds, both included, within the
     * last fifteen minutes) of {@code key}; empty when nothing was ever recorded for it.
     */
    public Optional<Summary> between(String key, long from, long to) {
        Series s = series.get(key);
        if (s == null || to < from) {
            return Optional.empty();
        }
        long[] sum = new long[WIDTH];
        s.sum(from, to, sum);
        return Optional.of(summarize(sum, to - from + 1));
    }

    /** The epoch second now, by the clock the buckets are kept on. */
    public long clockSeconds() {
        return Math.floorDiv(clock.millis(), 1000);
    }

    /** {@code key}'s last {@code window} in steps of {@code step}, oldest first. */
    public List<Point> series(String key, Duration window, Duration step) {
        Series s = series.get(key);
        List<Point> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        long now = Math.floorDiv(clock.millis(), 1000);
        long seconds = Math.max(1, Math.min(SECONDS - 1, window.toSeconds()));
        long stepSeconds = Math.max(1, step.toSeconds());
        for (long from = now - seconds; from < now; from += stepSeconds) {
            long to = Math.min(now - 1, from + stepSeconds - 1);
            long[] sum = new long[WIDTH];
            s.sum(from, to, sum);
            out.add(new Point(from, summarize(sum, to - from + 1)));
        }
        return out;
    }

    private static Summary summarize(long[] sum, long seconds) {
        long requests = sum[COUNT];
        long errors = sum[ERRORS];
        return new Summary(
                requests,
                (double) requests / seconds,
                errors,
                requests == 0 ? 0 : (double) errors / requests,
                percentile(sum, requests, 0.50),
                percentile(sum, requests, 0.95),
                percentile(sum, requests, 0.99));
    }

    private static double percentile(long[] sum, long requests, double q) {
        if (requests == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * requests);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += sum[2 + b];
            if (seen >= rank) {
                return value(b);
            }
        }
        return value(BUCKETS - 1);
    }
}
