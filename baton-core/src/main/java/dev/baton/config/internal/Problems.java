package dev.baton.config.internal;

import dev.baton.config.ConfigError;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What a config read needs besides the tree: the file name for messages, the
 * environment for {@code ${VAR}} expansion, and the lists that collect errors and
 * warnings (what is accepted but probably not what was meant).
 */
public final class Problems {
    private final String file;
    private final Map<String, String> env;
    private final Path base;
    private final List<ConfigError> errors = new ArrayList<>();
    private final List<ConfigError> warnings = new ArrayList<>();

    /** Problems of text that is not a file's (an admin request): relative paths are from the working directory. */
    public Problems(String file, Map<String, String> env) {
        this(file, env, Path.of("").toAbsolutePath());
    }

    /** {@code base} is the directory relative paths in the config are resolved against: the config file's. */
    public Problems(String file, Map<String, String> env, Path base) {
        this.file = file;
        this.env = env;
        this.base = base;
    }

    /**
     * A path the config names, resolved against the config file's directory, so that
     * a config means the same files wherever Baton is started from. Throws
     * IllegalArgumentException (which a {@link Section} reports at the key) when the
     * text is not a path.
     */
    public Path path(String text) {
        try {
            return base.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid path");
        }
    }

    public void add(int line, String path, String message) {
        errors.add(new ConfigError(file, line, path, message));
    }

    /** Something the config may say but probably does not mean; it is read all the same. */
    public void warn(int line, String path, String message) {
        warnings.add(new ConfigError(file, line, path, message));
    }

    /** Warnings in file order. */
    public List<ConfigError> warnings() {
        List<ConfigError> sorted = new ArrayList<>(warnings);
        sorted.sort(Comparator.comparingInt(ConfigError::line));
        return sorted;
    }

    /** What {@code e} says is wrong: its message, or its class when it has none. */
    public static String why(Exception e) {
        String m = e.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }

    public Map<String, String> env() {
        return env;
    }

    /** Errors in file order, which is the order a person fixes them in. */
    public List<ConfigError> errors() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(ConfigError::line));
        return sorted;
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }
}
