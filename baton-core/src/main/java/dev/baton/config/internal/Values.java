package dev.baton.config.internal;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The config's {@code ${ENV}} references (durations and sizes are {@link dev.baton.config.Durations} and {@link dev.baton.config.Sizes}). */
public final class Values {
    private static final Pattern ENV = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private Values() {}

    /**
     * Expands {@code ${VAR}} and {@code ${VAR:-default}}. A variable that is unset and has
     * no default is an error rather than an empty string, which would hide the mistake.
     */
    public static String expand(String text, Map<String, String> env) {
        if (text.indexOf("${") < 0) {
            return text;
        }
        Matcher m = ENV.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null || (value.isEmpty() && m.group(2) != null)) {
                if (m.group(2) == null) {
                    throw new IllegalArgumentException("environment variable " + m.group(1) + " is not set");
                }
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
