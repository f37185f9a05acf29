package dev.baton.control;

import java.time.Instant;
import java.util.List;

/**
 * A change of the config file that was refused, so the last good config kept
 * serving: when, what set it off (a file change, the admin API), the file, and
 * every error as {@code file:line: key: message}. {@code appliedBefore} is how many
 * configs had been applied then, so that a reader can tell whether a good one has
 * been applied since.
 */
public record ConfigRejection(Instant at, String cause, String file, List<String> errors, long appliedBefore) {
    public ConfigRejection {
        errors = List.copyOf(errors);
    }
}
