package dev.baton.registry;

import java.util.Locale;

/**
 * Where a service's definition came from. Sources layer by id in this order: a
 * discovery file overrides the config file, and a run-time registration overrides
 * both, so an operator's explicit registration always wins until it is removed.
 */
public enum Source {
    CONFIG,
    DISCOVERY,
    REGISTRATION;

    /** The name in admin JSON: {@code config}, {@code discovery}, {@code registration}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
