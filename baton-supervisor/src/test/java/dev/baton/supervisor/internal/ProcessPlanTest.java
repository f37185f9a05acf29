package dev.baton.supervisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The plan of processes is a pure function of the config: no processes, no clock. */
class ProcessPlanTest {
    static final Path DATA = Path.of("/tmp/baton-test");

    static ProcessPlan plan(String yaml) {
        return ProcessPlan.of(DATA, SupervisionHarness.services(yaml));
    }

    static final String SHOP = """
            services:
              web:
                instances: [http://127.0.0.1:9001]
                process: { command: [web] }
                depends-on: [api, cdn]
              api:
                instances: [http://127.0.0.1:9002, http://127.0.0.1:9003]
                health-check: { path: /health }
                process: { command: [api, --port, "{port}"] }
                depends-on: [db]
              db:
                instances: [http://127.0.0.1:9004]
                process: { command: [db], priority: 1 }
              cache:
                instances: [http://127.0.0.1:9005]
                process: { command: [cache] }
              cdn:
                instances: [http://127.0.0.1:9006]
            """;

    @Test
    void processesComeDependenciesFirstPeersByPriorityAndServicesBatonDoesNotLaunchAreLeftOut() {
        assertThat(plan(SHOP).processes())
                .extracting(PlannedProcess::key)
                .containsExactly("cache/cache", "db/db", "api/api-0", "api/api-1", "web/web");
    }

    @Test
    void aProcessPerInstanceIsToldItsOwnAddress() {
        PlannedProcess second = plan(SHOP).processes().get(3);
        assertThat(second.service()).isEqualTo("api");
        assertThat(second.instance()).contains("api-1");
        assertThat(second.id()).isEqualTo("api-1");
        assertThat(second).hasToString("api/api-1");
        assertThat(second.spec().command()).containsExactly("api", "--port", "9003");
        assertThat(second.spec().log()).isEqualTo(DATA.resolve("logs/api/api-1.log"));

        PlannedProcess web = plan(SHOP).processes().get(4);
        assertThat(web.instance()).isEmpty();
        assertThat(web).hasToString("web");
    }

    @Test
    void theSameConfigPlansEqualProcessesAndAChangedCommandDoesNot() {
        assertThat(plan(SHOP).processes()).isEqualTo(plan(SHOP).processes());
        PlannedProcess before = plan(SHOP).processes().get(4);
        PlannedProcess after = plan(SHOP.replace("command: [web]", "command: [web, --v2]"))
                .processes()
                .get(4);
        assertThat(after.key()).isEqualTo(before.key());
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void itKnowsTheServicesTheirChecksAndWhatDependsOnWhat() {
        ProcessPlan plan = plan(SHOP);
        assertThat(plan.has("cdn")).isTrue();
        assertThat(plan.has("nope")).isFalse();
        assertThat(plan.launches("cdn")).isFalse();
        assertThat(plan.launches("db")).isTrue();
        assertThat(plan.checked("api")).isTrue();
        assertThat(plan.checked("db")).isFalse();
        assertThat(plan.dependencies("web")).containsExactlyInAnyOrder("api", "cdn");
        assertThat(plan.allDependencies("web")).containsExactlyInAnyOrder("api", "cdn", "db");
        assertThat(plan.allDependents("db")).containsExactlyInAnyOrder("api", "web");
        assertThat(plan.launchedDependents("cdn")).containsExactly("web");
    }

    @Test
    void theEmptyPlanHasNothing() {
        assertThat(ProcessPlan.EMPTY.processes()).isEmpty();
        assertThat(ProcessPlan.EMPTY.has("web")).isFalse();
        assertThat(plan("services: {}").processes()).isEmpty();
    }
}
