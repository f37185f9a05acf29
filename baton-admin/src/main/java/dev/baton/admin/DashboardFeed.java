package dev.baton.admin;

import dev.baton.control.ServiceTarget;
import dev.baton.telemetry.Stats;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /ui/stream}: what keeps the dashboard live, as Server-Sent Events that
 * htmx's SSE extension swaps in. {@code overview} carries the overview's HTML
 * whenever it changes; {@code series} (on connect) the last 15 minutes of every
 * service's req/s, error rate and p99 in 5-second steps, and {@code point} each new
 * step, which the page's script draws with uPlot. One render per tick serves every
 * browser, made on a worker thread, never on an event loop the proxy could need.
 * Browsers are bounded: past {@link #MAX_CLIENTS} a new one gets 503, and one that
 * cannot keep up is dropped and reconnects (its EventSource does). Each point's
 * {@code id} is its step's epoch second, so a browser that reconnects says in
 * {@code Last-Event-ID} what it has: it gets the points it missed rather than the
 * whole series again (the whole series when what it has is older than the series).
 */
final class DashboardFeed {
    static final int MAX_CLIENTS = 64;
    static final long TICK_MILLIS = 2000;
    static final Duration STEP = Duration.ofSeconds(5);
    static final Duration HISTORY = Duration.ofMinutes(15).minusSeconds(5);

    private final Vertx vertx;
    private final AdminApi.Backend backend;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private long timer = -1; // guarded by this
    private @Nullable String lastOverview; // guarded by this: what the last tick sent
    private long lastStep; // guarded by this: the epoch second of the last point sent

    private record Client(HttpServerResponse res, Context context) {}

    /** What one tick sends every browser: the overview if it changed, the new step's point if there is one. */
    private record Tick(@Nullable String overview, @Nullable String point, long step) {}

    /** One message of the stream; {@code id} is -1 for one without (the overview, which is whole each time). */
    private record Message(String event, long id, String data) {}

    DashboardFeed(Vertx vertx, AdminApi.Backend backend) {
        this.vertx = vertx;
        this.backend = backend;
    }

    void mount(Router router) {
        router.get("/ui/stream").handler(this::connect);
    }

    private void connect(RoutingContext rc) {
        if (clients.size() >= MAX_CLIENTS) {
            rc.response().putHeader("retry-after", "5");
            Replies.error(rc, 503, "too many dashboards open (" + MAX_CLIENTS + "); close one");
            return;
        }
        HttpServerResponse res = rc.response();
        res.setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache")
                .putHeader("x-accel-buffering", "no");
        if (rc.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
            res.end();
            return;
        }
        Client client = new Client(res, vertx.getOrCreateContext());
        res.write("retry: 2000\n\n");
        long had = lastEventId(rc.request().getHeader("last-event-id"));
        vertx.executeBlocking(() -> catchUp(had), false)
                .onSuccess(first -> {
                    if (res.closed()) {
                        return;
                    }
                    for (Message m : first) {
                        send(client, m.event(), m.id(), m.data());
                    }
                    clients.add(client);
                    res.closeHandler(v -> leave(client));
                    start();
                })
                .onFailure(e -> res.reset());
    }

    /** The step a reconnecting browser says it has, or -1 for none (or nothing a step could be). */
    private static long lastEventId(@Nullable String header) {
        if (header == null || !header.trim().matches("\\d{1,18}")) {
            return -1;
        }
        return Long.parseLong(header.trim());
    }

    /** What a browser gets first: the overview, then the points after {@code had}, or the whole series. */
    private List<Message> catchUp(long had) {
        List<Message> out = new ArrayList<>();
        out.add(new Message("overview", -1, Dashboard.overviewFragment(Overview.of(backend))));
        long step = currentStep();
        long size = STEP.toSeconds();
        if (had >= 0 && had <= step && had % size == 0 && step - had <= HISTORY.toSeconds()) {
            for (long t = had + size; t <= step; t += size) {
                out.add(new Message("point", t, point(t).encode()));
            }
        } else {
            out.add(new Message("series", step, series().encode()));
        }
        return out;
    }

    private synchronized void start() {
        if (timer < 0) {
            timer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
        }
    }

    private void leave(Client client) {
        clients.remove(client);
        synchronized (this) {
            if (clients.isEmpty() && timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
                lastOverview = null;
            }
        }
    }

    private void tick() {
        vertx.executeBlocking(
                        () -> {
                            String overview = Dashboard.overviewFragment(Overview.of(backend));
                            long step = currentStep();
                            synchronized (this) {
                                String changed = overview.equals(lastOverview) ? null : overview;
                                lastOverview = overview;
                                String point = step > lastStep ? point(step).encode() : null;
                                lastStep = Math.max(lastStep, step);
                                return new Tick(changed, point, step);
                            }
                        },
                        false)
                .onSuccess(out -> {
                    for (Client c : clients) {
                        if (out.overview() != null) {
                            send(c, "overview", -1, out.overview());
                        }
                        if (out.point() != null) {
                            send(c, "point", out.step(), out.point());
                        }
                    }
                });
    }

    /** Writes one event on the client's own context; a client whose queue is full is dropped. */
    private void send(Client c, String event, long id, String data) {
        c.context().runOnContext(v -> {
            if (c.res().closed() || c.res().ended()) {
                leave(c);
                return;
            }
            if (c.res().writeQueueFull()) {
                // Slower than the feed: cut it off; its EventSource reconnects to a fresh state.
                leave(c);
                c.res().reset();
                return;
            }
            StringBuilder b = new StringBuilder(data.length() + 32)
                    .append("event: ")
                    .append(event)
                    .append('\n');
            if (id >= 0) {
                b.append("id: ").append(id).append('\n');
            }
            for (String line : data.split("\n", -1)) {
                b.append("data: ").append(line).append('\n');
            }
            c.res().write(b.append('\n').toString());
        });
    }

    /** The epoch second that starts the newest complete step. */
    private long currentStep() {
        long now = backend.stats().clockSeconds();
        long step = STEP.toSeconds();
        return Math.floorDiv(now, step) * step - step;
    }

    /** Every service's last 15 minutes: {@code {step, t: [...], services: {id: {rps, err, p99}}}}. */
    private JsonObject series() {
        JsonObject services = new JsonObject();
        JsonArray t = new JsonArray();
        boolean first = true;
        for (ServiceTarget s : backend.snapshot().services().values()) {
            List<Stats.Point> points = backend.stats().series("service:" + s.id(), HISTORY, STEP);
            JsonArray rps = new JsonArray();
            JsonArray err = new JsonArray();
            JsonArray p99 = new JsonArray();
            for (Stats.Point p : points) {
                if (first) {
                    t.add(p.epochSecond());
                }
                rps.add(p.summary().requestsPerSecond());
                err.add(p.summary().errorRate());
                p99.add(Double.isNaN(p.summary().p99()) ? null : p.summary().p99());
            }
            if (!points.isEmpty()) {
                first = false;
            }
            services.put(
                    s.id(), new JsonObject().put("rps", rps).put("err", err).put("p99", p99));
        }
        return new JsonObject().put("step", STEP.toSeconds()).put("t", t).put("services", services);
    }

    /** Every service's step from {@code from}: {@code {t, services: {id: [rps, err, p99]}}}. */
    private JsonObject point(long from) {
        JsonObject services = new JsonObject();
        for (ServiceTarget s : backend.snapshot().services().values()) {
            Stats.Summary sum = backend.stats()
                    .between("service:" + s.id(), from, from + STEP.toSeconds() - 1)
                    .orElse(new Stats.Summary(0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN));
            services.put(
                    s.id(),
                    new JsonArray()
                            .add(sum.requestsPerSecond())
                            .add(sum.errorRate())
                            .add(Double.isNaN(sum.p99()) ? null : sum.p99()));
        }
        return new JsonObject().put("t", from).put("services", services);
    }

    void close() {
        synchronized (this) {
            if (timer >= 0) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
        for (Client c : clients) {
            c.context().runOnContext(v -> c.res().reset());
        }
        clients.clear();
    }
}
