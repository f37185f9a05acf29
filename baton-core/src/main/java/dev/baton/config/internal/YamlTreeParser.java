package dev.baton.config.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads YAML text into a {@link YamlNode} tree with line numbers, using Jackson's
 * streaming YAML parser. Duplicate keys are reported, not silently overwritten.
 */
public final class YamlTreeParser {

    /** A syntax problem in the YAML itself, at a line. */
    public static final class SyntaxException extends Exception {
        private final String reason;
        private final int line;

        SyntaxException(String message, int line) {
            super(message);
            this.reason = message;
            this.line = line;
        }

        /** What is wrong, never null (unlike Throwable's). */
        @Override
        public String getMessage() {
            return reason;
        }

        public int line() {
            return line;
        }
    }

    private final JsonFactory factory;
    private final String format;

    /** A parser of YAML, the config file's language. */
    public YamlTreeParser() {
        this(YAMLFactory.builder().build(), "YAML");
    }

    private YamlTreeParser(JsonFactory factory, String format) {
        this.factory = factory;
        this.format = format;
    }

    /** A parser of JSON into the same tree, for admin request bodies: strict JSON, not YAML's superset. */
    public static YamlTreeParser json() {
        return new YamlTreeParser(new JsonFactory(), "JSON");
    }

    public YamlNode parse(String text, List<String> duplicateKeyErrors) throws SyntaxException {
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return new YamlNode.Mapping(Map.of(), Map.of(), 1);
            }
            YamlNode root = read(parser, duplicateKeyErrors);
            if (format.equals("JSON") && parser.nextToken() != null) {
                throw new SyntaxException(
                        "invalid JSON: more content after the end of the value",
                        parser.currentTokenLocation().getLineNr());
            }
            return root;
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
            throw new SyntaxException(
                    "invalid " + format + ": " + firstLine(e.getOriginalMessage()) + hint(text, line), line);
        } catch (IOException e) {
            throw new SyntaxException("invalid " + format + ": " + e.getMessage(), 1);
        }
    }

    /**
     * What to do about the commonest YAML error in a config: {@code ${VAR}} unquoted
     * inside a flow mapping or sequence, where YAML reads its braces as a nested
     * mapping. The parser notices a line later at worst, so the line and the one
     * before it are looked at.
     */
    private String hint(String text, int line) {
        if (!format.equals("YAML")) {
            return "";
        }
        List<String> lines = text.lines().toList();
        for (int i = Math.min(line, lines.size()); i >= Math.max(1, line - 1); i--) {
            String l = lines.get(i - 1);
            int at = l.indexOf("${");
            if (at >= 0 && (l.indexOf('{') < at || l.indexOf('[') >= 0 && l.indexOf('[') < at)) {
                String var = l.substring(at, Math.max(at + 2, l.indexOf('}', at) + 1));
                return " (a " + var + " inside { } or [ ] must be quoted: \"" + var + "\")";
            }
        }
        return "";
    }

    private YamlNode read(JsonParser parser, List<String> duplicates) throws IOException {
        int line = parser.currentTokenLocation().getLineNr();
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT: {
                Map<String, YamlNode> entries = new LinkedHashMap<>();
                Map<String, Integer> keyLines = new LinkedHashMap<>();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String key = parser.currentName();
                    int keyLine = parser.currentTokenLocation().getLineNr();
                    parser.nextToken();
                    YamlNode value = read(parser, duplicates);
                    if (entries.containsKey(key)) {
                        duplicates.add(keyLine + ":" + key);
                    }
                    entries.put(key, value);
                    keyLines.put(key, keyLine);
                }
                return new YamlNode.Mapping(entries, keyLines, line);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(parser, duplicates));
                }
                return new YamlNode.Sequence(items, line);
            }
            case VALUE_NULL:
                return new YamlNode.Null(line);
            default:
                return new YamlNode.Scalar(parser.getText(), line, token == JsonToken.VALUE_STRING);
        }
    }

    /** SnakeYAML's message without its location lines and caret drawings, on one line. */
    private static String firstLine(@Nullable String message) {
        if (message == null) {
            return "unreadable";
        }
        List<String> parts = new ArrayList<>();
        String[] lines = message.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            boolean quotedSource = i + 1 < lines.length && lines[i + 1].trim().startsWith("^");
            if (!t.isEmpty() && !quotedSource && !t.startsWith("in '") && !t.startsWith("^") && !t.startsWith("at [")) {
                parts.add(t);
            }
        }
        return parts.isEmpty() ? "unreadable" : String.join("; ", parts);
    }
}
