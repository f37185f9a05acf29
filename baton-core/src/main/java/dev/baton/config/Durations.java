package dev.baton.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config's duration syntax, both ways: {@code 250ms}, {@code 2s}, {@code 5m},
 * {@code 1h}, {@code 1d} and combinations like {@code 1m30s}. Used wherever a user
 * writes or reads a duration (config, the CLI, the admin API), so they all agree.
 */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {}

    /** {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h}, {@code 1d}, or combinations like {@code 1m30s}. */
    public static Duration parse(String text) {
        String t = text.trim();
        Matcher m = DURATION.matcher(t);
        Duration total = Duration.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(
                    switch (m.group(2)) {
                        case "ms" -> Duration.ofMillis(n);
                        case "s" -> Duration.ofSeconds(n);
                        case "m" -> Duration.ofMinutes(n);
                        case "h" -> Duration.ofHours(n);
                        default -> Duration.ofDays(n);
                    });
            at = m.end();
        }
        if (at == 0 || at != t.length()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration (expected a number with a unit: 250ms, 2s, 5m, 1h)");
        }
        return total;
    }

    /** The shortest form {@link #parse} reads back: {@code 2h}, {@code 90s}, {@code 250ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0 && ms > 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
