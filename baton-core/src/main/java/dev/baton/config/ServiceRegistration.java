package dev.baton.config;

import dev.baton.config.internal.RegistrationReader;
import java.util.List;
import java.util.Set;

/**
 * A service registered at run time through the admin API, read from a JSON body in
 * either shape CONTRACT §3 allows: the config's (kebab-case keys plus {@code id}) or
 * the flat one older orchestrators send ({@code endpoint}, {@code healthCheckPath},
 * ...). The {@code body} is kept as given, so the registration can be stored and
 * read again after a restart exactly as it was accepted.
 *
 * @param warnings what was accepted but has no effect, said back to the caller
 */
public record ServiceRegistration(ServiceConfig service, String body, List<String> warnings) {

    public ServiceRegistration {
        warnings = List.copyOf(warnings);
    }

    /**
     * Reads and validates a registration; {@code knownServices} are the ids that
     * {@code depends-on} may name. Throws {@link ConfigException} listing every
     * problem, each with the JSON field it is about.
     */
    public static ServiceRegistration parse(String body, Set<String> knownServices) {
        return new RegistrationReader().read(body, knownServices);
    }

    public String id() {
        return service.id();
    }
}
