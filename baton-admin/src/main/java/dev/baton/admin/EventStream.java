package dev.baton.admin;

import static dev.baton.admin.Replies.error;

import dev.baton.events.Event;
import dev.baton.events.EventBus;
import dev.baton.events.EventFilter;
import dev.baton.telemetry.EventJson;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * {@code GET /events}: the event bus as Server-Sent Events. Each event is one
 * message, {@code id} its sequence number and {@code data} its JSON; {@code ?types=}
 * filters by names and prefixes; a client that reconnects with {@code Last-Event-ID}
 * (as browsers' EventSource does) first gets what it missed from the bus's history.
 * A comment line every {@code events.heartbeat} keeps proxies from closing a quiet
 * stream. A client that cannot keep up is disconnected rather than silently
 * skipped: it reconnects and resumes from the history.
 */
final class EventStream {
    /** Events waiting for one slow client before it is cut off. */
    static final int MAX_PENDING = 1000;

    private final Vertx vertx;
    private final EventBus bus;
    private final Supplier<Duration> heartbeat;
    /** With events.persist, the kept events after an id (on a worker thread); else none. */
    private final java.util.function.LongFunction<java.util.Optional<dev.baton.store.EventLog.Since>> kept;

    private final Set<EventBus.Subscription> open = ConcurrentHashMap.newKeySet();

    EventStream(
            Vertx vertx,
            EventBus bus,
            Supplier<Duration> heartbeat,
            java.util.function.LongFunction<java.util.Optional<dev.baton.store.EventLog.Since>> kept) {
        this.vertx = vertx;
        this.bus = bus;
        this.heartbeat = heartbeat;
        this.kept = kept;
    }

    void mount(Router router) {
        router.get("/events").handler(this::stream);
    }

    private void stream(RoutingContext rc) {
        EventFilter filter;
        try {
            String types = rc.request().getParam("types");
            filter = types == null ? EventFilter.ALL : EventFilter.parse(types);
        } catch (IllegalArgumentException e) {
            error(rc, 400, "types: " + e.getMessage());
            return;
        }
        String lastId = rc.request().getHeader("last-event-id");
        if (lastId == null) {
            lastId = rc.request().getParam("lastEventId");
        }
        long after = -1;
        if (lastId != null) {
            try {
                after = Long.parseLong(lastId.trim());
            } catch (NumberFormatException e) {
                error(rc, 400, "Last-Event-ID must be an event id (a whole number), not '" + lastId + "'");
                return;
            }
        }
        HttpServerResponse res = rc.response();
        res.setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-accel-buffering", "no"); // nginx: do not buffer the stream
        if (rc.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
            res.end(); // the stream's headers, and no stream
            return;
        }
        res.write("retry: 2000\n\n");
        Context context = vertx.getOrCreateContext();
        AtomicInteger pending = new AtomicInteger();
        long since = after;
        // While the kept events of an earlier run are read, what the bus hands over waits
        // here (on the connection's context), so that the stream stays in order.
        List<Event> held = new java.util.ArrayList<>();
        boolean[] catchingUp = {false};
        EventBus.Subscription sub = bus.subscribeSync("sse", filter, after, e -> {
            // On the publisher's thread: only hand over to the connection's loop.
            if (pending.incrementAndGet() > MAX_PENDING) {
                return; // the loop closes the stream on its next turn
            }
            context.runOnContext(v -> {
                if (catchingUp[0]) {
                    held.add(e);
                } else {
                    send(res, e, pending);
                }
            });
        });
        open.add(sub);
        if (sub.gap()) {
            catchingUp[0] = true;
            EventFilter f = filter;
            vertx.executeBlocking(() -> kept.apply(since), false)
                    .onComplete(ar -> context.runOnContext(v -> {
                        java.util.Optional<dev.baton.store.EventLog.Since> got =
                                ar.succeeded() ? ar.result() : java.util.Optional.empty();
                        long firstLive =
                                held.isEmpty() ? Long.MAX_VALUE : held.get(0).id();
                        if (got.isEmpty() || !got.get().complete()) {
                            res.write(": events after id " + since + " are no longer kept; some were missed\n\n");
                        }
                        for (dev.baton.store.EventLog.Entry entry :
                                got.map(dev.baton.store.EventLog.Since::entries).orElse(List.of())) {
                            if (entry.id() < firstLive && matches(f, entry.body()) && !res.closed()) {
                                res.write("id: " + entry.id() + "\ndata: " + entry.body() + "\n\n");
                            }
                        }
                        catchingUp[0] = false;
                        held.forEach(e -> send(res, e, pending));
                        held.clear();
                    }));
        }
        long timer = vertx.setPeriodic(heartbeat.get().toMillis(), id -> {
            if (!res.closed()) {
                res.write(": ping\n\n");
            }
        });
        res.closeHandler(v -> {
            sub.close();
            open.remove(sub);
            vertx.cancelTimer(timer);
        });
    }

    /** Whether a kept event's JSON is of a type {@code filter} takes. */
    private static boolean matches(EventFilter filter, String body) {
        try {
            return filter.matches(
                    dev.baton.events.EventType.valueOf(new io.vertx.core.json.JsonObject(body).getString("type", "")));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Stops every stream's subscription (the admin listener is closing). */
    void close() {
        open.forEach(EventBus.Subscription::close);
        open.clear();
    }

    private static void send(HttpServerResponse res, Event e, AtomicInteger pending) {
        if (res.closed()) {
            return;
        }
        if (pending.get() > MAX_PENDING || res.writeQueueFull()) {
            res.reset(); // a reconnect with Last-Event-ID picks up where this one fell behind
            return;
        }
        pending.decrementAndGet();
        res.write("id: " + e.id() + "\ndata: " + EventJson.encode(e) + "\n\n");
    }
}
