package dev.baton.events;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which event types a subscriber wants, written as names ({@code CONFIG_RELOADED}),
 * prefixes ({@code SERVICE_*}) or {@code *}. Resolved once to a set of types, so a
 * misspelt name is an error when the subscription is made, and matching is a bit test.
 */
public record EventFilter(Set<EventType> types) {
    public static final EventFilter ALL = new EventFilter(EnumSet.allOf(EventType.class));

    public EventFilter {
        types = types.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(types));
    }

    public static EventFilter of(EventType first, EventType... rest) {
        return new EventFilter(EnumSet.of(first, rest));
    }

    /**
     * Parses names and prefixes; an empty list means every type. Throws
     * IllegalArgumentException naming the first pattern that matches no type.
     */
    public static EventFilter parse(List<String> patterns) {
        if (patterns.isEmpty()) {
            return ALL;
        }
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        for (String raw : patterns) {
            String p = raw.trim().toUpperCase(java.util.Locale.ROOT);
            List<EventType> matched = new ArrayList<>();
            for (EventType t : EventType.values()) {
                if (p.equals("*")
                        || p.equals(t.name())
                        || p.endsWith("*") && t.name().startsWith(p.substring(0, p.length() - 1))) {
                    matched.add(t);
                }
            }
            if (matched.isEmpty()) {
                throw new IllegalArgumentException("'" + raw + "' names no event type (known: "
                        + String.join(
                                ", ",
                                java.util.Arrays.stream(EventType.values())
                                        .map(Enum::name)
                                        .toList())
                        + "; a trailing * matches a prefix)");
            }
            types.addAll(matched);
        }
        return new EventFilter(types);
    }

    /** Parses a comma-separated list, as in {@code ?types=SERVICE_*,CONFIG_RELOADED}. */
    public static EventFilter parse(String commaSeparated) {
        List<String> parts = new ArrayList<>();
        for (String p : commaSeparated.split(",")) {
            if (!p.isBlank()) {
                parts.add(p);
            }
        }
        return parse(parts);
    }

    public boolean matches(EventType type) {
        return types.contains(type);
    }
}
