package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import dev.baton.config.DependencyGraph;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.supervisor.Supervisor;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * The supervisor on the admin API: {@code POST /services/{id}/start|stop|restart},
 * {@code GET /services/{id}/logs?tail=N[&process=P]}, and {@code GET /dependencies}
 * (the graph, its start order and what each service waits for). Also how a process
 * looks in the service JSON.
 */
final class ProcessRoutes {
    static final int MAX_TAIL = 10_000;
    /** Which state a service with several processes shows: the first of these that any of them is in. */
    private static final List<ProcessState> SHOWN_FIRST = List.of(
            ProcessState.FAILED,
            ProcessState.BACKOFF,
            ProcessState.STARTING,
            ProcessState.STOPPING,
            ProcessState.STOPPED,
            ProcessState.RUNNING);

    private final Vertx vertx;
    private final AdminApi.Backend backend;
    private final ServiceViews views;

    ProcessRoutes(Vertx vertx, AdminApi.Backend backend, ServiceViews views) {
        this.vertx = vertx;
        this.backend = backend;
        this.views = views;
    }

    void mount(Router router) {
        router.post("/services/:id/:action").handler(this::act);
        router.get("/services/:id/logs").handler(this::logs);
        router.get("/dependencies").handler(this::dependencies);
    }

    /** One process as JSON (the admin API's {@code process} object, and more). */
    static JsonObject view(ProcessStatus p) {
        return new JsonObject()
                .put("id", p.id())
                .put("state", p.state().name())
                .put("pid", p.pid().isPresent() ? p.pid().getAsLong() : null)
                .put("restarts", p.restarts())
                .put("startedAt", p.startedAt().map(Object::toString).orElse(null))
                .put("exitCode", p.exitCode().isPresent() ? p.exitCode().getAsInt() : null)
                .put("reason", p.reason().orElse(null))
                .put("blockedBy", new JsonArray(p.blockedBy()))
                .put("nextStartAt", p.nextStartAt().map(Object::toString).orElse(null))
                .put("log", p.log().toString());
    }

    /** A service's processes as its {@code process} field: the one process, or a summary and each of them. */
    static JsonObject summary(List<ProcessStatus> all) {
        if (all.size() == 1) {
            return view(all.get(0));
        }
        ProcessState shown = SHOWN_FIRST.stream()
                .filter(s -> all.stream().anyMatch(p -> p.state() == s))
                .findFirst()
                .orElse(ProcessState.STOPPED);
        JsonArray each = new JsonArray();
        all.forEach(p -> each.add(view(p)));
        return new JsonObject()
                .put("state", shown.name())
                .put("restarts", all.stream().mapToInt(ProcessStatus::restarts).sum())
                .put("processes", each);
    }

    private void act(RoutingContext rc) {
        String id = pathParam(rc, "id");
        String action = pathParam(rc, "action");
        if (!List.of("start", "stop", "restart").contains(action)) {
            error(rc, 404, "no admin endpoint POST " + rc.request().path() + " (expected start, stop or restart)");
            return;
        }
        Supervisor sup = backend.supervisor();
        ServiceTarget s = backend.snapshot().services().get(id);
        if (s == null || sup == null) {
            error(rc, 404, "no service '" + id + "'");
            return;
        }
        Audit.before(rc, processAudit(sup, id));
        vertx.executeBlocking(
                        () -> {
                            switch (action) {
                                case "start" -> sup.start(id);
                                case "stop" -> sup.stop(id);
                                default -> sup.restart(id);
                            }
                            return null;
                        },
                        false)
                .onSuccess(v -> {
                    Audit.after(rc, processAudit(sup, id));
                    ServiceTarget now = backend.snapshot().services().get(id);
                    json(rc, 200, views.service(now != null ? now : s));
                })
                .onFailure(err -> {
                    if (err instanceof NoSuchElementException) {
                        error(rc, 404, Replies.why(err));
                    } else if (err instanceof IllegalArgumentException) {
                        error(rc, 409, "no_process", Replies.why(err));
                    } else {
                        error(rc, 500, "cannot " + action + " '" + id + "': " + err.getMessage());
                    }
                });
    }

