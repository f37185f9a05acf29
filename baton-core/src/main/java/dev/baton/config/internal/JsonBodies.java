package dev.baton.config.internal;

import dev.baton.config.ConfigError;
import dev.baton.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an admin API request body (a registration, a route) into the tree the
 * config's readers take: JSON only, duplicate keys reported, and a non-empty object
 * at the top or one error saying what came instead. Bodies never expand {@code
 * ${VAR}}: an admin caller must not read the gateway's environment.
 */
final class JsonBodies {
    /** Where errors in a body are said to be. */
    static final String SOURCE = "request body";

    private JsonBodies() {}

    /** The body's object; {@code what} names it for the error when it is not one ("the service"). */
    static YamlNode.Mapping object(String text, Problems problems, String what) {
        return object(text, problems, what, false);
    }

    /** As {@link #object(String, Problems, String)}; with {@code emptyOk}, {@code {}} is an object too (all defaults). */
    static YamlNode.Mapping object(String text, Problems problems, String what, boolean emptyOk) {
        List<String> duplicates = new ArrayList<>();
        YamlNode root;
        try {
            root = YamlTreeParser.json().parse(text, duplicates);
        } catch (YamlTreeParser.SyntaxException e) {
            throw new ConfigException(List.of(new ConfigError(SOURCE, e.line(), "", e.getMessage())));
        }
        for (String d : duplicates) {
            int colon = d.indexOf(':');
            problems.add(Integer.parseInt(d.substring(0, colon)), d.substring(colon + 1), "duplicate key");
        }
        if (!(root instanceof YamlNode.Mapping mapping) || (mapping.entries().isEmpty() && !emptyOk)) {
            String got = root instanceof YamlNode.Mapping ? "an empty object" : root.kind();
            throw new ConfigException(List.of(new ConfigError(
                    SOURCE, root.line(), "", "expected a JSON object describing " + what + ", got " + got)));
        }
        return mapping;
    }
}
