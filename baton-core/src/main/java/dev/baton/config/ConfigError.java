package dev.baton.config;

/**
 * One problem found in a config file, printed as {@code FILE:LINE: path.to.key: message}
 * so editors and terminals can jump to it. A message quotes what the file (or an
 * admin request) said, so its control characters are written as escapes: an error is
 * always one line, whatever the value held.
 */
public record ConfigError(String file, int line, String path, String message) {

    public ConfigError {
        path = oneLine(path);
        message = oneLine(message);
    }

    @Override
    public String toString() {
        return file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }

    /** As a warning, in the form compilers print theirs: {@code FILE:LINE: warning: path.to.key: message}. */
    public String asWarning() {
        return file + ":" + line + ": warning: " + (path.isEmpty() ? "" : path + ": ") + message;
    }

    /**
     * {@code s} on one line: line breaks, tabs and other control characters as the
     * escapes {@code \n}, {@code \r}, {@code \t} and {@code \xNN} (which YAML's
     * double-quoted strings read back as the characters).
     */
    public static String oneLine(String s) {
        if (s.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
