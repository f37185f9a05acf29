package dev.baton.queue;

import dev.baton.store.QueueRecords;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import org.jspecify.annotations.Nullable;

/**
 * The queues' meters: {@code orchestrator_queue_messages_total{queue,result}}
 * (published, deduplicated, delivered, acked, nacked, extended, expired,
 * dead_lettered, redriven, purged; and unrouted, by topic, for a message no
 * subscription took), and gauges read from the store every few seconds: {@code
 * orchestrator_queue_depth{queue}} (messages ready or leased), {@code
 * orchestrator_queue_oldest_age_seconds{queue}} (how long the oldest ready
 * message has been due) and {@code orchestrator_queue_dead_letters{queue}}. Tags
 * are bounded by what is declared: queue and topic names, never an id. It also
 * keeps the last 15 minutes of each queue's readings (a {@link Sample} every read)
 * for the dashboard.
 */
public final class QueueMeters implements MeterBinder {
    /** How many readings are kept: 15 minutes of one every 5 seconds. */
    public static final int HISTORY = 180;

    /**
     * One reading of a queue: its depth, dead letters and oldest ready message's age
     * then, and the messages published, acknowledged and dead-lettered since the
     * reading before.
     */
    public record Sample(
            Instant at, long depth, long deadLetters, double oldestAge, long published, long acked, long died) {}

    /** One queue's gauges, as last read, and its readings. */
    private static final class Gauges {
        final AtomicLong depth = new AtomicLong();
        final AtomicLong dead = new AtomicLong();
        final DoubleAdder oldest = new DoubleAdder();
        final java.util.ArrayDeque<Sample> history = new java.util.ArrayDeque<>(); // guarded by itself
        long published; // counts at the last reading, guarded by history
        long acked;
        long died;
    }

    /** Counts by queue and result since start, whether or not a registry is bound: what the readings take deltas of. */
    private final Map<String, java.util.concurrent.atomic.LongAdder> totals = new ConcurrentHashMap<>();

    private final Map<String, Gauges> gauges = new ConcurrentHashMap<>();
    private volatile @Nullable MeterRegistry registry;

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        gauges.forEach((q, g) -> register(registry, q, g));
    }

    /** One message of {@code queue} had {@code result}. */
    void count(String queue, String result) {
        count(queue, result, 1);
    }

    void count(String queue, String result, int n) {
        if (n <= 0) {
            return;
        }
        totals.computeIfAbsent(queue + "|" + result, k -> new java.util.concurrent.atomic.LongAdder())
                .add(n);
        MeterRegistry r = registry;
        if (r == null) {
            return;
        }
        Counter.builder("orchestrator.queue.messages")
                .description("messages by what became of them")
                .tag("queue", queue)
                .tag("result", result)
                .register(r)
                .increment(n);
    }

    /** The store's counts as read at {@code now}; {@code declared} are the queues that exist, each with a gauge. */
    void depths(Collection<QueueRecords.Depth> depths, Instant now, Collection<String> declared) {
        Map<String, long[]> counts = new HashMap<>();
        Map<String, Double> oldest = new HashMap<>();
        for (String q : declared) {
            counts.put(q, new long[2]);
        }
        for (QueueRecords.Depth d : depths) {
            long[] c = counts.get(d.queue());
            if (c == null) {
                continue; // a queue no longer declared
            }
            if (d.state() == QueueRecords.State.DEAD) {
                c[1] += d.count();
            } else {
                c[0] += d.count();
            }
            d.oldestDue()
                    .ifPresent(at -> oldest.put(
                            d.queue(), Math.max(0, Duration.between(at, now).toMillis() / 1000.0)));
        }
        counts.forEach((q, c) -> {
            Gauges g = gauges.computeIfAbsent(q, k -> {
                Gauges n = new Gauges();
                MeterRegistry r = registry;
                if (r != null) {
                    register(r, k, n);
                }
                return n;
            });
            g.depth.set(c[0]);
            g.dead.set(c[1]);
            g.oldest.reset();
            g.oldest.add(oldest.getOrDefault(q, 0.0));
            synchronized (g.history) {
                long published = total(q, "published");
                long acked = total(q, "acked");
                long died = total(q, "dead_lettered");
                g.history.addLast(new Sample(
                        now,
                        c[0],
                        c[1],
                        oldest.getOrDefault(q, 0.0),
                        published - g.published,
                        acked - g.acked,
                        died - g.died));
                g.published = published;
                g.acked = acked;
                g.died = died;
                while (g.history.size() > HISTORY) {
                    g.history.removeFirst();
                }
            }
        });
        for (String gone : List.copyOf(gauges.keySet())) {
            if (!counts.containsKey(gone)) {
                gauges.remove(gone);
                MeterRegistry r = registry;
                if (r != null) {
                    // A deleted queue's gauges go with it, rather than show its last reading for ever.
                    for (String name : List.of(
                            "orchestrator.queue.depth",
                            "orchestrator.queue.dead.letters",
                            "orchestrator.queue.oldest.age")) {
                        r.find(name).tag("queue", gone).meters().forEach(r::remove);
                    }
                }
            }
        }
    }

    private long total(String queue, String result) {
        java.util.concurrent.atomic.LongAdder a = totals.get(queue + "|" + result);
        return a == null ? 0 : a.sum();
    }

    /** The readings of {@code queue}, oldest first: at most the last 15 minutes. */
    public List<Sample> history(String queue) {
        Gauges g = gauges.get(queue);
        if (g == null) {
            return List.of();
        }
        synchronized (g.history) {
            return List.copyOf(g.history);
        }
    }

    /** How long the oldest ready message of {@code queue} had been due, as last read, in seconds. */
    public double oldestAge(String queue) {
        Gauges g = gauges.get(queue);
        return g == null ? 0 : g.oldest.sum();
    }

    /** The depth last read for {@code queue} (ready or leased), for the dashboard. */
    public long depth(String queue) {
        Gauges g = gauges.get(queue);
        return g == null ? 0 : g.depth.get();
    }

    /** The dead letters last counted for {@code queue}. */
    public long deadLetters(String queue) {
        Gauges g = gauges.get(queue);
        return g == null ? 0 : g.dead.get();
    }

    private static void register(MeterRegistry r, String queue, Gauges g) {
        Gauge.builder("orchestrator.queue.depth", g.depth, AtomicLong::get)
                .description("messages ready or leased")
                .tag("queue", queue)
                .register(r);
        Gauge.builder("orchestrator.queue.dead.letters", g.dead, AtomicLong::get)
                .description("messages that failed every attempt, kept for redrive")
                .tag("queue", queue)
                .register(r);
        Gauge.builder("orchestrator.queue.oldest.age", g.oldest, DoubleAdder::sum)
                .description("how long the oldest ready message has been due")
                .baseUnit("seconds")
                .tag("queue", queue)
                .register(r);
    }
}
