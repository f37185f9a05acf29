package dev.baton.admin;

import org.jspecify.annotations.Nullable;

/**
 * Escaping for the dashboard's server-rendered HTML. Every value that comes from
 * config, a registration, an upstream or a request goes through {@link #text} (or
 * {@link #attr} inside a quoted attribute): a service named {@code <script>} is
 * shown as text, never run.
 */
final class Html {
    private Html() {}

    /** {@code s} as HTML text or a double-quoted attribute value; null as the empty string. */
    static String text(@Nullable Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#39;";
                default -> null;
            };
            if (rep != null) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 16).append(s, 0, i);
                }
                b.append(rep);
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }

    /** The same escaping, named for where it is used: inside a double-quoted attribute. */
    static String attr(@Nullable Object value) {
        return text(value);
    }
}
