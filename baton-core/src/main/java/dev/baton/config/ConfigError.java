package dev.baton.config;

/**
 * One problem found in a config file, printed as {@code FILE:LINE: path.to.key: message}
 * so editors and terminals can jump to it.
 */
public record ConfigError(String file, int line, String path, String message) {

    @Override
    public String toString() {
        return file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message;
    }
}
