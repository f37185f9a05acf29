package dev.baton.admin;

import dev.baton.http.ErrorBody;
import dev.baton.http.RequestIds;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** How the admin API answers: JSON bodies, and Baton's JSON error. */
final class Replies {
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
        json(rc.response(), status, errorBody(rc, status, message));
    }

    static void json(HttpServerResponse res, int status, Object body) {
        res.setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
    }
}
