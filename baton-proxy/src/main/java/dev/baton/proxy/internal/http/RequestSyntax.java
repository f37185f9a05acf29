package dev.baton.proxy.internal.http;

import dev.baton.http.FieldSyntax;
import dev.baton.security.SecurityViolations;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The checks of a request head that no route can relax, made before anything else
 * reads it: the Host rules of HTTP/1.1 (RFC 9112 §3.2: exactly one, well formed, and
 * an absolute-form target's authority wins over it) and, for HTTP/2, what makes a
 * request malformed (RFC 9113 §8.2 and §8.3): field names that are not lower-case
 * tokens, values with CR, LF, NUL or edge whitespace, connection-specific fields,
 * {@code te} other than {@code trailers}, and a bad {@code :path} or {@code :scheme}.
 *
 * <p>Netty already refuses some of these (upper-case names, connection-specific
 * fields); they are checked here too so that the rule does not hang on a library's
 * defaults. What an HTTP/2 value carries past these checks would otherwise be written
 * verbatim into an HTTP/1.1 request upstream, where a CR LF starts a header of its own.
 */
public final class RequestSyntax {
    /** A refused head: what to tell the client and which violation to count. */
    public record Problem(String message, String violation) {}

    /** The result of reading a head: the authority to route on and forward, or a problem. */
    public record Head(
            @Nullable HostAndPort authority, @Nullable Problem problem) {}

    private static final Head NO_AUTHORITY = new Head(null, null);

    private RequestSyntax() {}

    /** Checks the head; the authority in the result is null when the request names none. */
    public static Head check(HttpServerRequest req) {
        if (req.version() == HttpVersion.HTTP_2) {
            Problem p = http2(req);
            return p != null ? new Head(null, p) : new Head(req.authority(), null);
        }
        return http1(req);
    }

    private static Head http1(HttpServerRequest req) {
        MultiMap headers = req.headers();
        String host = headers.get("host");
        String uri = req.uri();
        boolean absolute = !uri.isEmpty() && uri.charAt(0) != '/' && uri.charAt(0) != '*';
        if (host == null) {
            if (req.version() == HttpVersion.HTTP_1_1 && !absolute) {
                return refuse("an HTTP/1.1 request needs a Host header", SecurityViolations.INVALID_HOST);
            }
        } else {
            List<String> all = headers.getAll("host");
            if (all.size() > 1) {
                return refuse(
                        "the request has " + all.size() + " Host headers; exactly one is allowed",
                        SecurityViolations.INVALID_HOST);
            }
            if (!validAuthority(host)) {
                return refuse(
                        "invalid Host header '" + FieldSyntax.printable(host) + "'", SecurityViolations.INVALID_HOST);
            }
        }
        if (absolute) {
            // RFC 9112 §3.2.2: the target's authority replaces Host, for routing and upstream alike.
            String authority = targetAuthority(uri);
            if (authority == null || authority.isEmpty() || !validAuthority(authority)) {
                return refuse("invalid authority in the absolute-form request target", SecurityViolations.INVALID_HOST);
            }
            HostAndPort parsed = HostAndPort.parseAuthority(authority, -1);
            if (parsed == null) {
                return refuse("invalid authority in the absolute-form request target", SecurityViolations.INVALID_HOST);
            }
            return new Head(parsed, null);
        }
        if (host == null || host.isEmpty()) {
            return NO_AUTHORITY;
        }
        HostAndPort parsed = req.authority();
        return parsed == null
                ? refuse("invalid Host header '" + FieldSyntax.printable(host) + "'", SecurityViolations.INVALID_HOST)
                : new Head(parsed, null);
    }

    private static @Nullable Problem http2(HttpServerRequest req) {
        if (!FieldSyntax.isToken(req.method().name())) {
            return new Problem("invalid :method", HEADER);
        }
        String scheme = req.scheme();
        if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
            return new Problem("invalid :scheme '" + FieldSyntax.printable(scheme) + "'", HEADER);
        }
        String path = req.uri();
        for (int i = 0, n = path.length(); i < n; i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                return new Problem("the :path holds a space, a control character or a non-ASCII byte", HEADER);
            }
        }
        Problem[] found = {null};
        req.headers().forEach((name, value) -> {
            if (found[0] == null) {
                found[0] = http2Field(name, value);
            }
        });
        return found[0];
    }

    private static @Nullable Problem http2Field(String name, String value) {
        if (name.startsWith(":")) {
            return null; // pseudo-headers are checked by their accessors above
        }
        if (!FieldSyntax.isToken(name) || hasUpperCase(name)) {
            return new Problem(
                    "invalid header name '" + FieldSyntax.printable(name) + "' (HTTP/2 needs lower-case tokens)",
                    HEADER);
        }
        if (!FieldSyntax.isTrimmedValue(value)) {
            return new Problem(
                    "the value of header " + name + " holds CR, LF, NUL, another control character or edge "
                            + "whitespace",
                    HEADER);
        }
        switch (name) {
            case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade" -> {
                return new Problem("connection-specific header " + name + " is not allowed in HTTP/2", HEADER);
            }
            case "te" -> {
                if (!value.equalsIgnoreCase("trailers")) {
                    return new Problem("te other than 'trailers' is not allowed in HTTP/2", HEADER);
                }
            }
            default -> {}
        }
        return null;
    }

    private static final String HEADER = SecurityViolations.INVALID_HEADER;

    private static boolean hasUpperCase(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return true;
            }
        }
        return false;
    }

    private static Head refuse(String message, String violation) {
        return new Head(null, new Problem(message, violation));
    }

    /** The authority of {@code scheme://authority/path...}, or null when it has none. */
    static @Nullable String targetAuthority(String uri) {
        int scheme = uri.indexOf("://");
        if (scheme <= 0) {
            return null;
        }
        int start = scheme + 3;
        int end = start;
        while (end < uri.length() && "/?#".indexOf(uri.charAt(end)) < 0) {
            end++;
        }
        return uri.substring(start, end);
    }

    /**
     * {@code uri-host [":" port]} (RFC 9110 §7.2): an IP literal in brackets, or a
     * name of unreserved, percent-encoded and sub-delimiter characters; no user info,
     * and a port, when there is a colon, of one to five digits up to 65535.
     */
    static boolean validAuthority(String a) {
        int n = a.length();
        int i = 0;
        if (n > 0 && a.charAt(0) == '[') {
            int close = a.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = a.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            for (; i < n && a.charAt(i) != ':'; i++) {
                char c = a.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z')
                        || (c >= 'A' && c <= 'Z')
                        || (c >= '0' && c <= '9')
                        || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
            }
        }
        if (i == n) {
            return true;
        }
        // An empty port means the default one (RFC 3986 §3.2.3), but parsers read it as
        // port 0 and would forward that: refused rather than guessed.
        if (a.charAt(i) != ':' || n - i - 1 > 5 || n - i - 1 == 0) {
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            if (a.charAt(j) < '0' || a.charAt(j) > '9') {
                return false;
            }
        }
        return Integer.parseInt(a.substring(i + 1)) <= 65535;
    }
}
