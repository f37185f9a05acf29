package dev.baton.admin;

import dev.baton.config.ConfigException;
import dev.baton.http.ErrorBody;
import dev.baton.http.RequestIds;
import dev.baton.store.StoreException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the admin API answers: JSON bodies, and Baton's JSON error. */
final class Replies {
    private static final Logger log = LoggerFactory.getLogger(Replies.class);
    static final String REQUEST_ID = "requestId";

    private Replies() {}

    static JsonObject errorBody(RoutingContext rc, int status, String message) {
        String rid = rc.get(REQUEST_ID);
        return new JsonObject()
                .put("status", status)
                .put("error", ErrorBody.code(status))
                .put("message", message)
                .put("requestId", rid != null ? rid : RequestIds.generate());
    }

    static void error(RoutingContext rc, int status, String message) {
        json(rc, status, errorBody(rc, status, message));
    }

    /**
     * The request's path; "" when its target has none (such as {@code *}), which no
     * route has and every policy treats as strictly as any other path.
     */
    static String path(RoutingContext rc) {
        String path = rc.request().path();
        return path == null ? "" : path;
    }

    /** What {@code e} says went wrong: its message, or its class when it has none. */
    static String why(Throwable e) {
        String m = e.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }

    /**
     * A path parameter of the route that matched. Vert.x has one for every {@code :name}
     * in the route's path, so a missing one is a route written without it: a bug here.
     */
    static String pathParam(RoutingContext rc, String name) {
        String value = rc.pathParam(name);
        if (value == null) {
            throw new IllegalStateException("no :" + name + " in the path of the route that matched");
        }
        return value;
    }

    /**
     * Baton's JSON error with a code more specific than the status's (a 409 says
     * which conflict: {@code defined_in_config}, {@code no_process} ...), so that a
     * script can tell the cases apart without reading the message.
     */
    static void error(RoutingContext rc, int status, String code, String message) {
        json(rc, status, errorBody(rc, status, message).put("error", code));
    }

    /**
     * A change that failed: 400 listing every problem of an invalid body (each with
     * its field and line), 503 when the store cannot keep it (nothing was changed),
     * 500 for anything else. {@code what} names the change ("registration").
     */
    static void failed(RoutingContext rc, Throwable err, String what) {
        if (err instanceof ConfigException ce) {
            JsonArray errors = new JsonArray();
            ce.errors()
                    .forEach(e -> errors.add(new JsonObject()
                            .put("field", e.path())
                            .put("message", e.message())
                            .put("line", e.line())));
            json(
                    rc,
                    400,
                    errorBody(rc, 400, "invalid " + what + ": " + ce.errors().size() + " problem(s)")
                            .put("errors", errors));
        } else if (err instanceof StoreException se) {
            log.error("{} not stored: {}", what, se.getMessage());
            error(rc, 503, "cannot store the " + what + ", nothing was changed: " + se.getMessage());
        } else {
            log.error("{} failed", what, err);
            error(rc, 500, what + " failed: " + err);
        }
    }

    /** A JSON answer; indented when the request asks with {@code ?pretty} (a person at a terminal). */
    static void json(RoutingContext rc, int status, Object body) {
        String text = body.toString();
        if (rc.request().params().contains("pretty")) {
            if (body instanceof JsonObject o) {
                text = o.encodePrettily();
            } else if (body instanceof JsonArray a) {
                text = a.encodePrettily();
            }
        }
        rc.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(text);
    }
}
