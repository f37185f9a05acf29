package dev.baton.proxy.internal.http;

import dev.baton.security.SecurityViolations;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Request targets no upstream should ever see: a NUL byte (raw or {@code %00}), or
 * a {@code ..} segment, plain or percent-encoded once or twice ({@code %2e%2e},
 * {@code %252e%252e}), with {@code /} or {@code \} (or their encodings) as the
 * separator. Upstreams that decode or normalise paths differently from Baton are
 * how routes get bypassed; refusing the ambiguous forms closes that door.
 */
public final class PathSafety {
    private PathSafety() {}

    /** The violation type, or null when the target is safe. */
    public static @Nullable String problem(@Nullable String uri) {
        if (uri == null || (uri.indexOf("..") < 0 && uri.indexOf('%') < 0 && uri.indexOf('\0') < 0)) {
            return null; // the common case, with no allocation
        }
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String decoded = path;
        for (int round = 0; round < 3; round++) {
            if (decoded.indexOf('\0') >= 0) {
                return SecurityViolations.NULL_BYTE;
            }
            if (hasDotDotSegment(decoded)) {
                return SecurityViolations.PATH_TRAVERSAL;
            }
            String next = decode(decoded);
            if (next.equals(decoded)) {
                break;
            }
            decoded = next;
        }
        if (q >= 0 && (uri.indexOf('\0', q) >= 0 || uri.toLowerCase(Locale.ROOT).indexOf("%00", q) >= 0)) {
            return SecurityViolations.NULL_BYTE;
        }
        return null;
    }

    private static boolean hasDotDotSegment(String path) {
        String p = path.replace('\\', '/');
        for (String segment : p.split("/", -1)) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /** One round of percent-decoding, leaving malformed escapes as they are. */
    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out.append((char) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2))));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }
}
