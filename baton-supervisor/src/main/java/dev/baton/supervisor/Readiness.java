package dev.baton.supervisor;

import dev.baton.health.HealthStatus;
import java.util.Optional;

/**
 * What the supervisor asks of health checking: a service's verdict (or one
 * instance's, for a process per instance) from active checks only, and to take an
 * instance out of balancing at once when its process ends or starts. Passive
 * outlier ejection is not asked: it is temporary by design, and a restart for it
 * would turn a slow moment into an outage.
 */
public interface Readiness {
    Readiness NONE = (service, instance) -> HealthStatus.UNKNOWN;

    HealthStatus health(String service, Optional<String> instance);

    /** The instance (every instance, when empty) takes no traffic until its checks pass again. */
    default void down(String service, Optional<String> instance, String reason) {}
}
