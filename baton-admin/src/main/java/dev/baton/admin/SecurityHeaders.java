package dev.baton.admin;

import io.vertx.core.MultiMap;

/**
 * The headers every admin response carries so that a browser never sniffs,
 * frames or leaks it: JSON gets a policy that allows nothing, the docs page
 * one that allows only its own scripts and styles (Swagger UI's page has one
 * inline script that starts it), and the dashboard one that allows its own files
 * and nothing inline, loaded from this origin only.
 */
final class SecurityHeaders {
    static final String JSON_POLICY = "default-src 'none'; frame-ancestors 'none'";
    static final String DOCS_POLICY = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    static final String DASHBOARD_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private SecurityHeaders() {}

    static void apply(String path, MultiMap headers) {
        headers.set("x-content-type-options", "nosniff");
        headers.set("x-frame-options", "DENY");
        headers.set("referrer-policy", "no-referrer");
        headers.set("content-security-policy", policy(path));
    }

    private static String policy(String path) {
        if (path.equals("/docs") || path.startsWith("/docs/")) {
            return DOCS_POLICY;
        }
        return Dashboard.isPage(path) ? DASHBOARD_POLICY : JSON_POLICY;
    }
}