    private static JsonObject processAudit(Supervisor sup, String id) {
        return new JsonObject()
                .put(
                        "process",
                        sup.processes(id)
                                .map(l -> l.stream().map(p -> p.state().name()).collect(Collectors.joining(",")))
                                .orElse(null));
    }

    private void logs(RoutingContext rc) {
        String id = pathParam(rc, "id");
        Supervisor sup = backend.supervisor();
        if (sup == null || !backend.snapshot().services().containsKey(id)) {
            error(rc, 404, "no service '" + id + "'");
            return;
        }
        List<ProcessStatus> all = sup.processes(id).orElse(null);
        if (all == null) {
            error(
                    rc,
                    409,
                    "no_process",
                    "service '" + id + "' has no process: Baton does not launch it, so it keeps no logs of it");
            return;
        }
        int tail;
        try {
            String given = rc.request().getParam("tail");
            tail = given == null ? 100 : Integer.parseInt(given);
        } catch (NumberFormatException e) {
            tail = -1;
        }
        if (tail < 1 || tail > MAX_TAIL) {
            error(rc, 400, "tail must be a whole number from 1 to " + MAX_TAIL);
            return;
        }
        String only = rc.request().getParam("process");
        List<ProcessStatus> chosen =
                all.stream().filter(p -> only == null || p.id().equals(only)).toList();
        if (chosen.isEmpty()) {
            error(
                    rc,
                    404,
                    "service '" + id + "' has no process '" + only + "' (it has "
                            + all.stream().map(ProcessStatus::id).collect(Collectors.joining(", ")) + ")");
            return;
        }
        int lines = tail;
        vertx.executeBlocking(
                        () -> {
                            JsonArray out = new JsonArray();
                            for (ProcessStatus p : chosen) {
                                out.add(new JsonObject()
                                        .put("id", p.id())
                                        .put("file", p.log().toString())
                                        .put("lines", new JsonArray(Supervisor.tail(p, lines))));
                            }
                            return out;
                        },
                        false)
                .onSuccess(
                        out -> json(rc, 200, new JsonObject().put("service", id).put("processes", out)))
                .onFailure(err -> error(rc, 500, "cannot read the log of '" + id + "': " + err.getMessage()));
    }

    private void dependencies(RoutingContext rc) {
        Snapshot snap = backend.snapshot();
        DependencyGraph graph = DependencyGraph.of(snap.config().services().values());
        Supervisor sup = backend.supervisor();
        JsonArray services = new JsonArray();
        for (String id : graph.ids()) {
            ServiceTarget s = snap.services().get(id);
            List<ProcessStatus> procs = sup == null ? null : sup.processes(id).orElse(null);
            List<String> blockedBy = new ArrayList<>();
            if (procs != null) {
                procs.forEach(p -> p.blockedBy().stream()
                        .filter(b -> !blockedBy.contains(b))
                        .forEach(blockedBy::add));
            }
            services.add(new JsonObject()
                    .put("id", id)
                    .put("dependsOn", new JsonArray(graph.dependencies(id)))
                    .put("dependents", new JsonArray(graph.dependents(id)))
                    .put("priority", graph.priority(id))
                    .put("status", s == null ? null : views.status(s).name())
                    .put("process", procs == null ? null : summary(procs))
                    .put("blockedBy", new JsonArray(blockedBy)));
        }
        JsonArray order = new JsonArray();
        graph.levels().forEach(wave -> order.add(new JsonArray(wave)));
        json(
                rc,
                200,
                new JsonObject()
                        .put("services", services)
                        .put("startOrder", order)
                        .put("tree", graph.tree()));
    }
}
