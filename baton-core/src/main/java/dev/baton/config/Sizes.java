package dev.baton.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The config's size syntax: {@code 512KB}, {@code 10MB}, {@code 1GB}, or bytes; units are powers of 1024, as in nginx. */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KB|KIB|K|MB|MIB|M|GB|GIB|G)?");

    private Sizes() {}

    /** {@code 512KB}, {@code 10MB}, {@code 1GB}, or bytes; units are powers of 1024 as in nginx. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toUpperCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (expected e.g. 512KB, 10MB, 1GB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit.charAt(0)) {
            case 'K' -> 10;
            case 'M' -> 20;
            case 'G' -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return n << shift;
    }

    /** {@code bytes} as the config writes it: the largest unit it is a whole number of ({@code 10MB}, {@code 1536KB}, {@code 100B}). */
    public static String format(long bytes) {
        if (bytes != 0) {
            for (String unit : new String[] {"GB", "MB", "KB"}) {
                int shift = unit.equals("GB") ? 30 : unit.equals("MB") ? 20 : 10;
                if (bytes % (1L << shift) == 0) {
                    return (bytes >> shift) + unit;
                }
            }
        }
        return bytes + "B";
    }
}
