package dev.baton.admin;

import static dev.baton.admin.Replies.json;

import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /status}: counts of services and instances by health, supervised
 * processes by state, uptime and version; {@code GET /status/detailed}: the same
 * with every service in full. Uptime is measured on the clock it is given.
 */
final class StatusRoutes {
    private final AdminApi.Backend backend;
    private final ServiceViews views;
    private final String version;
    private final Clock clock;
    private final Instant started;

    StatusRoutes(AdminApi.Backend backend, ServiceViews views, String version, Clock clock) {
        this.backend = backend;
        this.views = views;
        this.version = version;
        this.clock = clock;
        this.started = clock.instant();
    }

    void mount(Router router) {
        router.get("/status").handler(this::status);
        router.get("/status/detailed").handler(this::detailedStatus);
    }

    /** Counts of services and instances by health, uptime and version. */
    private JsonObject summary(Snapshot snap) {
        Map<HealthStatus, Integer> instancesBy = zeroes();
        Map<HealthStatus, Integer> servicesBy = zeroes();
        int instances = 0;
        for (ServiceTarget s : snap.services().values()) {
            List<HealthStatus> statuses = new ArrayList<>();
            for (Upstream u : s.instances()) {
                HealthStatus st = views.status(u);
                statuses.add(st);
                instancesBy.merge(st, 1, Integer::sum);
                instances++;
            }
            servicesBy.merge(HealthStatus.ofService(statuses), 1, Integer::sum);
        }
        return new JsonObject()
                .put("status", "UP")
                .put("orchestrator", backend.orchestrating() ? "RUNNING" : "STOPPED")
                .put("version", version)
                .put("uptimeSeconds", Duration.between(started, clock.instant()).toSeconds())
                .put("services", snap.services().size())
                .put("servicesByStatus", counts(servicesBy))
                .put("instances", new JsonObject().put("total", instances).put("byStatus", counts(instancesBy)))
                .put("configReloads", backend.reloadCount())
                .put("processes", processes());
    }

    /** Supervised processes by state, every state present (zero or not). */
    private JsonObject processes() {
        Map<String, Integer> by = new LinkedHashMap<>();
        for (ProcessState st : ProcessState.values()) {
            by.put(st.name(), 0);
        }
        int total = 0;
        if (backend.supervisor() != null) {
            for (List<ProcessStatus> l : backend.supervisor().processes().values()) {
                for (ProcessStatus p : l) {
                    by.merge(p.state().name(), 1, Integer::sum);
                    total++;
                }
            }
        }
        JsonObject byState = new JsonObject();
        by.forEach(byState::put);
        return new JsonObject().put("total", total).put("byState", byState);
    }

    private static Map<HealthStatus, Integer> zeroes() {
        Map<HealthStatus, Integer> m = new EnumMap<>(HealthStatus.class);
        for (HealthStatus s : HealthStatus.values()) {
            m.put(s, 0);
        }
        return m;
    }

    private static JsonObject counts(Map<HealthStatus, Integer> m) {
        JsonObject out = new JsonObject();
        m.forEach((k, v) -> out.put(k.name(), v));
        return out;
    }

    private void status(RoutingContext rc) {
        json(rc, 200, summary(backend.snapshot()));
    }

    /** The summary plus every service in full. */
    private void detailedStatus(RoutingContext rc) {
        Snapshot snap = backend.snapshot();
        JsonArray services = new JsonArray();
        snap.services().values().forEach(s -> services.add(views.service(s)));
        json(rc, 200, summary(snap).put("serviceDetails", services));
    }
}
