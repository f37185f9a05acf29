package dev.baton.server.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.control.Snapshot;
import dev.baton.events.Event;
import dev.baton.events.EventBus;
import dev.baton.events.EventFilter;
import dev.baton.lifecycle.Component;
import dev.baton.queue.Message;
import dev.baton.queue.Queues;
import dev.baton.telemetry.EventJson;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code events.persist}, every lifecycle event goes to the topic {@link
 * Queues#EVENTS_TOPIC} as well as to the bus's own subscribers: its body the
 * event's JSON (as the event stream sends it), its header {@code type} the event's
 * type, so that subscriptions filter on {@code headers.type}. Events are published
 * in batches (every 200 ms, at most 100 at a time) off the bus's thread; a queue's
 * event about a message of this very topic is left out, so that a subscription
 * that keeps failing cannot feed itself. Follows {@code events.persist} across
 * reloads. Each batch is also kept in the store's event log (the newest {@code
 * events.history}), from which the event stream resumes a client across a restart.
 */
public final class EventTopic implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(EventTopic.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long FLUSH_MILLIS = 200;
    private static final int BATCH = 100;
    private static final int MAX_WAITING = 10_000;

    private final Vertx vertx;
    private final EventBus bus;
    private final Queues queues;
    private final dev.baton.control.DataStore data;
    private volatile int history = dev.baton.config.EventsConfig.DEFAULT.history();
    private final ConcurrentLinkedQueue<Event> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean flushing = new AtomicBoolean();
    private EventBus.@Nullable Subscription subscription; // guarded by this
    private long timer = -1; // guarded by this

    public EventTopic(Vertx vertx, EventBus bus, Queues queues, dev.baton.control.DataStore data) {
        this.vertx = vertx;
        this.bus = bus;
        this.queues = queues;
        this.data = data;
    }

    @Override
    public void start() {}

    @Override
    public synchronized void apply(Snapshot next) {
        boolean persist = next.config().observability().events().persist();
        history = next.config().observability().events().history();
        if (persist && subscription == null) {
            subscription = bus.subscribe("baton.events", EventFilter.ALL, e -> {
                if (!aboutItself(e) && waiting.size() < MAX_WAITING) {
                    waiting.add(e);
                }
            });
            timer = vertx.setPeriodic(FLUSH_MILLIS, t -> flush());
        } else if (!persist && subscription != null) {
            stop();
        }
    }

    /** A queue's event about a message of the events topic's own subscriptions. */
    private static boolean aboutItself(Event e) {
        Object queue = e.data().get("queue");
        Object topic = e.data().get("topic");
        return (queue instanceof String q && q.startsWith(Queues.EVENTS_TOPIC + ":"))
                || Queues.EVENTS_TOPIC.equals(topic);
    }

    private void flush() {
        if (waiting.isEmpty() || !flushing.compareAndSet(false, true)) {
            return;
        }
        List<Message> batch = new ArrayList<>();
        List<dev.baton.store.EventLog.Entry> kept = new ArrayList<>();
        for (Event e; batch.size() < BATCH && (e = waiting.poll()) != null; ) {
            try {
                String json = EventJson.encode(e);
                batch.add(Message.of(JSON.readTree(json))
                        .withHeader("type", e.type().name()));
                kept.add(new dev.baton.store.EventLog.Entry(e.id(), json, e.time()));
            } catch (IOException ex) {
                log.debug("event {} not written: {}", e.id(), ex.getMessage());
            }
        }
        // The event log, for streams that resume after a restart; the topic, for subscribers.
        int keep = history;
        vertx.executeBlocking(
                        () -> {
                            data.get().events().append(kept, keep);
                            return true;
                        },
                        true)
                .onFailure(err -> log.warn("{} events not kept: {}", kept.size(), err.getMessage()));
        queues.publishToTopic(Queues.EVENTS_TOPIC, batch).whenComplete((ids, err) -> {
            flushing.set(false);
            if (err != null) {
                log.warn("{} events not written to {}: {}", batch.size(), Queues.EVENTS_TOPIC, err.getMessage());
            } else if (!waiting.isEmpty()) {
                vertx.runOnContext(v -> flush());
            }
        });
    }

    private synchronized void stop() {
        EventBus.Subscription s = subscription;
        if (s != null) {
            s.close();
            subscription = null;
        }
        if (timer >= 0) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
    }

    @Override
    public void close() {
        stop();
        // What the bus handed over last, kept before the store closes (it closes after this).
        List<dev.baton.store.EventLog.Entry> kept = new ArrayList<>();
        List<Message> batch = new ArrayList<>();
        for (Event e; (e = waiting.poll()) != null; ) {
            String json = EventJson.encode(e);
            kept.add(new dev.baton.store.EventLog.Entry(e.id(), json, e.time()));
            try {
                batch.add(Message.of(JSON.readTree(json))
                        .withHeader("type", e.type().name()));
            } catch (IOException ex) {
                log.debug("event {} not written: {}", e.id(), ex.getMessage());
            }
        }
        try {
            if (!kept.isEmpty()) {
                data.get().events().append(kept, history);
            }
            for (int i = 0; i < batch.size(); i += BATCH) {
                queues.publishToTopic(Queues.EVENTS_TOPIC, batch.subList(i, Math.min(batch.size(), i + BATCH)))
                        .toCompletableFuture()
                        .get(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.warn("the last {} events not kept: {}", kept.size(), e.getMessage());
        }
    }
}
