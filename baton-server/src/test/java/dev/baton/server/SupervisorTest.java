package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Event;
import dev.baton.events.EventType;
import dev.baton.testing.Ports;
import dev.baton.testing.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Baton launching real child processes: order, health gating, restarts, the admin API, and nothing left behind. */
class SupervisorTest {
    @TempDir
    Path dir;

    Baton baton;
    final List<Event> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (baton != null) {
            baton.close();
        }
    }

    static int freePort() {
        return Ports.free();
    }

    /** A YAML flow list running {@link TestService} with these arguments. */
    static String service(String... args) {
        return new JsonArray(TestService.command(args)).encode();
    }

    Baton start(String services, String routes) throws Exception {
        Path file = Files.writeString(
                dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s, shutdown-grace: 1s }
                services:
                %s
                routes:
                %s
                """.formatted(dir.resolve("data"), services.indent(2), routes.indent(2)));
        baton = Baton.builder().configFile(file).watch(false).build();
        baton.events().subscribe("test", events::add);
        return baton.start();
    }

    JsonObject admin(String method, String path) throws Exception {
        HttpResponse<String> r = Calls.send(baton.adminPort(), method, path, null);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
        return new JsonObject(r.body());
    }

    JsonObject process(String service) throws Exception {
        return admin("GET", "/services/" + service).getJsonObject("process");
    }

    void awaitState(String service, String state) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(
                        () -> assertThat(process(service).getString("state")).isEqualTo(state));
    }

    List<Event> of(EventType type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }

    @Test
    void startsWhatDependsOnAServiceOnlyOnceItsChecksPassAndProxiesToIt() throws Exception {
        int db = freePort();
        int api = freePort();
        start(
                """
                db:
                  instances: [http://127.0.0.1:%d]
                  health-check: { path: /health, interval: 200ms, timeout: 150ms, healthy-threshold: 1 }
                  process: { command: %s }
                api:
                  instances: [http://127.0.0.1:%d]
                  process: { command: %s, env: { NAME: "api-{instance}" } }
                  depends-on: [db]
                """.formatted(
                        db, service("--port", "{port}", "--ready-after", "1500"), api, service("--port", "{port}")),
                "- { path: /api/**, service: api }");
        awaitState("api", "RUNNING");
        Event dbHealthy = events.stream()
                .filter(e -> e.type() == EventType.SERVICE_HEALTH_CHANGED
                        && "HEALTHY".equals(e.data().get("status")))
                .findFirst()
                .orElseThrow();
        Event apiStarted = of(EventType.SERVICE_STARTED).stream()
                .filter(e -> "api".equals(e.data().get("service")))
                .findFirst()
                .orElseThrow();
        assertThat(apiStarted.id()).isGreaterThan(dbHealthy.id());
        Instant dbStarted = Instant.parse(process("db").getString("startedAt"));
        assertThat(Duration.between(dbStarted, apiStarted.time())).isGreaterThanOrEqualTo(Duration.ofMillis(1400));

        JsonObject p = process("api");
        HttpResponse<String> viaProxy = Calls.get(baton.proxyPort(), "/api/hello");
        assertThat(viaProxy.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(viaProxy.body()).getLong("pid")).isEqualTo(p.getLong("pid"));

        JsonObject logs = admin("GET", "/services/api/logs?tail=5");
        assertThat(logs.getJsonArray("processes")
                        .getJsonObject(0)
                        .getJsonArray("lines")
                        .encode())
                .contains("listening on " + api)
                .contains("env NAME=api-api-0");

        JsonObject status = admin("GET", "/status").getJsonObject("processes");
        assertThat(status.getInteger("total")).isEqualTo(2);
        assertThat(status.getJsonObject("byState").getInteger("RUNNING")).isEqualTo(2);

        JsonObject deps = admin("GET", "/dependencies");
        assertThat(deps.getJsonArray("startOrder").encode()).isEqualTo("[[\"db\"],[\"api\"]]");
        assertThat(deps.getString("tree")).isEqualTo("api\n└── db\n");
    }

    @Test
    void aKilledInstanceIsRestartedWhileTheOtherKeepsAnswering() throws Exception {
        int a = freePort();
        int b = freePort();
        start("""
                web:
                  instances: [http://127.0.0.1:%d, http://127.0.0.1:%d]
                  health-check: { path: /health, interval: 200ms, timeout: 150ms }
                  retry: { attempts: 3 }
                  process: { command: %s, restart-delay: 200ms }
                """.formatted(a, b, service("--port", "{port}")), "- { path: /**, service: web }");
        awaitState("web", "RUNNING");
        JsonArray procs = process("web").getJsonArray("processes");
        long victim = procs.getJsonObject(0).getLong("pid");
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();

        AtomicInteger failures = new AtomicInteger();
        List<Integer> statuses = new ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (of(EventType.SERVICE_RESTARTED).isEmpty() && System.nanoTime() < until) {
            int status = Calls.get(baton.proxyPort(), "/x").statusCode();
            statuses.add(status);
            if (status != 200) {
                failures.incrementAndGet();
            }
        }
        assertThat(of(EventType.SERVICE_RESTARTED)).hasSize(1);
        assertThat(failures.get()).as("statuses " + statuses).isZero(); // GETs are retried on the other instance
        Event restarted = of(EventType.SERVICE_RESTARTED).get(0);
        assertThat(restarted.data().get("process")).isEqualTo("web-0");
        assertThat((String) restarted.data().get("reason")).contains("signal 9 (SIGKILL)");
        awaitState("web", "RUNNING");
        JsonObject first = process("web").getJsonArray("processes").getJsonObject(0);
        assertThat(first.getInteger("restarts")).isEqualTo(1);
        assertThat(first.getLong("pid")).isNotEqualTo(victim);
        assertThat(first.getInteger("exitCode")).isEqualTo(137);
        String metrics = baton.scrapeMetrics();
        assertThat(metrics)
                .contains("orchestrator_process_events_total{event=\"restarted\",service_name=\"web\"} 1.0")
                .contains("orchestrator_process_events_total{event=\"started\",service_name=\"web\"} 2.0")
                .contains("orchestrator_processes{state=\"RUNNING\"} 2.0");
    }

    @Test
    void aProcessThatFailsItsChecksWhileAliveIsRestarted() throws Exception {
        int port = freePort();
        Path sick = dir.resolve("sick");
        start(
                """
                api:
                  instances: [http://127.0.0.1:%d]
                  health-check: { path: /health, interval: 200ms, timeout: 150ms, unhealthy-threshold: 2, healthy-threshold: 1 }
                  process: { command: %s, restart-delay: 100ms, stop-grace: 2s }
                """.formatted(port, service("--port", "{port}", "--unhealthy-file", sick.toString())),
                "- { path: /**, service: api }");
        awaitState("api", "RUNNING");
        long before = process("api").getLong("pid");
        Files.writeString(sick, "x");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !of(EventType.SERVICE_RESTARTED).isEmpty());
        Files.delete(sick);
        assertThat((String) of(EventType.SERVICE_RESTARTED).get(0).data().get("reason"))
                .isEqualTo("unhealthy: its health checks failed while it ran");
        assertThat(ProcessHandle.of(before).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        awaitState("api", "RUNNING");
        assertThat(Calls.get(baton.proxyPort(), "/x").statusCode()).isEqualTo(200);
    }

    @Test
    void aCrashLoopEndsFailedAndBlocksItsDependents() throws Exception {
        int db = freePort();
        int app = freePort();
        start(
                """
                db:
                  instances: [http://127.0.0.1:%d]
                  process: { command: %s, max-restarts: 2, restart-delay: 100ms }
                app:
                  instances: [http://127.0.0.1:%d]
                  process: { command: %s }
                  depends-on: [db]
                """.formatted(
                                db,
                                service("--port", "{port}", "--exit-after", "0", "--exit-code", "4"),
                                app,
                                service("--port", "{port}")),
                "[]");
        awaitState("db", "FAILED");
        assertThat(of(EventType.SERVICE_RESTARTED)).hasSize(2);
        Event failed = of(EventType.SERVICE_FAILED).get(0);
        assertThat(failed.data()).containsEntry("exitCode", 4).containsEntry("blocked", List.of("app"));
        // The view of the dependents can trail the FAILED state by a supervisor tick.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonObject deps = admin("GET", "/dependencies");
            JsonObject appView = deps.getJsonArray("services").stream()
                    .map(JsonObject.class::cast)
                    .filter(s -> s.getString("id").equals("app"))
                    .findFirst()
                    .orElseThrow();
            assertThat(appView.getJsonArray("blockedBy").getList()).containsExactly("db");
        });
        assertThat(process("app").getString("state")).isEqualTo("STOPPED");
        JsonObject logs = admin("GET", "/services/db/logs?tail=3");
        assertThat(logs.getJsonArray("processes")
                        .getJsonObject(0)
                        .getJsonArray("lines")
                        .encode())
                .contains("exiting with 4 as asked");
    }

    @Test
    void aReloadReplacesAChangedProcessAndLeavesTheOthersRunning() throws Exception {
        int a = freePort();
        int b = freePort();
        String services = """
                a:
                  instances: [http://127.0.0.1:%d]
                  process: { command: %s, env: { NAME: v1 }, min-uptime: 200ms }
                b:
                  instances: [http://127.0.0.1:%d]
                  process: { command: %s, min-uptime: 200ms }
                """.formatted(a, service("--port", "{port}"), b, service("--port", "{port}"));
        start(services, "[]");
        awaitState("a", "RUNNING");
        awaitState("b", "RUNNING");
        long aBefore = process("a").getLong("pid");
        long bBefore = process("b").getLong("pid");

        Path file = dir.resolve("baton.yaml");
        Files.writeString(file, Files.readString(file).replace("NAME: v1", "NAME: v2"));
        baton.reload();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonObject p = process("a");
            assertThat(p.getString("state")).isEqualTo("RUNNING");
            assertThat(p.getLong("pid")).isNotEqualTo(aBefore);
        });
        assertThat(ProcessHandle.of(aBefore).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
        assertThat(process("b").getLong("pid")).isEqualTo(bBefore);
        // RUNNING can come before the new program's first line reaches its log.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(admin("GET", "/services/a/logs?tail=1")
                                .getJsonArray("processes")
                                .getJsonObject(0)
                                .getJsonArray("lines")
                                .encode())
                        .contains("env NAME=v2"));
    }

    @Test
    void operatorsStopStartAndRestartThroughTheAdminApi() throws Exception {
        int port = freePort();
        int other = freePort();
        start("""
                api:
                  instances: [http://127.0.0.1:%d]
                  process: { command: %s, stop-grace: 500ms }
                plain:
                  instances: [http://127.0.0.1:%d]
                """.formatted(port, service("--port", "{port}", "--ignore-term"), other), "[]");
        awaitState("api", "RUNNING");
        long first = process("api").getLong("pid");

        JsonObject stopped = admin("POST", "/services/api/stop");
        assertThat(stopped.getJsonObject("process").getString("state")).isIn("STOPPING", "STOPPED");
        awaitState("api", "STOPPED"); // it ignored SIGTERM: killed after stop-grace
        assertThat(process("api").getInteger("exitCode")).isEqualTo(137);
        assertThat(ProcessHandle.of(first).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();

        admin("POST", "/services/api/start");
        awaitState("api", "RUNNING");
        long second = process("api").getLong("pid");
        admin("POST", "/services/api/restart");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonObject p = process("api");
            assertThat(p.getString("state")).isEqualTo("RUNNING");
            assertThat(p.getLong("pid")).isNotEqualTo(second);
        });
        assertThat(process("api").getInteger("restarts")).isEqualTo(1);

        HttpResponse<String> noProcess = Calls.send(baton.adminPort(), "POST", "/services/plain/restart", null);
        assertThat(noProcess.statusCode()).isEqualTo(409);
        assertThat(new JsonObject(noProcess.body()).getString("message")).contains("has no process");
        assertThat(new JsonObject(noProcess.body()).getString("error")).isEqualTo("no_process");
        assertThat(Calls.send(baton.adminPort(), "POST", "/services/nope/start", null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(Calls.get(baton.adminPort(), "/services/api/logs?tail=0").statusCode())
                .isEqualTo(400);

        admin("POST", "/orchestrator/stop");
        assertThat(process("api").getString("state")).isEqualTo("STOPPED");
        admin("POST", "/orchestrator/start");
        awaitState("api", "RUNNING");
    }
}
