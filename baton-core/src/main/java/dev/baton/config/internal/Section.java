package dev.baton.config.internal;

import dev.baton.config.Durations;
import dev.baton.config.Sizes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A typed view of one YAML mapping during a config read. Each accessor records the
 * key as known; {@link #finish()} then reports every key nobody asked for, with a
 * "did you mean" when one is close. Bad values are recorded as problems and the
 * default is returned, so one read finds every error in the file.
 */
final class Section {
    private final YamlNode.Mapping node;
    private final String path;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();

    private Section(YamlNode.Mapping node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    /** A section over {@code node}; anything but a mapping is reported and read as empty. */
    public static Section of(@Nullable YamlNode node, String path, Problems problems) {
        if (node instanceof YamlNode.Mapping m) {
            return new Section(m, path, problems);
        }
        if (node != null && !(node instanceof YamlNode.Null)) {
            problems.add(node.line(), path, "expected a mapping, got " + node.kind());
        }
        int line = node == null ? 1 : node.line();
        return new Section(new YamlNode.Mapping(Map.of(), Map.of(), line), path, problems);
    }

    public String path() {
        return path;
    }

    public String path(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public int line() {
        return node.line();
    }

    public int line(String key) {
        Integer l = node.keyLines().get(key);
        return l == null ? node.line() : l;
    }

    public Problems problems() {
        return problems;
    }

    public boolean has(String key) {
        known.add(key);
        YamlNode v = node.entries().get(key);
        return v != null && !(v instanceof YamlNode.Null);
    }

    public Set<String> keys() {
        return node.entries().keySet();
    }

    /** The node under {@code key}, or null when there is none. */
    public @Nullable YamlNode raw(String key) {
        known.add(key);
        return node.entries().get(key);
    }

    public void error(String key, String message) {
        problems.add(line(key), path(key), message);
    }

    /** A warning at {@code key} (see {@link Problems#warn}). */
    public void warn(String key, String message) {
        problems.warn(line(key), path(key), message);
    }

    public Section section(String key) {
        known.add(key);
        return Section.of(node.entries().get(key), path(key), problems);
    }

    public Optional<String> string(String key) {
        known.add(key);
        YamlNode v = node.entries().get(key);
        if (v == null || v instanceof YamlNode.Null) {
            return Optional.empty();
        }
        if (!(v instanceof YamlNode.Scalar s)) {
            error(key, "expected a value, got " + v.kind());
            return Optional.empty();
        }
        try {
            return Optional.of(Values.expand(s.text(), problems.env()));
        } catch (IllegalArgumentException e) {
            error(key, Problems.why(e));
            return Optional.empty();
        }
    }

    public String string(String key, String fallback) {
        return string(key).orElse(fallback);
    }

    public <T> Optional<T> value(String key, Function<String, T> parse) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse.apply(s.get()));
        } catch (IllegalArgumentException e) {
            error(key, Problems.why(e));
            return Optional.empty();
        }
    }

    public Duration duration(String key, Duration fallback) {
        return value(key, Durations::parse).orElse(fallback);
    }

    /** A duration that must lie in [min, max]; out of range is reported and the fallback used. */
    public Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Optional<Duration> d = value(key, Durations::parse);
        if (d.isPresent() && (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0)) {
            error(
                    key,
                    "must be between " + Durations.format(min) + " and " + Durations.format(max) + ", but was "
                            + Durations.format(d.get()));
            return fallback;
        }
        return d.orElse(fallback);
    }

    public long size(String key, long fallback) {
        Optional<Long> s = value(key, Sizes::parse);
        if (s.isPresent() && s.get() <= 0) {
            error(key, "must be greater than 0");
            return fallback;
        }
        return s.orElse(fallback);
    }

    public int integer(String key, int fallback, int min, int max) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(s.get().trim());
            if (n < min || n > max) {
                error(key, "must be between " + min + " and " + max + ", but was " + n);
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            error(key, "expected a whole number, got '" + s.get() + "'");
            return fallback;
        }
    }

    public double number(String key, double fallback, double min, double max) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            double n = Double.parseDouble(s.get().trim());
            if (!(n >= min && n <= max)) {
                error(key, "must be between " + min + " and " + max + ", but was " + s.get());
                return fallback;
            }
            return n;
        } catch (NumberFormatException e) {
            error(key, "expected a number, got '" + s.get() + "'");
            return fallback;
        }
    }

    public boolean bool(String key, boolean fallback) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return fallback;
        }
        switch (s.get().trim()) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                error(key, "expected true or false, got '" + s.get() + "'");
                return fallback;
        }
    }

    /** A list of scalars; a single scalar is accepted as a list of one. */
    public List<String> strings(String key) {
        known.add(key);
        YamlNode v = node.entries().get(key);
        List<String> out = new ArrayList<>();
        if (v == null || v instanceof YamlNode.Null) {
            return out;
        }
        List<YamlNode> items = v instanceof YamlNode.Sequence seq ? seq.items() : List.of(v);
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            String itemPath = path(key) + (v instanceof YamlNode.Sequence ? "[" + i + "]" : "");
            if (item instanceof YamlNode.Scalar s) {
                try {
                    out.add(Values.expand(s.text(), problems.env()));
                } catch (IllegalArgumentException e) {
                    problems.add(item.line(), itemPath, Problems.why(e));
                }
            } else {
                problems.add(item.line(), itemPath, "expected a value, got " + item.kind());
            }
        }
        return out;
    }

    /** The items of a list key; anything but a list is reported and read as empty. */
    /** A mapping of scalars, such as instance metadata; keys keep their order. */
    public Map<String, String> stringMap(String key) {
        Section m = section(key);
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> e : m.node.entries().entrySet()) {
            if (e.getValue() instanceof YamlNode.Scalar scalar) {
                out.put(e.getKey(), scalar.text());
            } else {
                m.error(e.getKey(), "expected a string, got " + e.getValue().kind());
            }
        }
        return out;
    }

    public List<YamlNode> list(String key) {
        known.add(key);
        YamlNode v = node.entries().get(key);
        if (v == null || v instanceof YamlNode.Null) {
            return List.of();
        }
        if (v instanceof YamlNode.Sequence seq) {
            return seq.items();
        }
        error(key, "expected a list, got " + v.kind());
        return List.of();
    }

    /** Reports keys that no accessor asked for. Call once every key has been read. */
    public void finish() {
        for (Map.Entry<String, Integer> e : node.keyLines().entrySet()) {
            String key = e.getKey();
            if (!known.contains(key)) {
                String hint = DidYouMean.closest(key, known)
                        .map(k -> " (did you mean '" + k + "'?)")
                        .orElse("");
                problems.add(e.getValue(), path(key), "unknown key" + hint);
            }
        }
    }
}
