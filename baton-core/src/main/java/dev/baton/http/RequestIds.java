package dev.baton.http;

import java.util.concurrent.ThreadLocalRandom;

/** Validation and generation of {@code X-Request-ID} values: a client's is kept when it is safe to log and forward, else one is made. */
public final class RequestIds {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RequestIds() {}

    /** Allowed: {@code [A-Za-z0-9._-]{1,100}}. */
    public static boolean isValid(String id) {
        int n = id.length();
        if (n == 0 || n > 100) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** 128 random bits as 32 hex characters; no SecureRandom on the request path. */
    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[32];
        write(r.nextLong(), out, 0);
        write(r.nextLong(), out, 16);
        return new String(out);
    }

    private static void write(long v, char[] out, int at) {
        for (int i = 15; i >= 0; i--) {
            out[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
    }
}
