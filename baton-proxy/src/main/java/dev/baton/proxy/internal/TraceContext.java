package dev.baton.proxy.internal;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A request's W3C trace context ({@code traceparent}, Trace Context level 1): the
 * client's when it sent a valid one, else a new trace. Baton passes a client's
 * header on unchanged unless it records spans of its own, and adds one when the
 * client sent none, so the upstream's logs always share the gateway's trace id.
 */
final class TraceContext {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private final String traceId;
    private final String parentId; // the client's span, or null for a new trace
    private final String flags;
    private final boolean given;

    private TraceContext(String traceId, String parentId, String flags, boolean given) {
        this.traceId = traceId;
        this.parentId = parentId;
        this.flags = flags;
        this.given = given;
    }

    /**
     * From a request's {@code traceparent} header; null or invalid starts a new trace,
     * sampled with probability {@code sampleRate} (a client's own decision is kept).
     */
    static TraceContext of(String header, double sampleRate) {
        if (header != null && valid(header)) {
            return new TraceContext(header.substring(3, 35), header.substring(36, 52), header.substring(53, 55), true);
        }
        boolean sampled =
                sampleRate >= 1 || sampleRate > 0 && ThreadLocalRandom.current().nextDouble() < sampleRate;
        return new TraceContext(randomHex(16), null, sampled ? "01" : "00", false);
    }

    /**
     * {@code version-traceid-parentid-flags}, lower-case hex, version 00 exactly as
     * the spec's level 1 writes it (a later version's longer header is refused, and
     * so restarted, rather than half understood); ids not all zeros.
     */
    static boolean valid(String h) {
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

    static String randomHex(int bytes) {
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
    String parentId() {
        return parentId;
    }

    boolean sampled() {
        return (Character.digit(flags.charAt(1), 16) & 1) == 1;
    }

    /** Whether the client sent this context (then its header goes upstream as it was). */
    boolean given() {
        return given;
    }

    /** The header for an upstream call made as span {@code spanId}. */
    String header(String spanId) {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }
}
