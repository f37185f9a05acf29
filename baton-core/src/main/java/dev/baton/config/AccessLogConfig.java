package dev.baton.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code access-log:} section: one JSON line per proxied request, to
 * {@code file} (rotated past {@code maxSize}, keeping {@code maxFiles} old ones) or,
 * without a file, to standard output.
 */
public record AccessLogConfig(boolean enabled, Optional<Path> file, long maxSize, int maxFiles) {
    public static final AccessLogConfig OFF = new AccessLogConfig(false, Optional.empty(), 100L << 20, 5);
}
