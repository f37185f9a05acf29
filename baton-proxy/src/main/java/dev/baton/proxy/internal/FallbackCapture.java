package dev.baton.proxy.internal;

import dev.baton.control.ResponseCache;
import dev.baton.control.RouteTarget;
import dev.baton.proxy.internal.http.Framing;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Keeps a copy of a good GET response, as it streams to the client, for the
 * breaker's {@code fallback.cache}. Only what a shared cache may reuse is kept
 * (RFC 9111 §3, §5.2): never a response to a request with credentials, nor one that
 * sets a cookie, says {@code no-store} or {@code private}, or varies on everything.
 */
final class FallbackCapture {
    private final ResponseCache cache;
    private final String key;
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    private FallbackCapture(ResponseCache cache, String key, int status, List<Map.Entry<String, String>> headers) {
        this.cache = cache;
        this.key = key;
        this.status = status;
        this.headers = headers;
    }

    /** The cache key of a request: the route and the full URI, nothing of the caller. */
    static String key(RouteTarget route, HttpServerRequest req) {
        return route.id() + ' ' + req.uri();
    }

    /** A capture of this response, or null when it must not or need not be kept. */
    static @Nullable FallbackCapture start(
            RouteTarget route, HttpServerRequest req, int status, MultiMap responseHeaders, String idHeader) {
        ResponseCache cache = route.service().fallbackCache().orElse(null);
        if (cache == null || req.method() != HttpMethod.GET || status != 200) {
            return null;
        }
        String cacheControl = lower(responseHeaders.get("cache-control"));
        boolean publicResponse = cacheControl.contains("public") || cacheControl.contains("s-maxage");
        if (cacheControl.contains("no-store")
                || cacheControl.contains("private")
                || responseHeaders.contains("set-cookie")
                || "*".equals(responseHeaders.get("vary"))
                || (req.headers().contains("authorization") && !publicResponse)) {
            return null;
        }
        String length = responseHeaders.get("content-length");
        if (length != null && Framing.contentLength(length) > ResponseCache.MAX_BODY) {
            return null;
        }
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> h : responseHeaders) {
            String name = lower(h.getKey());
            if (!name.equals(idHeader) && !name.equals("content-length") && !name.equals("transfer-encoding")) {
                kept.add(Map.entry(h.getKey(), h.getValue()));
            }
        }
        return new FallbackCapture(cache, key(route, req), status, kept);
    }

    /** Adds body bytes; false once the body is too large to keep (drop the capture). */
    boolean append(byte[] bytes) {
        if (body.size() + bytes.length > ResponseCache.MAX_BODY) {
            return false;
        }
        body.writeBytes(bytes);
        return true;
    }

    /** The response completed at {@code nowMillis}: keep it. */
    void store(long nowMillis) {
        cache.put(key, new ResponseCache.Entry(status, headers, body.toByteArray(), nowMillis));
    }

    private static String lower(@Nullable String s) {
        return s == null ? "" : s.toLowerCase(Locale.ROOT);
    }
}
