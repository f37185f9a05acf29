package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.health.HealthStatus;
import dev.baton.supervisor.Readiness;
import dev.baton.testing.FakeClock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What health checking is told about the instances of a process that cannot serve. */
class OutOfBalancingTest {
    final FakeClock clock = new FakeClock();
    final Map<String, HealthStatus> health = new HashMap<>();
    final List<String> downs = new ArrayList<>();
    final Readiness readiness = new Readiness() {
        @Override
        public HealthStatus health(String service, Optional<String> instance) {
            return health.getOrDefault(instance.orElse(service), HealthStatus.UNKNOWN);
        }

        @Override
        public void down(String service, Optional<String> instance, String reason) {
            downs.add(instance.orElse(service) + ": " + reason);
        }
    };
    final OutOfBalancing balancing = new OutOfBalancing(readiness, service -> service.equals("api"));

    ProcessMachine machine(String service) {
        return new ProcessMachine(
                ProcessPlanTest.plan("""
                        services:
                          %s:
                            instances: [http://127.0.0.1:9002]
                            process: { command: [x] }
                        """.formatted(service)).processes().get(0));
    }

    @Test
    void aProcessThatStartsOrExitsIsTakenOut() {
        ProcessMachine api = machine("api");
        balancing.starting(api);
        balancing.exited(api, 137);
        assertThat(downs)
                .containsExactly("api: its process is starting", "api: its process was killed by signal 9 (SIGKILL)");
    }

    @Test
    void aProcessThatDoesNotRunIsKeptOutSayingWhatItWaitsFor() {
        ProcessMachine api = machine("api");
        api.waiting(List.of("db", "cache"));
        balancing.unlessRunning(api);
        api.waiting(List.of());
        balancing.unlessRunning(api);
        health.put("api", HealthStatus.UNHEALTHY); // already out: not told again
        balancing.unlessRunning(api);
        assertThat(downs).containsExactly("api: its process waits for db, cache", "api: its process is stopped");
    }

    @Test
    void aRunningProcessOrOneWithoutChecksIsLeftToItsChecks() throws IOException {
        ProcessMachine api = machine("api");
        api.want();
        api.launched(new FakeLauncher().launch(api.planned().spec()), clock.instant());
        balancing.unlessRunning(api);
        ProcessMachine web = machine("web");
        balancing.starting(web);
        balancing.unlessRunning(web);
        assertThat(downs).isEmpty();
    }
}
