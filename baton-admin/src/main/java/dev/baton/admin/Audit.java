package dev.baton.admin;

import dev.baton.security.Caller;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * What an admin mutation leaves in the audit log: handlers note the state before
 * and after in summary, and {@link #entry} adds who asked, from where, what, and
 * how it ended once the response is out, dated {@code at}.
 */
final class Audit {
    private static final String BEFORE = "audit.before";
    private static final String AFTER = "audit.after";

    private Audit() {}

    static void before(RoutingContext rc, JsonObject summary) {
        rc.put(BEFORE, summary);
    }

    static void after(RoutingContext rc, JsonObject summary) {
        rc.put(AFTER, summary);
    }

    static JsonObject entry(RoutingContext rc, Instant at) {
        Caller caller = rc.get(AdminAuth.CALLER);
        int status = rc.response().getStatusCode();
        JsonObject who = new JsonObject()
                .put("subject", caller == null ? null : caller.subject().orElse(null))
                .put("roles", caller == null ? new JsonArray() : new JsonArray(caller.roles()))
                .put(
                        "address",
                        rc.request().remoteAddress() == null
                                ? null
                                : rc.request().remoteAddress().hostAddress());
        return new JsonObject()
                .put("time", at.toString())
                .put("requestId", rc.<String>get(Replies.REQUEST_ID))
                .put("who", who)
                .put("method", rc.request().method().name())
                .put("path", rc.request().path())
                .put("status", status)
                .put("result", status < 400 ? "ok" : status < 500 ? "refused" : "failed")
                .put("before", rc.<JsonObject>get(BEFORE))
                .put("after", rc.<JsonObject>get(AFTER));
    }
}
