package dev.baton.admin;

import io.vertx.core.MultiMap;

/**
 * The headers every admin response carries so that a browser never sniffs,
 * frames or leaks it: JSON gets a policy that allows nothing, and the docs page
 * one that allows only its own scripts and styles (Swagger UI's page has one
 * inline script that starts it).
 */
final class SecurityHeaders {
    static final String JSON_POLICY = "default-src 'none'; frame-ancestors 'none'";
    static final String DOCS_POLICY = "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            + "style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

    private SecurityHeaders() {}

    static void apply(String path, MultiMap headers) {
        headers.set("x-content-type-options", "nosniff");
        headers.set("x-frame-options", "DENY");
        headers.set("referrer-policy", "no-referrer");
        headers.set(
                "content-security-policy",
                path.equals("/docs") || path.startsWith("/docs/") ? DOCS_POLICY : JSON_POLICY);
    }
}
