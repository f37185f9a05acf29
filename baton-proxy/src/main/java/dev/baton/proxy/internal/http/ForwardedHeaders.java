package dev.baton.proxy.internal.http;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import org.jspecify.annotations.Nullable;

/**
 * The headers a request and its response carry through the proxy: the
 * sender's, less hop-by-hop ones, plus Host, X-Forwarded-For/Proto/Host and the
 * request id upstream, and the request id back to the client (in X-Request-ID, or
 * the header {@code server.request-id} names). Headers the proxy sets are skipped
 * while copying, so each is added once, without a remove.
 */
public final class ForwardedHeaders {
    /** Request headers the proxy sets itself (Expect is answered by the proxy). */
    private static final String[] SET_UPSTREAM = {
        "host", "expect", "content-length", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-request-id"
    };
    /** Response headers the proxy sets itself. */
    private static final String[] SET_DOWNSTREAM = {"x-request-id"};

    private static final String DEFAULT_ID_HEADER = "x-request-id";

    private ForwardedHeaders() {}

    /**
     * Fills {@code to} with the upstream request's headers; {@code authority} is the
     * request's (the absolute-form target's, else Host's), {@code upgrade} keeps a
     * protocol switch's.
     */
    public static void request(
            HttpServerRequest req,
            @Nullable HostAndPort authority,
            MultiMap to,
            boolean upgrade,
            boolean preserveHost,
            String upstreamAuthority,
            String idHeader,
            String requestId) {
        HopByHop.copy(req.headers(), to, upgrade, skipping(SET_UPSTREAM, idHeader));
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
        to.add(idHeader, requestId);
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
    public static void response(MultiMap from, MultiMap to, String idHeader, String requestId, boolean http2) {
        String[] skip = skipping(SET_DOWNSTREAM, idHeader);
        if (http2) {
            MultiMap lower = MultiMap.caseInsensitiveMultiMap();
            HopByHop.copy(from, lower, false, skip);
            lower.forEach((name, value) -> to.add(lowerCase(name), value));
        } else {
            HopByHop.copy(from, to, false, skip);
        }
        to.add(idHeader, requestId);
    }

    /**
     * The headers to skip with the id in {@code idHeader}: the arrays as they are for
     * the default header (every request, no allocation), else with it in place of
     * X-Request-ID, which then passes through as any other header.
     */
    private static String[] skipping(String[] set, String idHeader) {
        if (idHeader.equals(DEFAULT_ID_HEADER)) {
            return set;
        }
        String[] out = set.clone();
        out[out.length - 1] = idHeader; // X-Request-ID is last in both arrays
        return out;
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
