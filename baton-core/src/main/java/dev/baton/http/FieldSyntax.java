package dev.baton.http;

import java.util.Map;
import java.util.Optional;

/**
 * The syntax of HTTP field names and values (RFC 9110 §5.1 and §5.5), checked before
 * a field is written to an upstream or a client, whatever its source: a name is a
 * token, and a value holds no control character but horizontal tab (so no CR, LF or
 * NUL that would end a line early on HTTP/1.1 and smuggle in a header of its own) and
 * nothing past Latin-1 (HTTP/1.1 writes one byte a character). HTTP/2 adds that a
 * value neither starts nor ends with whitespace (RFC 9113 §8.2.1).
 *
 * <p>These run for every field of every request, so they are plain loops over a
 * lookup table, without allocation.
 */
public final class FieldSyntax {
    private static final boolean[] TCHAR = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private FieldSyntax() {}

    /** Whether {@code s} is a token (RFC 9110 §5.6.2): the syntax of a field name and a method. */
    public static boolean isToken(CharSequence s) {
        int n = s.length();
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 128 || !TCHAR[c]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code s} may be a field value: visible characters, spaces, tabs and obs-text only. */
    public static boolean isValue(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    /** As {@link #isValue}, and without whitespace at either end, as HTTP/2 requires. */
    public static boolean isTrimmedValue(CharSequence s) {
        int n = s.length();
        if (n > 0 && (isSpace(s.charAt(0)) || isSpace(s.charAt(n - 1)))) {
            return false;
        }
        return isValue(s);
    }

    /**
     * Why a field cannot be written, or empty when it can: for config checks, whose
     * errors name the key.
     */
    public static Optional<String> problem(String name, String value) {
        if (!isToken(name)) {
            return Optional.of("'" + printable(name) + "' is not a valid header name (letters, digits and "
                    + "!#$%&'*+-.^_`|~ only)");
        }
        if (!isValue(value)) {
            return Optional.of("the value of header " + name + " holds a control character (CR, LF, NUL or "
                    + "another one below space) or a character past Latin-1");
        }
        return Optional.empty();
    }

    /**
     * The name of the first field in {@code fields} that is not valid, made printable,
     * or empty when all are: the last check before fields are written out.
     */
    public static Optional<String> firstInvalid(
            Iterable<? extends Map.Entry<? extends CharSequence, ? extends CharSequence>> fields) {
        for (Map.Entry<? extends CharSequence, ? extends CharSequence> f : fields) {
            if (!isToken(f.getKey()) || !isValue(f.getValue())) {
                return Optional.of(printable(f.getKey()));
            }
        }
        return Optional.empty();
    }

    /**
     * {@code s} with every character outside printable ASCII written as {@code \xHH}
     * and cut to 64 characters: safe to put in a message or a log line.
     */
    public static String printable(CharSequence s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64) + 8);
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
                b.append(String.format("\\u%04X", (int) c));
            } else if (c < 0x20 || c >= 0x7f || c == '\\') {
                b.append(String.format("\\x%02X", (int) c));
            } else {
                b.append(c);
            }
        }
        return s.length() > 64 && b.length() >= 64 ? b.append("...").toString() : b.toString();
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
