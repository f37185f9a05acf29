package dev.baton.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A message's body: JSON (kept as its UTF-8 text) or bytes that Baton does not look
 * into. A filter sees the fields of a JSON body only.
 */
public final class Body {
    /** Numbers kept as written (no trip through a double), nesting as deep as the admin API lets in. */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(1000)
                            .build())
                    .build())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true));

    private final byte[] bytes;
    private final boolean json;

    private Body(byte[] bytes, boolean json) {
        this.bytes = bytes;
        this.json = json;
    }

    /** A JSON body: {@code value} is a JsonNode, or anything Jackson turns into one (a map, a record). */
    public static Body json(Object value) {
        try {
            return new Body(JSON.writeValueAsBytes(value), true);
        } catch (IOException e) {
            throw new QueueRefused("invalid", "the body cannot be written as JSON: " + e.getMessage());
        }
    }

    /** Bytes, as they are. */
    public static Body bytes(byte[] bytes) {
        return new Body(bytes.clone(), false);
    }

    /** As stored: {@code json} says whether the bytes are JSON text. */
    public static Body stored(byte[] bytes, boolean json) {
        return new Body(bytes, json);
    }

    public boolean isJson() {
        return json;
    }

    /** The bytes (a copy). */
    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    /** The body as JSON, when it is JSON. */
    public Optional<JsonNode> asJson() {
        if (!json) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body as text (UTF-8). */
    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    byte[] raw() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Body b && b.json == json && Arrays.equals(b.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes) * 31 + (json ? 1 : 0);
    }

    @Override
    public String toString() {
        return json ? text() : bytes.length + " bytes";
    }
}
