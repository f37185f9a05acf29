package dev.baton.balance;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Where a consistent-hash balancer takes its key from: {@code ip}, {@code path},
 * {@code header:NAME} or {@code cookie:NAME}; {@code name} is the NAME, null for
 * {@code ip} and {@code path}.
 */
public record HashKey(Source source, @Nullable String name) {
    public enum Source {
        IP,
        PATH,
        HEADER,
        COOKIE
    }

    /** Parses the config form; throws IllegalArgumentException with what is expected. */
    public static HashKey parse(String text) {
        String t = text.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("ip")) {
            return new HashKey(Source.IP, null);
        }
        if (lower.equals("path")) {
            return new HashKey(Source.PATH, null);
        }
        int colon = t.indexOf(':');
        if (colon > 0 && colon < t.length() - 1) {
            String kind = lower.substring(0, colon);
            String name = t.substring(colon + 1).trim();
            if (kind.equals("header") && !name.isEmpty()) {
                return new HashKey(Source.HEADER, name);
            }
            if (kind.equals("cookie") && !name.isEmpty()) {
                return new HashKey(Source.COOKIE, name);
            }
        }
        throw new IllegalArgumentException(
                "'" + text + "' is not a hash key (expected ip, path, header:NAME or cookie:NAME)");
    }

    /** The key of this request, or null when it has none (the balancer then picks any). */
    public @Nullable String of(RequestKey request) {
        return switch (source) {
            case IP -> request.clientIp();
            case PATH -> request.path();
            // parse always names a header or cookie; a key made without one has no value
            case HEADER -> name == null ? null : request.header(name);
            case COOKIE -> name == null ? null : request.cookie(name);
        };
    }

    @Override
    public String toString() {
        return name == null
                ? source.name().toLowerCase(Locale.ROOT)
                : source.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
}
