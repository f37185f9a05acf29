package dev.baton.admin;

import dev.baton.security.SecurityViolations;
import dev.baton.security.TokenException;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Signing in to the dashboard when {@code admin-auth} is on: {@code /ui/login}
 * takes a token, checks it as the admin API would, and keeps it in the
 * {@link AdminAuth#SESSION_COOKIE} (HttpOnly, SameSite=Strict, Secure over TLS),
 * which {@link AdminAuth} then reads in place of an Authorization header;
 * {@code POST /ui/logout} forgets it.
 */
final class SignIn {
    private final AdminApi.Backend backend;
    private final Shell shell;

    SignIn(AdminApi.Backend backend, Shell shell) {
        this.backend = backend;
        this.shell = shell;
    }

    void mount(Router router) {
        router.get("/ui/login").handler(this::loginPage);
        router.post("/ui/login")
                .handler(BodyHandler.create(false).setBodyLimit(16 * 1024))
                .handler(this::login);
        router.post("/ui/logout").handler(this::logout);
    }

    private void loginPage(RoutingContext rc) {
        if (!backend.snapshot().config().security().adminAuth()) {
            rc.redirect("/"); // nothing to sign in to
            return;
        }
        shell.page(
                rc,
                "Sign in",
                "",
                "<form class=\"login\" id=\"login\" action=\"/ui/login\" method=\"post\">"
                        + "<p>The admin API needs a token. Paste one here; <code>./baton token -c baton.yaml"
                        + " --role admin</code> makes one. It is kept in a cookie this browser sends only to"
                        + " this admin listener, until it expires or you sign out.</p>"
                        + "<label for=\"token\">Token</label>"
                        + "<textarea id=\"token\" name=\"token\" rows=\"4\" required autocomplete=\"off\""
                        + " spellcheck=\"false\"></textarea>"
                        + "<button type=\"submit\">Sign in</button>"
                        + "<output class=\"result\" aria-live=\"polite\"></output></form>");
    }

    /**
     * Takes {@code {"token": "..."}} (as JSON, like every change here), checks it as
     * the admin API would, and keeps it in the session cookie for as long as it is
     * valid; 401 when it is not.
     */
    private void login(RoutingContext rc) {
        var snapshot = backend.snapshot();
        var verifier = snapshot.jwtVerifier().orElse(null);
        if (!snapshot.config().security().adminAuth() || verifier == null) {
            Replies.error(rc, 409, "admin_auth_off", "admin-auth is off: there is nothing to sign in to");
            return;
        }
        String token;
        try {
            JsonObject given = rc.body().asJsonObject();
            token = given == null ? "" : given.getString("token", "").trim();
        } catch (RuntimeException e) {
            Replies.error(rc, 400, "expected {\"token\": \"...\"}");
            return;
        }
        try {
            verifier.verify(token);
        } catch (TokenException e) {
            backend.violations().count(SecurityViolations.INVALID_TOKEN);
            Replies.error(rc, 401, "this token is not accepted: " + e.getMessage());
            return;
        }
        rc.response()
                .addCookie(Cookie.cookie(AdminAuth.SESSION_COOKIE, token)
                        .setPath("/")
                        .setHttpOnly(true)
                        .setSameSite(CookieSameSite.STRICT)
                        .setSecure(rc.request().isSSL()))
                .setStatusCode(204)
                .end();
    }

    private void logout(RoutingContext rc) {
        rc.response()
                .addCookie(expired(AdminAuth.SESSION_COOKIE))
                .setStatusCode(204)
                .end();
    }

    /** A cookie that tells the browser to forget {@code name}. */
    static Cookie expired(String name) {
        return Cookie.cookie(name, "")
                .setPath("/")
                .setHttpOnly(true)
                .setSameSite(CookieSameSite.STRICT)
                .setMaxAge(0);
    }
}
