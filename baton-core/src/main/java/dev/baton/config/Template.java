package dev.baton.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A string with {@code {{…}}} references in it, as a saga's calls use them:
 * {@code /reservations/{{steps.reserve.response.body.id}}}. Parsed once at load,
 * so a reference that cannot name anything is an error then; rendered per call
 * from a lookup that finds each reference's JSON value. A template that is exactly
 * one reference renders to that value with its JSON type ({@link #value}); any
 * other renders to text, each value as its text (a string) or its JSON. A
 * reference the lookup cannot find is a failure ({@link Unresolved}), never an
 * empty string.
 */
public record Template(String source, List<Part> parts) {
    public Template {
        parts = List.copyOf(parts);
    }

    /** A piece of a template: literal text, or a reference. */
    public sealed interface Part permits Text, Reference {}

    /** Literal text, copied as it is. */
    public record Text(String text) implements Part {}

    /**
     * A reference: its dotted path split at the dots ({@code steps}, {@code reserve},
     * {@code response}, {@code body}, {@code id}).
     */
    public record Reference(List<String> path) implements Part {
        public Reference {
            path = List.copyOf(path);
        }

        @Override
        public String toString() {
            return String.join(".", path);
        }
    }

    /** A reference whose value is not there when the template is rendered. */
    public static final class Unresolved extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public Unresolved(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses {@code text}; IllegalArgumentException saying what is wrong for an
     * unclosed {@code {{}, an empty reference or one with an empty segment.
     */
    public static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                parts.add(new Text(text.substring(i)));
                break;
            }
            if (open > i) {
                parts.add(new Text(text.substring(i, open)));
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new IllegalArgumentException("'{{' at " + open + " is not closed with '}}'");
            }
            String inner = text.substring(open + 2, close).trim();
            if (inner.isEmpty()) {
                throw new IllegalArgumentException("an empty reference '{{}}'");
            }
            List<String> path = List.of(inner.split("\\.", -1));
            for (String segment : path) {
                if (segment.isEmpty() || !segment.matches("[A-Za-z0-9_-]+")) {
                    throw new IllegalArgumentException("'{{" + inner + "}}' is not a reference"
                            + " (dotted names of letters, digits, '-' and '_', such as input.sku)");
                }
            }
            parts.add(new Reference(path));
            i = close + 2;
        }
        return new Template(text, parts);
    }

    /** A template of literal text only. */
    public static Template literal(String text) {
        return new Template(text, text.isEmpty() ? List.of() : List.of(new Text(text)));
    }

    /** The references in it, in order. */
    public List<Reference> references() {
        return parts.stream()
                .filter(Reference.class::isInstance)
                .map(Reference.class::cast)
                .toList();
    }

    /** Whether it is exactly one reference and nothing else, so it keeps its value's JSON type. */
    public boolean single() {
        return parts.size() == 1 && parts.get(0) instanceof Reference;
    }

    /** The rendered text; {@link Unresolved} when {@code lookup} finds nothing for a reference. */
    public String text(Function<Reference, Optional<JsonNode>> lookup) {
        return text(lookup, java.util.function.UnaryOperator.identity());
    }

    /**
     * The rendered text with each referenced value passed through {@code escape}
     * (a path segment's encoding: a value must not add a {@code /} or {@code ?} to
     * the path it goes into), the literal text as it is.
     */
    public String text(
            Function<Reference, Optional<JsonNode>> lookup, java.util.function.UnaryOperator<String> escape) {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p instanceof Text t) {
                out.append(t.text());
            } else {
                JsonNode v = resolve((Reference) p, lookup);
                out.append(escape.apply(v.isTextual() ? v.textValue() : v.toString()));
            }
        }
        return out.toString();
    }

    /** The rendered value: the referenced JSON itself when {@link #single}, else the text as a JSON string. */
    public JsonNode value(Function<Reference, Optional<JsonNode>> lookup) {
        if (single()) {
            return resolve((Reference) parts.get(0), lookup);
        }
        return JsonNodeFactory.instance.textNode(text(lookup));
    }

    private static JsonNode resolve(Reference r, Function<Reference, Optional<JsonNode>> lookup) {
        return lookup.apply(r)
                .filter(v -> !v.isMissingNode())
                .orElseThrow(() -> new Unresolved("{{" + r + "}} names nothing"));
    }
}
