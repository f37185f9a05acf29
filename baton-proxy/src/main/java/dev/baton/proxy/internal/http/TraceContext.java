package dev.baton.proxy.internal.http;

import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * A request's W3C trace context ({@code traceparent}, Trace Context level 1): the
 * client's when it sent a valid one, else a new trace. Baton passes a client's
 * header on unchanged unless it records spans of its own, and adds one when the
 * client sent none, so the upstream's logs always share the gateway's trace id.
 */
public final class TraceContext {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final String traceId;
    private final @Nullable String parentId; // the client's span, or null for a new trace
    private final String flags;

    private TraceContext(String traceId, @Nullable String parentId, String flags) {
        this.traceId = traceId;
        this.parentId = parentId;
        this.flags = flags;
    }

    /**
     * From a request's {@code traceparent} header; null or invalid starts a new trace,
     * sampled with probability {@code sampleRate} (a client's own decision is kept).
     */
    public static TraceContext of(@Nullable String header, double sampleRate) {
        if (header != null && valid(header)) {
            return new TraceContext(header.substring(3, 35), header.substring(36, 52), header.substring(53, 55));
        }
        boolean sampled =
                sampleRate >= 1 || sampleRate > 0 && ThreadLocalRandom.current().nextDouble() < sampleRate;
        return new TraceContext(randomHex(16), null, sampled ? "01" : "00");
    }

    /**
     * {@code version-traceid-parentid-flags}, lower-case hex, version 00 exactly as
     * the spec's level 1 writes it (a later version's longer header is refused, and
     * so restarted, rather than half understood); ids not all zeros.
     */
    public static boolean valid(String h) {
        if (h.length() != 55 || h.charAt(2) != '-' || h.charAt(35) != '-' || h.charAt(52) != '-') {
            return false;
        }
        if (!h.startsWith("00")) {
            return false;
        }
        return hex(h, 3, 35) && hex(h, 36, 52) && hex(h, 53, 55) && !zeros(h, 3, 35) && !zeros(h, 36, 52);
    }

    private static boolean hex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /** A new sampled trace's header, {@code 00-TRACE-SPAN-01}, built in one go. */
    public static String newHeader() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] h = new char[55];
        h[0] = '0';
        h[1] = '0';
        h[2] = '-';
        hex(r.nextLong(), h, 3);
        hex(r.nextLong() | 1, h, 19); // never all zeros
        h[35] = '-';
        hex(r.nextLong() | 1, h, 36);
        h[52] = '-';
        h[53] = '0';
        h[54] = '1';
        return new String(h);
    }

    private static void hex(long v, char[] out, int at) {
        for (int i = at + 15; i >= at; i--) {
            out[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }

    public static String randomHex(int bytes) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[bytes * 2];
        for (int i = 0; i < out.length; i += 16) {
            long v = r.nextLong();
            for (int j = i; j < Math.min(out.length, i + 16); j++) {
                out[j] = HEX[(int) (v & 0xf)];
                v >>>= 4;
            }
        }
        return new String(out);
    }

    String traceId() {
        return traceId;
    }

    /** The client's span id, or null when Baton started the trace. */
    public @Nullable String parentId() {
        return parentId;
    }

    public boolean sampled() {
        return (Character.digit(flags.charAt(1), 16) & 1) == 1;
    }

    /** The header for an upstream call made as span {@code spanId}. */
    public String header(String spanId) {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }
}
