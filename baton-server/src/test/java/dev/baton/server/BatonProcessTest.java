package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.Ports;
import dev.baton.testing.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Baton itself as a process, as users run it: children never outlive a Baton that
 * is told to stop, and those of a Baton killed outright are ended by the next one.
 */
class BatonProcessTest {
    @TempDir
    Path dir;

    Path config;
    int admin;
    Process baton;

    static int freePort() {
        return Ports.free();
    }

    @BeforeEach
    void writeConfig() throws Exception {
        admin = freePort();
        config = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:%d, data-dir: %s, shutdown-grace: 1s }
                services:
                  api:
                    instances: [http://127.0.0.1:%d, http://127.0.0.1:%d]
                    process: { command: %s, min-uptime: 200ms }
                routes: []
                """.formatted(
                        admin,
                        dir.resolve("data"),
                        freePort(),
                        freePort(),
                        new JsonArray(TestService.command("--port", "{port}")).encode()));
    }

    @AfterEach
    void cleanUp() {
        if (baton != null) {
            baton.destroyForcibly();
        }
    }

    void launchBaton() throws Exception {
        List<String> cmd = TestService.command("run", "-c", config.toString());
        cmd.set(cmd.indexOf(TestService.class.getName()), Main.class.getName());
        baton = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("baton.log").toFile())
                .start();
    }

    /** The pids of the running children, once both run. */
    List<Long> children(int port) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(
                        () -> {
                            JsonObject p = new JsonObject(
                                            Calls.get(port, "/services/api").body())
                                    .getJsonObject("process");
                            if (!p.getString("state").equals("RUNNING")) {
                                return null;
                            }
                            return p.getJsonArray("processes").stream()
                                    .map(o -> ((JsonObject) o).getLong("pid"))
                                    .toList();
                        },
                        pids -> pids != null);
    }

    static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    long pidFiles() throws Exception {
        Path run = dir.resolve("data/run");
        if (!Files.exists(run)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(run)) {
            return files.filter(f -> f.toString().endsWith(".pid")).count();
        }
    }

    @Test
    void sigtermStopsEveryChildBeforeBatonExits() throws Exception {
        launchBaton();
        List<Long> pids = children(admin);
        assertThat(pids).hasSize(2).allMatch(BatonProcessTest::alive);
        assertThat(pidFiles()).isEqualTo(2);

        baton.destroy(); // SIGTERM
        assertThat(baton.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(baton.exitValue())
                .as(Files.readString(dir.resolve("baton.log")))
                .isZero();
        assertThat(pids).noneMatch(BatonProcessTest::alive);
        assertThat(pidFiles()).isZero();
    }

    @Test
    void theNextBatonEndsWhatAKilledOneLeftBehind() throws Exception {
        launchBaton();
        List<Long> orphans = children(admin);
        baton.destroyForcibly(); // SIGKILL: no chance to stop anything
        assertThat(baton.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(orphans).allMatch(BatonProcessTest::alive);

        try (Baton next =
                Baton.builder().configFile(config).watch(false).build().start()) {
            assertThat(orphans).noneMatch(BatonProcessTest::alive); // ended before anything new started
            List<Long> fresh = children(next.adminPort());
            assertThat(fresh).hasSize(2).doesNotContainAnyElementsOf(orphans);
        }
    }

    @Test
    void aSecondBatonOnTheSameDataDirectoryNeverTouchesTheFirstsPrograms() throws Exception {
        try (Baton first =
                Baton.builder().configFile(config).watch(false).build().start()) {
            List<Long> pids = children(first.adminPort());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Baton.builder()
                            .configFile(config)
                            .watch(false)
                            .build()
                            .start())
                    .isInstanceOf(BatonException.class)
                    .hasMessageContaining("another Baton is supervising the programs of");
            assertThat(pids).allMatch(BatonProcessTest::alive);
            assertThat(children(first.adminPort())).isEqualTo(pids);
        }
    }

    @Test
    void anApplicationThatExitsWithoutStoppingBatonTakesItsProgramsAlong() throws Exception {
        // Long enough for its processes to be up on a loaded machine before it exits (3 s was not, once).
        List<String> cmd = TestService.command(config.toString(), "8000");
        cmd.set(cmd.indexOf(TestService.class.getName()), ExitingEmbedder.class.getName());
        baton = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("embedder.log").toFile())
                .start();
        List<Long> pids = children(admin);
        assertThat(baton.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(baton.exitValue())
                .as(Files.readString(dir.resolve("embedder.log")))
                .isEqualTo(3);
        assertThat(pids).noneMatch(BatonProcessTest::alive);
        assertThat(pidFiles()).isZero();
    }
}
