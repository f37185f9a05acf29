package dev.baton.config.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree whose every node remembers the line it came from, so
 * that validation errors can point at {@code file:line}. Jackson's own tree model
 * drops locations; this one keeps them and nothing else.
 */
public sealed interface YamlNode {

    int line();

    /**
     * A scalar as written, before any type conversion. {@code string} is false for
     * one written as a number, boolean or other plain non-string value ({@code 3},
     * {@code true}): where a config holds JSON (a saga's body), it keeps that type.
     */
    record Scalar(String text, int line, boolean string) implements YamlNode {
        public Scalar(String text, int line) {
            this(text, line, true);
        }
    }

    /** A mapping in document order; {@code keyLines} gives the line of each key. */
    record Mapping(Map<String, YamlNode> entries, Map<String, Integer> keyLines, int line) implements YamlNode {
        public Mapping {
            entries = new LinkedHashMap<>(entries);
            keyLines = new LinkedHashMap<>(keyLines);
        }
    }

    record Sequence(List<YamlNode> items, int line) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }
    }

    /** An explicit {@code null} or {@code ~}, or a key with no value. */
    record Null(int line) implements YamlNode {}

    default String kind() {
        if (this instanceof Mapping) {
            return "a mapping";
        }
        if (this instanceof Sequence) {
            return "a list";
        }
        if (this instanceof Null) {
            return "null";
        }
        return "a scalar";
    }
}
