package dev.baton.telemetry;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A byte buffer that JSON objects, one per line, are appended to field by field,
 * without a generator, boxing or intermediate strings: the access log writes tens
 * of thousands of lines a second on the same cores as the proxy, straight into
 * the block it hands to its writer. Grows when a line does not fit. Not
 * thread-safe.
 */
final class JsonLine {
    private byte[] buf;
    private int len;
    private boolean first;

    JsonLine() {
        this(new byte[1024]);
    }

    JsonLine(byte[] into) {
        this.buf = into;
    }

    /** The buffer: the lines written are its first {@link #length()} bytes. */
    byte[] bytes() {
        return buf;
    }

    int length() {
        return len;
    }

    /** Starts over in {@code into} (the previous buffer is the caller's now). */
    void reset(byte[] into) {
        buf = into;
        len = 0;
    }

    JsonLine begin() {
        put((byte) '{');
        first = true;
        return this;
    }

    /** Closes the object and the line. */
    JsonLine end() {
        put((byte) '}');
        put((byte) '\n');
        return this;
    }

    /** A field name as written, {@code "name":}: make them once, as constants. */
    static byte[] key(String name) {
        return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }

    private void key(byte[] k) {
        ensure(k.length + 1);
        if (!first) {
            buf[len++] = ',';
        }
        first = false;
        System.arraycopy(k, 0, buf, len, k.length);
        len += k.length;
    }

    JsonLine field(byte[] k, @Nullable String v) {
        key(k);
        if (v == null) {
            ascii("null");
        } else {
            string(v);
        }
        return this;
    }

    /**
     * A string known to hold only printable ASCII without quote or backslash (ids
     * validated on the way in), copied without looking at it.
     */
    JsonLine safe(byte[] k, @Nullable String v) {
        key(k);
        if (v == null) {
            ascii("null");
        } else {
            int n = v.length();
            ensure(n + 2);
            buf[len++] = '"';
            copyLatin1(v, n);
            buf[len++] = '"';
        }
        return this;
    }

    JsonLine field(byte[] k, long v) {
        key(k);
        number(v);
        return this;
    }

    JsonLine field(byte[] k, boolean v) {
        key(k);
        ascii(v ? "true" : "false");
        return this;
    }

    /** {@code nanos} as milliseconds with three decimals (microsecond resolution). */
    JsonLine millis(byte[] k, long nanos) {
        key(k);
        long micros = (nanos + 500) / 1000;
        number(micros / 1000);
        put((byte) '.');
        long frac = micros % 1000;
        put((byte) ('0' + frac / 100));
        put((byte) ('0' + frac / 10 % 10));
        put((byte) ('0' + frac % 10));
        return this;
    }

    /** A value already in JSON (a quoted timestamp, say), copied as is. */
    JsonLine raw(byte[] k, byte[] json) {
        key(k);
        ensure(json.length);
        System.arraycopy(json, 0, buf, len, json.length);
        len += json.length;
        return this;
    }

    private void number(long v) {
        if (v < 0) {
            put((byte) '-');
            v = -v;
        }
        if (v < 10) {
            put((byte) ('0' + v));
            return;
        }
        ensure(20);
        int start = len;
        while (v > 0) {
            buf[len++] = (byte) ('0' + v % 10);
            v /= 10;
        }
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
    }

    private void string(String s) {
        put((byte) '"');
        int n = s.length();
        if (plain(s)) {
            // The common case (ids, addresses, most paths): one bulk copy of Latin-1 bytes.
            ensure(n);
            copyLatin1(s, n);
        } else {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            ensure(utf8.length * 6);
            for (byte b : utf8) {
                escape(b); // bytes of multi-byte characters are >= 0x80 and pass through
            }
        }
        put((byte) '"');
    }

    /** Printable ASCII without quote or backslash: nothing to escape or encode. */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("deprecation") // the one String method that copies Latin-1 bytes without allocating
    private void copyLatin1(String s, int n) {
        s.getBytes(0, n, buf, len);
        len += n;
    }

    private void escape(byte b) {
        if (b == '"' || b == '\\') {
            buf[len++] = '\\';
            buf[len++] = b;
        } else if (b >= 0 && b < 0x20) {
            buf[len++] = '\\';
            buf[len++] = 'u';
            buf[len++] = '0';
            buf[len++] = '0';
            buf[len++] = (byte) "0123456789abcdef".charAt(b >> 4);
            buf[len++] = (byte) "0123456789abcdef".charAt(b & 0xf);
        } else {
            buf[len++] = b;
        }
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
