package dev.baton.admin;

import static dev.baton.admin.Replies.error;

import dev.baton.config.SecurityConfig;
import dev.baton.control.JwksFetcher;
import dev.baton.control.Snapshot;
import dev.baton.security.Caller;
import dev.baton.security.JwtVerifier;
import dev.baton.security.SecurityViolations;
import dev.baton.security.TokenException;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The admin API's access control: {@code security.ip-allow}/{@code ip-deny} first
 * (403), then with {@code security.admin-auth}: every request but
 * {@code GET /health} needs a Bearer JWT, and its roles must grant the permission
 * the endpoint needs ({@code config:read}, {@code config:write},
 * {@code registry:read}, {@code registry:write}, {@code operations:write},
 * {@code audit:read}; roles map to them by {@code security.roles}). Missing or
 * invalid token: 401; a role without the permission: 403. Each refusal is counted
 * in {@code orchestrator_security_violations_total} as the proxy counts its own
 * ({@code ip_denied}, {@code invalid_token}, {@code forbidden_role}), so that a
 * scan of the admin port shows there too.
 *
 * <p>A browser signs in on the dashboard's login page instead: the token it gives
 * is kept in the {@link #SESSION_COOKIE} (HttpOnly, SameSite=Strict) and read here
 * when a request has no Authorization header; a change made with it must also carry
 * the dashboard's CSRF token (see {@link BrowserGuard}). A browser without one that
 * asks for a dashboard page is sent to the login page rather than answered 401.
 */
final class AdminAuth {
    static final String CALLER = "caller";
    static final String SESSION_COOKIE = "baton_session";

    private final Supplier<Snapshot> snapshots;
    private final Supplier<SecurityViolations> violations;

    AdminAuth(Supplier<Snapshot> snapshots, Supplier<SecurityViolations> violations) {
        this.snapshots = snapshots;
        this.violations = violations;
    }

    void handle(RoutingContext rc) {
        Snapshot snapshot = snapshots.get();
        SecurityConfig security = snapshot.config().security();
        HttpMethod method = rc.request().method();
        String path = Replies.path(rc);
        if (!snapshot.ipPolicy().open()) {
            String peer = rc.request().remoteAddress() == null
                    ? ""
                    : rc.request().remoteAddress().hostAddress();
            String client = snapshot.clientAddress(peer, rc.request().getHeader("x-forwarded-for"));
            if (!snapshot.ipPolicy().permits(client)) {
                violations.get().count(SecurityViolations.IP_DENIED);
                error(rc, 403, "client address " + client + " is not allowed");
                return;
            }
        }
        if (!security.adminAuth() || open(method, path)) {
            rc.next();
            return;
        }
        String header = rc.request().getHeader("authorization");
        Cookie session = header == null ? rc.request().getCookie(SESSION_COOKIE) : null;
        JwtVerifier verifier = snapshot.jwtVerifier().orElse(null);
        boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
        if ((!bearer && session == null) || verifier == null) {
            if (!bearer && signInFirst(rc)) {
                rc.redirect("/ui/login"); // a person at a browser: sign in, not a JSON 401
                return;
            }
            unauthorized(rc, "a Bearer token is required (baton token -c FILE --role ROLE makes one)");
            return;
        }
        if (!bearer && !(method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS)) {
            Cookie csrf = rc.request().getCookie(BrowserGuard.CSRF_COOKIE);
            if (csrf == null || !csrf.getValue().equals(rc.request().getHeader(BrowserGuard.CSRF_HEADER))) {
                violations.get().count(SecurityViolations.ADMIN_CSRF);
                error(rc, 403, "a change signed in by cookie needs the dashboard's CSRF token: reload the page");
                return;
            }
        }
        String token = header != null && bearer
                ? header.substring(7).trim()
                : Objects.requireNonNull(session).getValue(); // one of them, checked above
        Caller caller;
        try {
            caller = verifier.verify(token);
        } catch (TokenException e) {
            var jwks = verifier.jwks().orElse(null);
            if (jwks != null && JwtVerifier.UNKNOWN_KEY.equals(e.getMessage()) && jwks.refreshDue(true)) {
                // A key the JWKS did not have: fetch it (never blocking the loop), then try once more.
                JwksFetcher.fetch(rc.vertx(), jwks).onComplete(ar -> handle(rc));
                return;
            }
            if (!bearer) {
                rc.response().addCookie(SignIn.expired(SESSION_COOKIE)); // expired or no longer trusted
                if (signInFirst(rc)) {
                    violations.get().count(SecurityViolations.INVALID_TOKEN);
                    rc.redirect("/ui/login");
                    return;
                }
            }
            unauthorized(rc, e.getMessage());
            return;
        }
        rc.put(CALLER, caller); // the audit log names who was refused, too
        String needed = permission(method, path);
        if (!grants(rc, snapshot, needed)) {
            violations.get().count(SecurityViolations.FORBIDDEN_ROLE);
            error(
                    rc,
                    403,
                    "roles " + caller.roles() + " lack the permission " + needed + " for " + method + " " + path);
            return;
        }
        rc.next();
    }

    /**
     * Whether the request's caller holds {@code permission}: always without
     * admin-auth; else by its token's roles (see {@link #handle}, which put the caller
     * in the context). The dashboard shows a control only to whom it would be allowed.
     */
    static boolean grants(RoutingContext rc, Snapshot snapshot, String permission) {
        SecurityConfig security = snapshot.config().security();
        if (!security.adminAuth()) {
            return true;
        }
        Caller caller = rc.get(CALLER);
        return caller != null
                && caller.roles().stream()
                        .map(role -> security.roles().getOrDefault(role, Set.of()))
                        .anyMatch(perms -> perms.contains(permission));
    }

    /**
     * A page a person opened: sent to sign in rather than answered 401. Not the live
     * feed nor a part a page fetches for itself (htmx says so in {@code HX-Request}):
     * the page's script sees their 401 and goes to sign in as a whole page.
     */
    private static boolean signInFirst(RoutingContext rc) {
        String path = Replies.path(rc);
        return rc.request().method() == HttpMethod.GET
                && Dashboard.isPage(path)
                && !path.equals("/ui/stream")
                && rc.request().getHeader("hx-request") == null;
    }

    /** What needs no token: the liveness probe, and what a browser needs to sign in. */
    private static boolean open(HttpMethod method, String path) {
        boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
        return (read && (path.equals("/health") || path.equals("/ui/login") || path.startsWith("/ui/assets/")))
                || (method == HttpMethod.POST && (path.equals("/ui/login") || path.equals("/ui/logout")));
    }

    /** The permission an endpoint needs; an endpoint not listed needs the strongest. */
    static String permission(HttpMethod method, String path) {
        boolean saga = path.equals("/sagas") || path.startsWith("/sagas/");
        boolean queue = path.equals("/queues")
                || path.startsWith("/queues/")
                || path.equals("/topics")
                || path.startsWith("/topics/");
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
            if (saga || path.equals("/ui/sagas") || path.startsWith("/ui/sagas/")) {
                return "sagas:read";
            }
            if (queue || path.equals("/ui/queues") || path.startsWith("/ui/queues/")) {
                return "queues:read";
            }
            // The dashboard's page of a thing needs what the thing's endpoint needs.
            if (path.equals("/audit") || path.equals("/ui/audit") || path.startsWith("/ui/audit/")) {
                return "audit:read";
            }
            return path.equals("/config")
                            || path.startsWith("/config/")
                            || path.equals("/ui/config")
                            || path.startsWith("/ui/config/")
                    ? "config:read"
                    : "registry:read";
        }
        if (saga) {
            return "sagas:write";
        }
        if (queue) {
            // Declaring a queue, topic or subscription is config, like a route: a push
            // subscription sends requests to a service. The rest (messages, receiving,
            // which leases, and dead letters) is the queues' own traffic.
            boolean declaration = path.matches("/queues/[^/]+")
                    || path.matches("/topics/[^/]+")
                    || path.matches("/topics/[^/]+/subscriptions/[^/]+");
            return declaration ? "config:write" : "queues:write";
        }
        if (path.equals("/config/reload") || path.equals("/routes") || path.startsWith("/routes/")) {
            return "config:write"; // routes are config, whether from the file or the API
        }
        if (path.startsWith("/orchestrator/") || path.matches("/services/[^/]+/circuit-breaker/[^/]+")) {
            return "operations:write";
        }
        if (path.startsWith("/services/")) {
            return "registry:write";
        }
        return "config:write";
    }

    private void unauthorized(RoutingContext rc, String message) {
        violations.get().count(SecurityViolations.INVALID_TOKEN);
        rc.response().putHeader("www-authenticate", "Bearer realm=\"baton-admin\"");
        error(rc, 401, message);
    }
}
