package dev.baton.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small declarative mapping of JSON bodies (seed's "payload transformation"):
 * fields renamed, removed and set by JSON Pointer, then the whole wrapped in an
 * envelope field. Values to set are JSON when they parse as JSON, else strings.
 * Bodies larger than {@code maxSize} are left alone.
 */
public record JsonMapping(
        Map<String, String> rename, List<String> remove, Map<String, String> set, Optional<String> wrap, long maxSize) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public JsonMapping {
        rename = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rename));
        remove = List.copyOf(remove);
        set = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(set));
    }

    /** The mapped body, or empty when it is not JSON (then it passes as it was). */
    public Optional<byte[]> apply(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (root == null) {
            return Optional.empty();
        }
        rename.forEach((from, to) -> {
            JsonPointer p = JsonPointer.compile(from);
            if (root.at(p.head()) instanceof ObjectNode parent
                    && parent.has(p.last().getMatchingProperty())) {
                parent.set(to, parent.remove(p.last().getMatchingProperty()));
            }
        });
        for (String path : remove) {
            JsonPointer p = JsonPointer.compile(path);
            if (root.at(p.head()) instanceof ObjectNode parent) {
                parent.remove(p.last().getMatchingProperty());
            }
        }
        set.forEach((path, value) -> {
            JsonPointer p = JsonPointer.compile(path);
            if (root.at(p.head()) instanceof ObjectNode parent) {
                parent.set(p.last().getMatchingProperty(), value(value));
            }
        });
        JsonNode out = wrap.<JsonNode>map(name -> JSON.createObjectNode().set(name, root))
                .orElse(root);
        try {
            return Optional.of(JSON.writeValueAsBytes(out));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static JsonNode value(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return TextNode.valueOf(text);
        }
    }

    /** Checks a JSON Pointer written in config: what is wrong with it, empty when it is one. */
    public static Optional<String> pointerProblem(String pointer) {
        if (pointer.isEmpty() || pointer.equals("/")) {
            return Optional.of("'" + pointer + "' names no field (expected /field or /parent/field)");
        }
        try {
            JsonPointer.compile(pointer);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of("'" + pointer + "' is not a JSON Pointer (expected /field or /parent/field)");
        }
    }
}
