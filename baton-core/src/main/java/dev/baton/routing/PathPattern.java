package dev.baton.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A parsed route path: literal segments, {@code *} or {@code {name}} for exactly one
 * segment, and an optional final {@code /**} matching the rest (including nothing).
 * Empty segments are ignored, so {@code /a//b/} is {@code /a/b}.
 */
public record PathPattern(String text, List<Segment> segments, boolean catchAll) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public PathPattern {
        segments = List.copyOf(segments);
    }

    /** One segment of a pattern: a literal, or a wildcard with an optional parameter name. */
    public sealed interface Segment {}

    public record Literal(String value) implements Segment {}

    /** Matches any one segment; {@code name} is null for a bare {@code *}. */
    public record Wildcard(@Nullable String name) implements Segment {}

    public static PathPattern parse(String text) {
        if (text.isEmpty() || text.charAt(0) != '/') {
            throw new IllegalArgumentException("'" + text + "' must start with '/'");
        }
        String[] parts = text.split("/");
        List<Segment> segments = new ArrayList<>();
        Set<String> names = new HashSet<>();
        boolean catchAll = false;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty()) {
                continue;
            }
            if (catchAll) {
                throw new IllegalArgumentException("'**' may only end a path, as in /api/**");
            }
            if (p.equals("**")) {
                catchAll = true;
            } else if (p.equals("*")) {
                segments.add(new Wildcard(null));
            } else if (p.startsWith("{") && p.endsWith("}")) {
                String name = p.substring(1, p.length() - 1);
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("'" + p + "' is not a valid parameter (expected {name})");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("parameter {" + name + "} appears twice");
                }
                segments.add(new Wildcard(name));
            } else if (p.indexOf('*') >= 0 || p.indexOf('{') >= 0 || p.indexOf('}') >= 0) {
                throw new IllegalArgumentException("segment '" + p
                        + "' mixes text and wildcards (expected a literal, '*', '{name}' or a final '**')");
            } else {
                segments.add(new Literal(p));
            }
        }
        return new PathPattern(text, segments, catchAll);
    }

    /** Parameter names in segment order; null entries stand for bare {@code *}. */
    public List<String> parameterNames() {
        List<String> names = new ArrayList<>();
        for (Segment s : segments) {
            if (s instanceof Wildcard w) {
                names.add(w.name());
            }
        }
        return names;
    }
}
