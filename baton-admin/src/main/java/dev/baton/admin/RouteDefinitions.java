package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import dev.baton.config.RouteConfig;
import dev.baton.config.RuntimeRoute;
import dev.baton.control.RouteTarget;
import dev.baton.control.RuntimeRoutes;
import dev.baton.control.Snapshot;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /routes}, {@code GET /routes/{id}}, {@code POST /routes}, {@code PUT
 * /routes/{id}} and {@code DELETE /routes/{id}}: the routes in force, the config
 * file's and those added at run time ({@link RuntimeRoutes}), each marked with its
 * {@code source}. A route is shown in the config's shape (camelCase), its secrets
 * masked as {@code GET /config} masks them. Changes block on the store, so they run
 * on a worker thread; the answer comes once the route is durable and served.
 */
final class RouteDefinitions {
    private final Vertx vertx;
    private final AdminApi.Backend backend;

    RouteDefinitions(Vertx vertx, AdminApi.Backend backend) {
        this.vertx = vertx;
        this.backend = backend;
    }

    void mount(Router router) {
        router.get("/routes").handler(this::list);
        router.get("/routes/:id").handler(this::one);
        router.post("/routes")
                .handler(BodyHandler.create(false).setBodyLimit(RegistrationRoutes.MAX_BODY))
                .handler(rc -> put(rc, Optional.empty()));
        router.put("/routes/:id")
                .handler(BodyHandler.create(false).setBodyLimit(RegistrationRoutes.MAX_BODY))
                .handler(rc -> put(rc, Optional.of(pathParam(rc, "id"))));
        router.delete("/routes/:id").handler(this::delete);
    }

    private void list(RoutingContext rc) {
        Snapshot snap = backend.snapshot();
        Set<String> fromFile = fileRouteIds();
        JsonArray out = new JsonArray();
        for (RouteConfig r : snap.config().routes()) {
            out.add(view(r, fromFile.contains(r.id()), snap));
        }
        Map<String, String> idle = backend.idleRoutes();
        for (RuntimeRoute r : backend.routes().all()) {
            String why = idle.get(r.id());
            if (why != null) {
                out.add(idle(r, why));
            }
        }
        json(rc, 200, new JsonObject().put("routes", out));
    }

    private void one(RoutingContext rc) {
        String id = pathParam(rc, "id");
        Snapshot snap = backend.snapshot();
        Optional<RouteConfig> served =
                snap.config().routes().stream().filter(r -> r.id().equals(id)).findFirst();
        if (served.isPresent()) {
            json(rc, 200, view(served.get(), fileRouteIds().contains(id), snap));
            return;
        }
        String why = backend.idleRoutes().get(id);
        Optional<RuntimeRoute> stored =
                backend.routes().all().stream().filter(r -> r.id().equals(id)).findFirst();
        if (why != null && stored.isPresent()) {
            json(rc, 200, idle(stored.get(), why));
        } else {
            error(rc, 404, "no route '" + id + "'");
        }
    }

    private void put(RoutingContext rc, Optional<String> id) {
        String body = rc.body().asString();
        id.ifPresent(i -> summaryOf(i).ifPresent(before -> Audit.before(rc, before)));
        vertx.executeBlocking(() -> backend.routes().put(id, body), false)
                .onSuccess(put -> {
                    RouteConfig r = put.route().route();
                    Audit.after(rc, summary(r).put("replaced", put.replaced()));
                    JsonObject out = view(r, false, backend.snapshot());
                    if (!put.route().warnings().isEmpty()) {
                        out.put("warnings", new JsonArray(put.route().warnings()));
                    }
                    rc.response().putHeader("location", "/routes/" + r.id());
                    json(rc, put.replaced() ? 200 : 201, out);
                })
                .onFailure(err -> failed(rc, err));
    }

    private void delete(RoutingContext rc) {
        String id = pathParam(rc, "id");
        summaryOf(id).ifPresent(before -> Audit.before(rc, before));
        vertx.executeBlocking(() -> backend.routes().delete(id), false)
                .onSuccess(found -> {
                    if (found) {
                        rc.response().setStatusCode(204).end();
                    } else {
                        error(rc, 404, "no route '" + id + "'");
                    }
                })
                .onFailure(err -> failed(rc, err));
    }

    /** A route in force: its definition, where it comes from, and whether its service is defined yet. */
    private static JsonObject view(RouteConfig r, boolean fromFile, Snapshot snap) {
        JsonObject out =
                definition(r).put("source", fromFile ? "config" : "api").put("active", true);
        RouteTarget target = snap.router().definitions().stream()
                .map(d -> d.target())
                .filter(t -> t.id().equals(r.id()))
                .findFirst()
                .orElse(null);
        out.put("serviceDefined", target != null && target.service().defined());
        return out;
    }

    /** A run-time route that is kept but not served, and why. */
    private static JsonObject idle(RuntimeRoute r, String why) {
        return definition(r.route()).put("source", "api").put("active", false).put("reason", why);
    }

    private static JsonObject definition(RouteConfig r) {
        Object rendered = ConfigJson.render(r);
        return rendered instanceof JsonObject o ? o : new JsonObject();
    }

    /** A route in a line, for the audit log: what it matches and where it goes, never a secret. */
    private static JsonObject summary(RouteConfig r) {
        return new JsonObject()
                .put("route", r.id())
                .put("path", r.path())
                .put("service", r.service())
                .put("methods", r.methods().stream().sorted().collect(Collectors.joining(",")));
    }

    private Optional<JsonObject> summaryOf(String id) {
        return backend.routes().all().stream()
                .filter(r -> r.id().equals(id))
                .findFirst()
                .map(r -> summary(r.route()));
    }

    private Set<String> fileRouteIds() {
        return backend.fileConfig().routes().stream().map(RouteConfig::id).collect(Collectors.toSet());
    }

    private static void failed(RoutingContext rc, Throwable err) {
        if (err instanceof RuntimeRoutes.Refused r) {
            error(rc, 409, r.code(), r.getMessage() == null ? "refused" : r.getMessage());
        } else {
            Replies.failed(rc, err, "route");
        }
    }
}
