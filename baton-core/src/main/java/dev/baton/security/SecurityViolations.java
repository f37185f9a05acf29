package dev.baton.security;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests refused for security reasons, by the proxy and by the admin API's
 * browser checks, counted by type: the source of
 * {@code orchestrator_security_violations_total{violation_type}}. The types are a
 * fixed list, so the label stays bounded whatever clients send.
 */
public final class SecurityViolations {
    public static final String PATH_TRAVERSAL = "path_traversal";
    public static final String NULL_BYTE = "null_byte";
    public static final String URL_TOO_LONG = "url_too_long";
    public static final String TOO_MANY_HEADERS = "too_many_headers";
    public static final String HEADERS_TOO_LARGE = "headers_too_large";
    public static final String CONTENT_TYPE = "content_type";
    public static final String INVALID_JSON = "invalid_json";
    public static final String JSON_TOO_DEEP = "json_too_deep";
    public static final String SCHEMA = "schema";
    public static final String BODY_TOO_LARGE = "body_too_large";
    public static final String IP_DENIED = "ip_denied";
    public static final String INVALID_TOKEN = "invalid_token";
    public static final String FORBIDDEN_ROLE = "forbidden_role";
    public static final String BAD_SIGNATURE = "bad_signature";
    /** A field name or value that cannot be written (CR, LF, NUL...), or a malformed HTTP/2 head. */
    public static final String INVALID_HEADER = "invalid_header";
    /** A missing, repeated or malformed Host (RFC 9112 §3.2). */
    public static final String INVALID_HOST = "invalid_host";
    /** A client too slow with its head or body (limits.header-timeout, limits.body-timeout). */
    public static final String SLOW_CLIENT = "slow_client";
    /** An HTTP/2 client over limits.http2.max-control-frames (SETTINGS, PING, PRIORITY floods). */
    public static final String HTTP2_FLOOD = "http2_flood";
    /** An admin change from a foreign web origin, or sent cross-site (CSRF). */
    public static final String ADMIN_CSRF = "admin_csrf";
    /** An admin change whose body is not declared JSON, as a cross-site form's never is. */
    public static final String ADMIN_CONTENT_TYPE = "admin_content_type";
    /** An admin request for a {@code Host} that is not the admin's (DNS rebinding). */
    public static final String ADMIN_HOST = "admin_host";

    private final Map<String, LongAdder> counts;

    public SecurityViolations() {
        // Every public constant is a type: declaring one is all it takes to count it.
        Map<String, LongAdder> m = new java.util.TreeMap<>();
        for (java.lang.reflect.Field f : SecurityViolations.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                try {
                    m.put((String) f.get(null), new LongAdder());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        this.counts = java.util.Collections.unmodifiableMap(m);
    }

    public void count(String type) {
        LongAdder a = counts.get(type);
        if (a == null) {
            throw new IllegalArgumentException("unknown violation type " + type);
        }
        a.increment();
    }

    /** Every type with its count so far. */
    public Map<String, LongAdder> counts() {
        return counts;
    }
}
