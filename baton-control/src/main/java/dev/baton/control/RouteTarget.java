package dev.baton.control;

import dev.baton.security.IpPolicy;
import java.util.List;
import java.util.Set;

/**
 * A compiled route: the service to call and how to shape the forwarded request.
 *
 * @param stripPrefix path prefix removed before forwarding, or null
 * @param timeoutMillis time allowed without upstream progress before 504
 * @param limits the route's own rate limit, then its service's: each must pass
 * @param auth the route's token check, or null when it has none
 * @param hmac the route's request-signature check, or null when it has none
 * @param ip the route's own allow and deny lists
 * @param cors the route's cross-origin policy, or null
 * @param validation the route's request checks, or null
 * @param transform the route's rewrites, or null
 */
public record RouteTarget(
        String id,
        ServiceTarget service,
        String stripPrefix,
        long timeoutMillis,
        boolean preserveHost,
        List<RateLimitPolicy> limits,
        Set<String> retryMethods,
        RouteAuth auth,
        RouteHmac hmac,
        IpPolicy ip,
        CorsPolicy cors,
        RequestValidation validation,
        RouteTransform transform) {

    public RouteTarget {
        limits = List.copyOf(limits);
        retryMethods = Set.copyOf(retryMethods);
    }

    /** Whether {@code RouteChecks} has anything to do for this route (IP lists, validation, auth, a body rule). */
    public boolean checked() {
        return !ip.open()
                || validation != null
                || auth != null
                || hmac != null
                || (transform != null && transform.hasRequestBody());
    }

    /** The path to send upstream: prefix stripped on a segment boundary, base path prepended. */
    public String upstreamUri(String path, String query, Upstream upstream) {
        String p = path;
        if (stripPrefix != null && p.startsWith(stripPrefix)) {
            int n = stripPrefix.length();
            if (p.length() == n) {
                p = "/";
            } else if (p.charAt(n) == '/' || stripPrefix.endsWith("/")) {
                p = p.substring(stripPrefix.endsWith("/") ? n - 1 : n);
            }
        }
        String q = query;
        if (transform != null) {
            p = transform.path(p);
            q = transform.query(query);
        }
        String base = upstream.basePath();
        StringBuilder uri = new StringBuilder(base.length() + p.length() + (q == null ? 0 : q.length() + 1));
        uri.append(base).append(p);
        if (q != null) {
            uri.append('?').append(q);
        }
        return uri.toString();
    }
}
