package dev.baton.control;

import dev.baton.security.IpPolicy;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A compiled route: the service to call, how to shape the forwarded request, and the
 * route's policies, each present only when the route has it. The data plane compiles
 * the policies into the route's pipeline of stages; this record only holds them.
 *
 * @param stripPrefix path prefix removed before forwarding
 * @param timeoutMillis time allowed without upstream progress before 504
 * @param limits the route's own rate limit, then its service's: each must pass
 * @param auth the route's token check
 * @param hmac the route's request-signature check
 * @param ip the route's own allow and deny lists
 * @param cors the route's cross-origin policy
 * @param validation the route's request checks
 * @param transform the route's rewrites
 */
public record RouteTarget(
        String id,
        ServiceTarget service,
        Optional<String> stripPrefix,
        long timeoutMillis,
        boolean preserveHost,
        List<RateLimitPolicy> limits,
        Set<String> retryMethods,
        Optional<RouteAuth> auth,
        Optional<RouteHmac> hmac,
        IpPolicy ip,
        Optional<CorsPolicy> cors,
        Optional<RequestValidation> validation,
        Optional<RouteTransform> transform) {

    public RouteTarget {
        limits = List.copyOf(limits);
        retryMethods = Set.copyOf(retryMethods);
    }

    /** The path to send upstream: prefix stripped on a segment boundary, base path prepended; {@code query} null without one. */
    public String upstreamUri(String path, @Nullable String query, Upstream upstream) {
        String p = path;
        if (stripPrefix.isPresent() && p.startsWith(stripPrefix.get())) {
            String prefix = stripPrefix.get();
            int n = prefix.length();
            if (p.length() == n) {
                p = "/";
            } else if (p.charAt(n) == '/' || prefix.endsWith("/")) {
                p = p.substring(prefix.endsWith("/") ? n - 1 : n);
            }
        }
        String q = query;
        if (transform.isPresent()) {
            p = transform.get().path(p);
            q = transform.get().query(query);
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
