package dev.baton.supervisor.internal;

import dev.baton.config.ConfigLoader;
import dev.baton.config.ServiceConfig;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.supervisor.Readiness;
import dev.baton.testing.FakeClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the tests of the reconcile loop share: a supervision on a fake clock, with
 * programs that only pretend to run, health the test sets, and the events it published.
 */
abstract class SupervisionHarness {
    final FakeClock clock = new FakeClock();
    final FakeLauncher launcher = new FakeLauncher();
    final Map<String, HealthStatus> health = new HashMap<>();
    final List<String> downs = new ArrayList<>();
    final List<Map.Entry<EventType, Map<String, Object>>> events = new ArrayList<>();
    final Readiness readiness = new Readiness() {
        @Override
        public HealthStatus health(String service, Optional<String> instance) {
            return health.getOrDefault(instance.orElse(service), HealthStatus.UNKNOWN);
        }

        @Override
        public void down(String service, Optional<String> instance, String reason) {
            downs.add(instance.orElse(service) + ": " + reason);
            health.put(instance.orElse(service), HealthStatus.UNHEALTHY);
        }
    };
    final Supervision sup = new Supervision(
            Path.of("/tmp/baton-test"),
            launcher,
            readiness,
            (type, data) -> events.add(Map.entry(type, Map.copyOf(data))),
            clock,
            Runnable::run);

    static List<ServiceConfig> services(String yaml) {
        return List.copyOf(new ConfigLoader(Map.of())
                .parse(yaml + "\nroutes: []\n", "test.yaml")
                .services()
                .values());
    }

    ProcessStatus status(String service) {
        return sup.statuses().get(service).get(0);
    }

    void advance(long millis) {
        clock.advance(Duration.ofMillis(millis));
        sup.tick();
    }

    List<EventType> eventTypes() {
        return events.stream().map(Map.Entry::getKey).toList();
    }
}
