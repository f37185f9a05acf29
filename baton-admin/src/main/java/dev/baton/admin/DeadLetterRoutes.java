package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.errorBody;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import dev.baton.store.DeadLetters;
import dev.baton.store.StoreException;
import dev.baton.telemetry.Webhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * {@code GET /events/dead-letters} lists webhook deliveries that failed every
 * attempt, newest first; {@code POST /events/dead-letters/{id}/replay} sends one
 * again: 200 and removed when delivered, 502 (and kept, its attempts counted) when
 * not, 409 when its webhook is no longer configured.
 */
final class DeadLetterRoutes {
    private final Vertx vertx;
    private final AdminApi.Backend backend;

    DeadLetterRoutes(Vertx vertx, AdminApi.Backend backend) {
        this.vertx = vertx;
        this.backend = backend;
    }

    void mount(Router router) {
        router.get("/events/dead-letters").handler(this::list);
        router.post("/events/dead-letters/:id/replay").handler(this::replay);
    }

    private void list(RoutingContext rc) {
        int limit;
        try {
            String given = rc.request().getParam("limit");
            limit = given == null ? 100 : Integer.parseInt(given);
            if (limit < 1 || limit > 1000) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            error(rc, 400, "limit must be a whole number from 1 to 1000");
            return;
        }
        vertx.executeBlocking(() -> backend.data().get().deadLetters().recent(limit), false)
                .onSuccess(rows -> {
                    JsonArray out = new JsonArray();
                    rows.forEach(r -> out.add(view(r)));
                    json(rc, 200, out);
                })
                .onFailure(e -> error(rc, 503, "cannot read dead letters: " + e.getMessage()));
    }

    static JsonObject view(DeadLetters.Row r) {
        return new JsonObject()
                .put("id", r.id())
                .put("webhook", r.webhook())
                .put("eventId", r.eventId())
                .put("eventType", r.eventType())
                .put("attempts", r.attempts())
                .put("lastError", r.lastError())
                .put("failedAt", r.failedAt().toString())
                .put("event", new JsonObject(r.body()));
    }

    private void replay(RoutingContext rc) {
        long id;
        try {
            id = Long.parseLong(pathParam(rc, "id"));
        } catch (NumberFormatException e) {
            error(rc, 404, "no dead letter '" + pathParam(rc, "id") + "'");
            return;
        }
        vertx.<Optional<DeadLetters.Row>>executeBlocking(
                        () -> backend.data().get().deadLetters().get(id), false)
                .compose(row -> {
                    if (row.isEmpty()) {
                        error(rc, 404, "no dead letter " + id);
                        return Future.succeededFuture();
                    }
                    Audit.before(
                            rc,
                            new JsonObject()
                                    .put("deadLetter", id)
                                    .put("webhook", row.get().webhook()));
                    try {
                        return Future.fromCompletionStage(backend.webhooks().replay(row.get()))
                                .onSuccess(a -> {
                                    Audit.after(rc, new JsonObject().put("delivered", a.delivered()));
                                    if (a.delivered()) {
                                        json(
                                                rc,
                                                200,
                                                new JsonObject()
                                                        .put("id", id)
                                                        .put("delivered", true)
                                                        .put("status", a.status()));
                                    } else {
                                        json(
                                                rc,
                                                502,
                                                errorBody(rc, 502, "not delivered: " + a.error())
                                                        .put("id", id)
                                                        .put("delivered", false)
                                                        .put(
                                                                "attempts",
                                                                row.get().attempts() + 1));
                                    }
                                })
                                .mapEmpty();
                    } catch (Webhooks.NotConfigured e) {
                        error(rc, 409, "webhook_not_configured", Replies.why(e));
                        return Future.succeededFuture();
                    }
                })
                .onFailure(e -> error(rc, e instanceof StoreException ? 503 : 500, "replay failed: " + e.getMessage()));
    }
}
