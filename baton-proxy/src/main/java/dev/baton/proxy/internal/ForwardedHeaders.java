package dev.baton.proxy.internal;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * The headers a request and its response carry through the proxy: the
 * sender's, less hop-by-hop ones, plus Host, X-Forwarded-For/Proto/Host and
 * X-Request-ID upstream, and X-Request-ID back to the client. Headers the proxy sets
 * are skipped while copying, so each is added once, without a remove.
 */
final class ForwardedHeaders {
    /** Request headers the proxy sets itself (Expect is answered by the proxy). */
    private static final String[] SET_UPSTREAM = {
        "host", "expect", "content-length", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id"
    };
    /** Response headers the proxy sets itself. */
    private static final String[] SET_DOWNSTREAM = {"x-request-id"};

    private ForwardedHeaders() {}

    /**
     * Fills {@code to} with the upstream request's headers; {@code authority} is the
     * request's (the absolute-form target's, else Host's), {@code upgrade} keeps a
     * protocol switch's.
     */
    static void request(
            HttpServerRequest req,
            @Nullable HostAndPort authority,
            MultiMap to,
            boolean upgrade,
            boolean preserveHost,
            String upstreamAuthority,
            String requestId) {
        HopByHop.copy(req.headers(), to, upgrade, SET_UPSTREAM);
        String originalHost = authority == null ? null : authority.toString();
        to.add("host", preserveHost && originalHost != null ? originalHost : upstreamAuthority);
        String clientIp =
                req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
        String xff = req.getHeader("x-forwarded-for");
        if (clientIp != null) {
            to.add("x-forwarded-for", xff == null ? clientIp : xff + ", " + clientIp);
        } else if (xff != null) {
            to.add("x-forwarded-for", xff);
        }
        to.add("x-forwarded-proto", req.isSSL() ? "https" : "http");
        String xfh = originalHost != null ? originalHost : req.getHeader("x-forwarded-host");
        if (xfh != null) {
            to.add("x-forwarded-host", xfh);
        }
        to.add("x-request-id", requestId);
        String contentLength = req.getHeader("content-length");
        if (contentLength != null) {
            to.add("content-length", contentLength);
        }
    }

    /**
     * Fills {@code to} with the client's response headers from the upstream's;
     * {@code http2}: the client speaks HTTP/2, where a field name with an upper-case
     * letter makes the response malformed (RFC 9113 §8.2.1), so names are lower-cased.
     */
    static void response(MultiMap from, MultiMap to, String requestId, boolean http2) {
        if (http2) {
            MultiMap lower = MultiMap.caseInsensitiveMultiMap();
            HopByHop.copy(from, lower, false, SET_DOWNSTREAM);
            lower.forEach((name, value) -> to.add(lowerCase(name), value));
        } else {
            HopByHop.copy(from, to, false, SET_DOWNSTREAM);
        }
        to.add("x-request-id", requestId);
    }

    private static String lowerCase(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return name.toLowerCase(java.util.Locale.ROOT);
            }
        }
        return name;
    }
}
