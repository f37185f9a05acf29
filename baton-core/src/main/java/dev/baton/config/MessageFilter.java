package dev.baton.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which messages of a topic a subscription takes, judged on the message's headers
 * and its JSON body. A field is {@code headers.NAME} (names compare without case)
 * or {@code body.a.b} (a number segment indexes a list). A value compares with a
 * number as a number, and otherwise as text; an object or a list equals nothing. A
 * field that is missing is equal to nothing, so {@code !=} holds for it. Validated
 * when declared: every filter here is well formed.
 */
public sealed interface MessageFilter {
    /** Whether a message with these {@code headers} (names in lower case) and {@code body} passes. */
    boolean matches(Map<String, String> headers, Optional<JsonNode> body);

    /** A value as written in the filter; {@code number} is true for one written as a number. */
    record Value(String text, boolean number) {
        boolean equalTo(Optional<JsonNode> field) {
            if (field.isEmpty() || field.get().isContainerNode() || field.get().isNull()) {
                return false;
            }
            JsonNode f = field.get();
            if (number && f.isNumber()) {
                return new BigDecimal(text).compareTo(f.decimalValue()) == 0;
            }
            return f.asText().equals(text);
        }
    }

    /** {@code headers.NAME} or {@code body…}, split into segments after the first. */
    record Field(String source, boolean header, List<String> path) {
        public Field {
            path = List.copyOf(path);
        }

        /** The field's value in a message, if it has one. */
        public Optional<JsonNode> in(Map<String, String> headers, Optional<JsonNode> body) {
            if (header) {
                String v = headers.get(path.get(0).toLowerCase(Locale.ROOT));
                return v == null
                        ? Optional.empty()
                        : Optional.of(com.fasterxml.jackson.databind.node.TextNode.valueOf(v));
            }
            if (body.isEmpty()) {
                return Optional.empty();
            }
            JsonNode at = body.get();
            for (String segment : path) {
                JsonNode next = at.isArray() && segment.chars().allMatch(Character::isDigit) && segment.length() < 10
                        ? at.get(Integer.parseInt(segment))
                        : at.isObject() ? at.get(segment) : null;
                if (next == null || next.isMissingNode()) {
                    return Optional.empty();
                }
                at = next;
            }
            return Optional.of(at);
        }
    }

    /** The field equals the value ({@code =}), or differs from it or is missing ({@code !=}). */
    record Compare(Field field, Value value, boolean equal) implements MessageFilter {
        @Override
        public boolean matches(Map<String, String> headers, Optional<JsonNode> body) {
            return value.equalTo(field.in(headers, body)) == equal;
        }
    }

    /** The field equals one of the values. */
    record In(Field field, List<Value> values) implements MessageFilter {
        public In {
            values = List.copyOf(values);
        }

        @Override
        public boolean matches(Map<String, String> headers, Optional<JsonNode> body) {
            Optional<JsonNode> f = field.in(headers, body);
            return values.stream().anyMatch(v -> v.equalTo(f));
        }
    }

    /** The field is text that starts with {@code prefix}. */
    record Prefix(Field field, String prefix) implements MessageFilter {
        @Override
        public boolean matches(Map<String, String> headers, Optional<JsonNode> body) {
            return field.in(headers, body)
                    .filter(JsonNode::isTextual)
                    .map(f -> f.asText().startsWith(prefix))
                    .orElse(false);
        }
    }

    /** The field is there (and not null), or is not ({@code exists: false}). */
    record Exists(Field field, boolean exists) implements MessageFilter {
        @Override
        public boolean matches(Map<String, String> headers, Optional<JsonNode> body) {
            return field.in(headers, body).filter(f -> !f.isNull()).isPresent() == exists;
        }
    }

    /** Every one of the filters passes ({@code and}, or several fields side by side). */
    record All(List<MessageFilter> filters) implements MessageFilter {
        public All {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean matches(Map<String, String> headers, Optional<JsonNode> body) {
            return filters.stream().allMatch(f -> f.matches(headers, body));
        }
    }

    /** At least one of the filters passes ({@code or}). */
    record Any(List<MessageFilter> filters) implements MessageFilter {
        public Any {
            filters = List.copyOf(filters);
        }

        @Override
        public boolean matches(Map<String, String> headers, Optional<JsonNode> body) {
            return filters.stream().anyMatch(f -> f.matches(headers, body));
        }
    }
}
