package dev.baton.proxy.internal.http;

import dev.baton.http.FieldSyntax;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

/**
 * The last check before a head is written out, to an upstream or to a client: every
 * field name a token and every value free of control characters
 * ({@link FieldSyntax}), and a request target without spaces or control characters.
 * It sees the fields as they are about to go, whatever set them (the client, a
 * transform, a JWT claim, CORS or rate-limit headers, the upstream), so no single
 * source can be forgotten.
 */
public final class HeaderGate {
    private HeaderGate() {}

    /** The first invalid field's name, made printable, or null when all can be written. */
    public static String firstInvalid(MultiMap headers) {
        String[] found = {null};
        // forEach, not an iterator: Vert.x wraps every entry an iterator returns.
        headers.forEach((name, value) -> {
            if (found[0] == null && (!FieldSyntax.isToken(name) || !FieldSyntax.isValue(value))) {
                found[0] = FieldSyntax.printable(name);
            }
        });
        return found[0];
    }

    /** Whether {@code uri} can be an HTTP/1.1 request target: visible ASCII only. */
    public static boolean isTarget(String uri) {
        if (uri.isEmpty()) {
            return false;
        }
        for (int i = 0, n = uri.length(); i < n; i++) {
            char c = uri.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Methods whose requests are expected to carry content, so that an empty one sends Content-Length: 0. */
    public static boolean expectsContent(HttpMethod m) {
        return m == HttpMethod.POST || m == HttpMethod.PUT || m == HttpMethod.PATCH;
    }
}
