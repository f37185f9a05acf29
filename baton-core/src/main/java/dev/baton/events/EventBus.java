package dev.baton.events;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process event bus. Publishing stamps each event with the
 * next sequence number and the time, keeps it in a bounded history (for clients
 * that resume), and hands it to every subscription whose filter matches.
 *
 * <p>Two kinds of subscription. An asynchronous one has its own bounded queue and
 * daemon thread: a handler that is slow, blocks or throws hurts only itself, and
 * when its queue is full its events are dropped and counted, never the publisher
 * delayed. A synchronous one runs on the publisher's thread, in publishing order,
 * and must only hand the event on (to an event loop, a queue of its own): it is
 * for adapters such as the SSE stream, not for work.
 *
 * <pre>{@code
 * bus.subscribe("pager", EventFilter.of(EventType.ALERT_FIRING), e -> page(e.data()));
 * }</pre>
 */
public final class EventBus implements EventSink, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    public static final int DEFAULT_QUEUE = 4096;
    public static final int DEFAULT_HISTORY = 1000;

    /** Counts for metrics; called on publishing and handling threads, so it must be cheap and thread-safe. */
    public interface Observer {
        Observer NONE = new Observer() {};

        default void published(EventType type) {}

        default void handled(EventType type, String handler) {}

        default void failed(EventType type, String handler) {}

        default void dropped(EventType type, String handler) {}
    }

    private final Clock clock;
    private final int historySize;
    private final Observer observer;
    private final Object lock = new Object();
    private final ArrayDeque<Event> history;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong published = new AtomicLong();
    private long sequence;
    private final long firstSequence; // before this bus's first event

    public EventBus() {
        this(Clock.systemUTC(), DEFAULT_HISTORY, Observer.NONE);
    }

    public EventBus(Clock clock, int historySize, Observer observer) {
        if (historySize < 1) {
            throw new IllegalArgumentException("history must hold at least one event");
        }
        this.clock = clock;
        this.historySize = historySize;
        this.observer = observer;
        this.history = new ArrayDeque<>(Math.min(historySize, 1024));
        // Ids go on rising across restarts (a thousand a millisecond to spare), so a
        // client that resumes with an id from before one gets what was kept since.
        this.sequence = clock.millis() * 1000;
        this.firstSequence = sequence;
    }

    /** One subscription: its filter, its handler and what it missed. Close it to stop receiving. */
    public final class Subscription implements AutoCloseable {
        private final String name;
        private final EventFilter filter;
        private final Consumer<Event> handler;
        private final @Nullable BlockingQueue<Event> queue; // null: synchronous
        private final @Nullable Thread thread; // with the queue
        private final AtomicLong dropped = new AtomicLong();
        private boolean gap;

        private Subscription(String name, EventFilter filter, int queueSize, Consumer<Event> handler) {
            this.name = name;
            this.filter = filter;
            this.handler = handler;
            BlockingQueue<Event> q = queueSize > 0 ? new ArrayBlockingQueue<>(queueSize) : null;
            this.queue = q;
            this.thread = q == null ? null : new Thread(() -> drain(q), "baton-events-" + name);
            if (thread != null) {
                thread.setDaemon(true);
            }
        }

        /** Starts the thread of a queued subscription; a synchronous one has none. */
        private void start() {
            if (thread != null) {
                thread.start();
            }
        }

        private void deliver(Event e) {
            if (queue == null) {
                handle(e);
            } else if (!queue.offer(e)) {
                dropped.incrementAndGet();
                observer.dropped(e.type(), name);
            }
        }

        private void handle(Event e) {
            try {
                handler.accept(e);
                observer.handled(e.type(), name);
            } catch (RuntimeException ex) {
                observer.failed(e.type(), name);
                log.warn("event handler {} failed on {}: {}", name, e.type(), ex.toString());
            }
        }

        private void drain(BlockingQueue<Event> q) {
            try {
                while (true) {
                    handle(q.take());
                }
            } catch (InterruptedException stop) {
                // closed
            }
        }

        public String name() {
            return name;
        }

        /** Events this subscription missed because its queue was full. */
        public long dropped() {
            return dropped.get();
        }

        /**
         * For a subscription that resumed after an event id: true when events after
         * that id had already left the history, so some were missed. After id 0
         * ("everything"), only when this bus has dropped some from its history.
         */
        public boolean gap() {
            return gap;
        }

        @Override
        public void close() {
            subscriptions.remove(this);
            if (thread != null) {
                thread.interrupt();
            }
        }
    }

    /** Every event, on a thread of the subscription's own (see the class comment). */
    public Subscription subscribe(String name, Consumer<Event> handler) {
        return subscribe(name, EventFilter.ALL, DEFAULT_QUEUE, handler);
    }

    /** Events that {@code filter} matches, on a thread of the subscription's own. */
    public Subscription subscribe(String name, EventFilter filter, Consumer<Event> handler) {
        return subscribe(name, filter, DEFAULT_QUEUE, handler);
    }

    /** As {@link #subscribe(String, EventFilter, Consumer)}, dropping events past {@code queueSize} waiting. */
    public Subscription subscribe(String name, EventFilter filter, int queueSize, Consumer<Event> handler) {
        if (queueSize < 1) {
            throw new IllegalArgumentException("queue size must be at least 1");
        }
        Subscription s = new Subscription(name, filter, queueSize, handler);
        subscriptions.add(s);
        s.start();
        return s;
    }

    /**
     * Events that {@code filter} matches, on the publisher's thread, in order. First
     * replays, on the caller's thread, the retained events after {@code afterId}
     * (none when it is negative), with no event lost or repeated between the replay
     * and the live ones.
     */
    public Subscription subscribeSync(String name, EventFilter filter, long afterId, Consumer<Event> handler) {
        Subscription s = new Subscription(name, filter, 0, handler);
        synchronized (lock) {
            if (afterId >= 0) {
                Event oldest = history.peekFirst();
                // 0 is "from the start": missed only what this bus no longer keeps.
                long seen = afterId == 0 ? firstSequence : afterId;
                s.gap = oldest != null ? oldest.id() > seen + 1 : sequence > seen;
                for (Event e : history) {
                    if (e.id() > afterId && filter.matches(e.type())) {
                        s.handle(e);
                    }
                }
            }
            subscriptions.add(s);
        }
        return s;
    }

    @Override
    public void publish(EventType type, Map<String, ?> data) {
        @SuppressWarnings("unchecked")
        Map<String, Object> values = (Map<String, Object>) data;
        synchronized (lock) {
            // Under the lock: ids, history and every subscription see one order.
            Event e = new Event(++sequence, type, clock.instant(), values);
            if (history.size() == historySize) {
                history.removeFirst();
            }
            history.addLast(e);
            for (Subscription s : subscriptions) {
                if (s.filter.matches(type)) {
                    s.deliver(e);
                }
            }
        }
        published.incrementAndGet();
        observer.published(type);
    }

    /** The retained events after {@code afterId} that {@code filter} matches, oldest first. */
    public List<Event> history(EventFilter filter, long afterId) {
        synchronized (lock) {
            List<Event> out = new ArrayList<>();
            for (Event e : history) {
                if (e.id() > afterId && filter.matches(e.type())) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    /** Events published since start. */
    public long published() {
        return published.get();
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
    }
}
