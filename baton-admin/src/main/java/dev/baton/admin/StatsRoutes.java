package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import dev.baton.config.Durations;
import dev.baton.control.RouteTarget;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.telemetry.Stats;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code GET /stats}: every service's and route's requests per second, error rate
 * and p50/p95/p99 over {@code ?window=} (default 1m, at most 15m);
 * {@code GET /stats/{service}}: one service as a time series in steps of
 * {@code ?step=} (default 10s), with its routes.
 */
final class StatsRoutes {
    static final Duration MAX_WINDOW = Duration.ofSeconds(Stats.SECONDS - 1);

    private final Stats stats;
    private final Supplier<Snapshot> snapshot;

    StatsRoutes(Stats stats, Supplier<Snapshot> snapshot) {
        this.stats = stats;
        this.snapshot = snapshot;
    }

    void mount(Router router) {
        router.get("/stats").handler(this::all);
        router.get("/stats/:service").handler(this::one);
    }

    private static Duration duration(RoutingContext rc, String name, Duration fallback) {
        String given = rc.request().getParam(name);
        if (given == null) {
            return fallback;
        }
        Duration d = Durations.parse(given); // IllegalArgumentException with the reason
        if (d.toSeconds() < 1 || d.compareTo(MAX_WINDOW) > 0) {
            throw new IllegalArgumentException("must be from 1s to " + MAX_WINDOW.toSeconds() + "s");
        }
        return d;
    }

    private void all(RoutingContext rc) {
        Duration window;
        try {
            window = duration(rc, "window", Duration.ofMinutes(1));
        } catch (IllegalArgumentException e) {
            error(rc, 400, "window: " + e.getMessage());
            return;
        }
        Snapshot snap = snapshot.get();
        JsonObject services = new JsonObject();
        for (ServiceTarget s : snap.services().values()) {
            services.put(s.id(), summary("service:" + s.id(), window));
        }
        JsonObject routes = new JsonObject();
        for (RouteTarget r : snap.routeTargets()) {
            routes.put(
                    r.id(),
                    summary("route:" + r.id(), window)
                            .put("service", r.service().id()));
        }
        json(
                rc,
                200,
                new JsonObject()
                        .put("window", window.toSeconds() + "s")
                        .put("services", services)
                        .put("routes", routes));
    }

    private void one(RoutingContext rc) {
        String id = pathParam(rc, "service");
        Snapshot snap = snapshot.get();
        if (!snap.services().containsKey(id)) {
            error(rc, 404, "no service '" + id + "'");
            return;
        }
        Duration window;
        Duration step;
        try {
            window = duration(rc, "window", Duration.ofMinutes(15).minusSeconds(1));
            step = duration(rc, "step", Duration.ofSeconds(10));
        } catch (IllegalArgumentException e) {
            error(rc, 400, Replies.why(e));
            return;
        }
        JsonArray points = new JsonArray();
        for (Stats.Point p : stats.series("service:" + id, window, step)) {
            points.add(view(p.summary())
                    .put("time", Instant.ofEpochSecond(p.epochSecond()).toString()));
        }
        JsonObject routes = new JsonObject();
        for (RouteTarget r : snap.routeTargets()) {
            if (r.service().id().equals(id)) {
                routes.put(r.id(), summary("route:" + r.id(), window));
            }
        }
        json(
                rc,
                200,
                new JsonObject()
                        .put("service", id)
                        .put("window", window.toSeconds() + "s")
                        .put("step", step.toSeconds() + "s")
                        .put("summary", summary("service:" + id, window))
                        .put("points", points)
                        .put("routes", routes));
    }

    private JsonObject summary(String key, Duration window) {
        return view(
                stats.summary(key, window).orElse(new Stats.Summary(0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN)));
    }

    static JsonObject view(Stats.Summary s) {
        return new JsonObject()
                .put("requests", s.requests())
                .put("requestsPerSecond", round(s.requestsPerSecond()))
                .put("errors", s.errors())
                .put("errorRate", round(s.errorRate()))
                .put("p50Ms", millis(s.p50()))
                .put("p95Ms", millis(s.p95()))
                .put("p99Ms", millis(s.p99()));
    }

    /** Seconds as milliseconds; null for NaN (no requests to measure). */
    private static @Nullable Double millis(double seconds) {
        return Double.isNaN(seconds) ? null : round(seconds * 1000);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
