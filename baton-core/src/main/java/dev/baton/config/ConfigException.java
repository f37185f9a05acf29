package dev.baton.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a config cannot be used; carries every error found, not just the first,
 * so a user fixes a file in one pass.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
