package dev.baton.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code discovery:} section. {@code files} is a directory of YAML or JSON files,
 * each mapping service ids to definitions in the config's shape, watched for
 * changes (as Prometheus' file_sd): a second source of services besides this file
 * and the admin API.
 */
public record DiscoveryConfig(Optional<Path> files) {
    public static final DiscoveryConfig NONE = new DiscoveryConfig(Optional.empty());
}
