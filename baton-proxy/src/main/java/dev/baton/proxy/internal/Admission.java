package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.proxy.internal.http.Framing;
import dev.baton.proxy.internal.http.PathSafety;
import dev.baton.proxy.internal.http.RequestSyntax;
import dev.baton.routing.RouteMatch;
import dev.baton.security.SecurityViolations;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The stateless checks a request passes before it is proxied: an absolute path, a
 * route for its host, path and method (404 or 405 with {@code Allow}), proxying not
 * stopped by an operator (503), and a declared
 * body within {@code max-body-size} (413; a body that streams past it is caught on
 * the way).
 */
final class Admission {
    private Admission() {}

    sealed interface Verdict permits Admit, Refuse, Preflight {}

    /** Go ahead, to {@code route}; {@code hasBody} says whether a body follows the head. */
    record Admit(RouteTarget route, boolean hasBody) implements Verdict {}

    /** A CORS preflight for {@code route}, which Baton answers itself. */
    record Preflight(RouteTarget route) implements Verdict {}

    /** Answer with this error; {@code close} the connection when an unread body follows; {@code allow} for 405. */
    record Refuse(
            int status,
            String message,
            boolean close,
            @Nullable String allow,
            @Nullable String violation) implements Verdict {
        Refuse(int status, String message, boolean close, @Nullable String allow) {
            this(status, message, close, allow, null);
        }
    }

    /**
     * The checks of a head before anything else is done with it: no invalid request
     * id ({@code refusedId}: the client gave one and {@code server.request-id} says to
     * reject it), the head's syntax ({@link RequestSyntax}: its authority on success) and
     * the body's framing ({@link Framing}). Refusals of the syntax and framing close
     * the connection: what follows on it cannot be trusted.
     */
    static Head head(HttpServerRequest req, Optional<String> refusedId) {
        if (refusedId.isPresent()) {
            return new Head(
                    null,
                    new Refuse(
                            400,
                            "invalid " + refusedId.get() + " (allowed: [A-Za-z0-9._-]{1,100}; server.request-id"
                                    + " can replace invalid ones)",
                            false,
                            null));
        }
        RequestSyntax.Head syntax = RequestSyntax.check(req);
        if (syntax.problem() != null) {
            return new Head(
                    null,
                    new Refuse(
                            400,
                            syntax.problem().message(),
                            true,
                            null,
                            syntax.problem().violation()));
        }
        String framing = Framing.problem(req);
        if (framing != null) {
            return new Head(null, new Refuse(400, framing, true, null));
        }
        return new Head(syntax.authority(), null);
    }

    /** What {@link #head} found: the request's authority (or null), or the refusal. */
    record Head(@Nullable HostAndPort authority, @Nullable Refuse refusal) {}

    /** A body may follow this head (before admission has said so). */
    static boolean mayHaveBody(HttpServerRequest req) {
        return req.getHeader("content-length") != null || req.getHeader("transfer-encoding") != null;
    }

    /** {@code authority}: the request's, as {@link RequestSyntax} found it, or null. */
    static Verdict check(HttpServerRequest req, Snapshot snapshot, @Nullable HostAndPort authority) {
        String path = req.path();
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return new Refuse(400, "request target must be an absolute path", false, null);
        }
        String unsafe = PathSafety.problem(req.uri());
        if (unsafe != null) {
            return new Refuse(
                    400,
                    unsafe.equals(SecurityViolations.NULL_BYTE)
                            ? "NUL bytes are not allowed in the request target"
                            : "path traversal ('..' segments, plain or encoded) is not allowed",
                    false,
                    null,
                    unsafe);
        }
        String method = req.method().name();
        if (req.method() == io.vertx.core.http.HttpMethod.CONNECT) {
            // A 2xx to CONNECT turns both connections into a tunnel (RFC 9110 §9.3.6); a
            // gateway that routes by path runs none, so it is never forwarded.
            return new Refuse(
                    400, "CONNECT is not supported: Baton is a reverse proxy and opens no tunnels", true, null);
        }
        String host = authority == null ? null : authority.host();
        String preflightFor = req.getHeader("access-control-request-method");
        if (method.equals("OPTIONS") && preflightFor != null && req.getHeader("origin") != null) {
            // Found by the method the browser means to use (the route may not allow OPTIONS);
            // failing that, by any method, so that a CORS route refuses a method it does not allow.
            List<String> tries = new ArrayList<>(List.of(preflightFor.toUpperCase(Locale.ROOT)));
            tries.addAll(List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"));
            for (String m : tries) {
                if (snapshot.router().match(host, m, path) instanceof RouteMatch.Found<RouteTarget> f
                        && f.target().cors().isPresent()) {
                    return new Preflight(f.target());
                }
            }
        }
        RouteMatch<RouteTarget> match = snapshot.router().match(host, method, path);
        RouteTarget route;
        if (match instanceof RouteMatch.Found<RouteTarget> found) {
            route = found.target();
        } else if (match instanceof RouteMatch.MethodNotAllowed<RouteTarget> na) {
            String allow = String.join(", ", na.allow());
            return new Refuse(405, "method " + method + " not allowed; allowed: " + allow, false, allow);
        } else {
            return new Refuse(404, "no route for " + method + " " + path, false, null);
        }
        if (snapshot.stopped()) {
            return new Refuse(
                    503,
                    "the orchestrator is stopped; POST /orchestrator/start on the admin API resumes proxying",
                    req.getHeader("content-length") != null || req.getHeader("transfer-encoding") != null,
                    null);
        }
        long maxBody = snapshot.config().limits().maxBodySize();
        String contentLength = req.getHeader("content-length");
        if (contentLength == null) {
            boolean streamed = req.getHeader("transfer-encoding") != null
                    || (req.version() == HttpVersion.HTTP_2 && !req.isEnded());
            return new Admit(route, streamed);
        }
        long declared = Framing.contentLength(contentLength);
        if (declared < 0) {
            return new Refuse(400, "invalid Content-Length", true, null);
        }
        if (declared > maxBody) {
            return new Refuse(
                    413,
                    "request body of " + declared + " bytes exceeds the limit of " + maxBody + " bytes",
                    true,
                    null,
                    SecurityViolations.BODY_TOO_LARGE);
        }
        return new Admit(route, declared > 0);
    }
}
