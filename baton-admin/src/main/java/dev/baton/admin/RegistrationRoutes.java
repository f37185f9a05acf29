package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import dev.baton.control.RuntimeServices;
import dev.baton.control.ServiceTarget;
import dev.baton.registry.Registry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code POST /services/register}, {@code DELETE /services/{id}} and
 * {@code PUT /services/{id}/instances/{instanceId}/heartbeat}. Store writes block,
 * so each runs on a worker thread; the answer comes once the change is durable
 * and routable.
 */
final class RegistrationRoutes {
    /** Registrations are small; a megabyte is far beyond any real one. */
    static final long MAX_BODY = 1 << 20;

    private final Vertx vertx;
    private final AdminApi.Backend backend;
    private final ServiceViews views;

    RegistrationRoutes(Vertx vertx, AdminApi.Backend backend, ServiceViews views) {
        this.vertx = vertx;
        this.backend = backend;
        this.views = views;
    }

    void mount(Router router) {
        router.post("/services/register")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
                .handler(this::register);
        router.delete("/services/:id").handler(this::unregister);
        router.put("/services/:id/instances/:instanceId/heartbeat").handler(this::heartbeat);
    }

    private void register(RoutingContext rc) {
        String body = rc.body().asString();
        vertx.executeBlocking(() -> backend.runtime().register(body), false)
                .onSuccess(r -> {
                    ServiceTarget s =
                            backend.snapshot().services().get(r.registration().id());
                    if (s == null) { // unregistered again before this answer
                        error(rc, 409, "service '" + r.registration().id() + "' was unregistered meanwhile");
                        return;
                    }
                    Audit.after(rc, summary(s).put("replaced", r.replaced()));
                    JsonObject out = views.service(s);
                    if (!r.registration().warnings().isEmpty()) {
                        out.put("warnings", new JsonArray(r.registration().warnings()));
                    }
                    rc.response().putHeader("location", "/services/" + s.id());
                    json(rc, 201, out);
                })
                .onFailure(err -> failed(rc, err, "registration"));
    }

    private void unregister(RoutingContext rc) {
        String id = pathParam(rc, "id");
        ServiceTarget before = backend.snapshot().services().get(id);
        if (before != null) {
            Audit.before(rc, summary(before));
        }
        vertx.executeBlocking(
                        () -> backend.runtime()
                                .unregister(
                                        id,
                                        backend.snapshot().services().containsKey(id)
                                                ? backend.snapshot().source(id)
                                                : null),
                        false)
                .onSuccess(found -> {
                    if (found) {
                        rc.response().setStatusCode(204).end();
                    } else {
                        error(rc, 404, "no service '" + id + "'");
                    }
                })
                .onFailure(err -> failed(rc, err, "unregistration"));
    }

    private void heartbeat(RoutingContext rc) {
        String id = pathParam(rc, "id");
        String instance = pathParam(rc, "instanceId");
        Registry.Heartbeat result = backend.runtime().heartbeat(id, instance);
        switch (result) {
            case UNKNOWN_SERVICE -> error(rc, 404, "no registered service '" + id + "'; register it again");
            case UNKNOWN_INSTANCE ->
                error(rc, 404, "service '" + id + "' has no registered instance '" + instance + "'; register it again");
            default ->
                json(
                        rc,
                        200,
                        new JsonObject()
                                .put("serviceId", id)
                                .put("instanceId", instance)
                                .put("leased", result == Registry.Heartbeat.RENEWED)
                                .put(
                                        "leaseExpiresAt",
                                        backend.runtime()
                                                .leaseExpiry(id, instance)
                                                .map(Object::toString)
                                                .orElse(null)));
        }
    }

    /** A service in a line: enough to tell what changed, nothing that could be a secret. */
    private JsonObject summary(ServiceTarget s) {
        return new JsonObject()
                .put("service", s.id())
                .put("source", backend.snapshot().source(s.id()).jsonName())
                .put("instances", s.instances().size());
    }

    private static void failed(RoutingContext rc, Throwable err, String what) {
        if (err instanceof RuntimeServices.NotRegistered nr) {
            error(rc, 409, "defined_in_config", Replies.why(nr));
        } else {
            Replies.failed(rc, err, what);
        }
    }
}
