package dev.baton.events;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-process event bus. Each subscriber has its own bounded queue, drained by
 * its own daemon thread, so publishing never waits: a subscriber that is slow,
 * blocks or throws hurts only itself. When a subscriber's queue is full its events
 * are dropped and counted, never the publisher delayed.
 */
public final class EventBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EventBus.class);
    static final int QUEUE = 4096;

    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final AtomicLong published = new AtomicLong();

    /** One subscriber: its queue, its thread and what it missed. */
    public final class Subscriber implements AutoCloseable {
        private final String name;
        private final BlockingQueue<Event> queue = new ArrayBlockingQueue<>(QUEUE);
        private final AtomicLong dropped = new AtomicLong();
        private final Thread thread;

        private Subscriber(String name, Consumer<Event> handler) {
            this.name = name;
            this.thread = new Thread(() -> drain(handler), "baton-events-" + name);
            this.thread.setDaemon(true);
        }

        private void drain(Consumer<Event> handler) {
            try {
                while (true) {
                    Event e = queue.take();
                    try {
                        handler.accept(e);
                    } catch (RuntimeException ex) {
                        log.warn("event subscriber {} failed on {}: {}", name, e.type(), ex.toString());
                    }
                }
            } catch (InterruptedException stop) {
                // closed
            }
        }

        /** Events this subscriber missed because it fell behind. */
        public long dropped() {
            return dropped.get();
        }

        @Override
        public void close() {
            subscribers.remove(this);
            thread.interrupt();
        }
    }

    /** Delivers every later event to {@code handler} on a thread of its own. */
    public Subscriber subscribe(String name, Consumer<Event> handler) {
        Subscriber s = new Subscriber(name, handler);
        subscribers.add(s);
        s.thread.start();
        return s;
    }

    public void publish(Event event) {
        published.incrementAndGet();
        for (Subscriber s : subscribers) {
            if (!s.queue.offer(event)) {
                s.dropped.incrementAndGet();
            }
        }
    }

    /** Events published since start. */
    public long published() {
        return published.get();
    }

    @Override
    public void close() {
        subscribers.forEach(Subscriber::close);
    }
}
