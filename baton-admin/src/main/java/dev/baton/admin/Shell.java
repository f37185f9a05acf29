package dev.baton.admin;

import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * What every dashboard page shares: the document around its content (head,
 * scripts, styles, navigation, the sign-out button), the browser's CSRF token in
 * a meta tag and its cookie, and the answer for a fragment htmx fetches. The
 * navigation is {@link #PAGES}: each capability that brings a page (sagas,
 * queues, rollouts, flags, cluster) adds its line there.
 */
final class Shell {
    /** The navigation: path and label, in order. */
    static final List<Map.Entry<String, String>> PAGES = List.of(
            Map.entry("/", "Overview"),
            Map.entry("/ui/routes", "Routes"),
            Map.entry("/ui/sagas", "Sagas"),
            Map.entry("/ui/queues", "Queues"),
            Map.entry("/ui/events", "Events"),
            Map.entry("/ui/alerts", "Alerts"),
            Map.entry("/ui/dead-letters", "Dead letters"),
            Map.entry("/ui/audit", "Audit"),
            Map.entry("/ui/config", "Config"),
            Map.entry("/docs", "API"));

    private final SecureRandom random = new SecureRandom();
    private final String version;

    Shell(String version) {
        this.version = version;
    }

    /** The CSRF token of this browser: its cookie's, or a new one set now (see {@link BrowserGuard}). */
    String csrf(RoutingContext rc) {
        Cookie given = rc.request().getCookie(BrowserGuard.CSRF_COOKIE);
        if (given != null && given.getValue().matches("[A-Za-z0-9_-]{32,64}")) {
            return given.getValue();
        }
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        rc.response()
                .addCookie(Cookie.cookie(BrowserGuard.CSRF_COOKIE, token)
                        .setPath("/")
                        .setHttpOnly(true)
                        .setSameSite(CookieSameSite.STRICT)
                        .setSecure(rc.request().isSSL()));
        return token;
    }

    /**
     * Answers {@code rc} with a whole page: {@code main} under the heading
     * {@code title}, with {@code current} marked in the navigation.
     */
    void page(RoutingContext rc, String title, String current, String main) {
        StringBuilder nav = new StringBuilder();
        for (Map.Entry<String, String> p : PAGES) {
            nav.append("<a href=\"")
                    .append(p.getKey())
                    .append('"')
                    .append(p.getKey().equals(current) ? " aria-current=\"page\"" : "")
                    .append('>')
                    .append(p.getValue())
                    .append("</a>");
        }
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                // No inline styles or eval from htmx: the page's policy allows neither.
                + "<meta name=\"htmx-config\" content=\"{&quot;includeIndicatorStyles&quot;:false,"
                + "&quot;allowEval&quot;:false,&quot;allowScriptTags&quot;:false}\">"
                + "<meta name=\"baton-csrf\" content=\"" + csrf(rc) + "\">"
                + "<title>Baton · " + Html.text(title) + "</title>"
                + "<link rel=\"icon\" href=\"/ui/assets/favicon.svg\" type=\"image/svg+xml\">"
                + "<link rel=\"stylesheet\" href=\"/ui/assets/uPlot.min.css\">"
                + "<link rel=\"stylesheet\" href=\"/ui/assets/dashboard.css\">"
                + "<script src=\"/ui/assets/htmx.min.js\" defer></script>"
                + "<script src=\"/ui/assets/sse.js\" defer></script>"
                + "<script src=\"/ui/assets/uPlot.iife.min.js\" defer></script>"
                + "<script src=\"/ui/assets/dashboard.js\" defer></script>"
                + "</head><body><header><a class=\"brand\" href=\"/\">Baton</a><nav aria-label=\"Pages\">"
                + nav
                + "</nav><span class=\"version\">" + Html.text(version) + "</span>"
                + (rc.request().getCookie(AdminAuth.SESSION_COOKIE) != null
                        ? "<button type=\"button\" class=\"signout\" hx-post=\"/ui/logout\" hx-swap=\"none\">Sign out</button>"
                        : "")
                + "</header><main><h1>"
                + Html.text(title) + "</h1>" + main + "</main></body></html>";
        rc.response()
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .end(html);
    }

    /** Answers a part of a page that htmx fetches for itself. */
    static void fragment(RoutingContext rc, int status, String html) {
        rc.response()
                .setStatusCode(status)
                .putHeader("content-type", "text/html; charset=utf-8")
                .putHeader("cache-control", "no-store")
                .end(html);
    }
}
