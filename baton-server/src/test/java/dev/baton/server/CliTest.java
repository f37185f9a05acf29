package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code baton} command as users meet it: a separate JVM, exit codes, stderr lines, signals. */
class CliTest {
    static Vertx vertx;
    static TestUpstream upstream;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        upstream = TestUpstream.start(vertx, req -> {
            if (req.path().equals("/slow")) {
                vertx.setTimer(1500, t -> req.response().end("drained"));
            } else {
                req.response().end("hi");
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** What one run of the command left behind. */
    record Outcome(int exit, String out, List<String> err) {}

    static ProcessBuilder baton(String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    static Outcome run(String... args) throws Exception {
        return run(baton(args));
    }

    static Outcome run(ProcessBuilder command) throws Exception {
        Process p = command.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
        return new Outcome(p.exitValue(), out.get(), err.get().lines().toList());
    }

    static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    static void assertNoStackTrace(Outcome o) {
        assertThat(o.err()).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"));
    }

    Path config(String yaml) throws IOException {
        Path file = dir.resolve("baton.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    String valid(String listen) {
        return """
                server: { listen: %s, admin: 127.0.0.1:0, shutdown-grace: 10s, data-dir: %s }
                services: { app: { instances: [ "%s" ] } }
                routes: [ { path: /**, service: app } ]
                """.formatted(listen, dir.resolve("data"), upstream.url());
    }

    @Test
    void validateAcceptsAGoodConfig() throws Exception {
        Path file = config(valid("127.0.0.1:0"));
        Outcome o = run("validate", "-c", file.toString());
        assertThat(o.exit()).isZero();
        assertThat(o.out()).contains("ok (1 services, 1 routes)");
    }

    @Test
    void validateWarnsOfARouteToAServiceItDoesNotDefine() throws Exception {
        Path file = config("""
                services:
                  app: { instances: [ "http://127.0.0.1:1" ] }
                routes:
                  - { path: /x/**, service: app }
                  - { path: /echo/**, service: echo }
                """);
        Outcome o = run("validate", "-c", file.toString());
        assertThat(o.exit()).isZero();
        assertThat(o.err())
                .containsExactly(file + ":5: warning: routes[1].service: service 'echo' is not defined here;"
                        + " the route answers 503 until it registers");
        assertThat(o.out()).contains("ok (1 services, 2 routes, 1 warning(s))");
    }

    @Test
    void validatePrintsEveryErrorWithFileAndLine() throws Exception {
        Path file = config("""
                server: { listen: 127.0.0.1:99999 }
                services:
                  app: { instances: [ "http://127.0.0.1:1" ], load-balancer: roundrobin }
                routes:
                  - { path: /x, servce: app }
                """);
        Outcome o = run("validate", "-c", file.toString());
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(o.err()).allMatch(l -> l.matches(Pattern.quote(file.toString()) + ":\\d+: [\\w.\\[\\]-]+: .+"));
        assertThat(String.join("\n", o.err())).contains("did you mean").contains(":1: server.listen");
        assertNoStackTrace(o);
    }

    @Test
    void treePrintsTheDependencyGraphAndStartOrder() throws Exception {
        Path file = config("""
                services:
                  web: { instances: [ "http://127.0.0.1:1" ], depends-on: [api], process: { command: [web] } }
                  api: { instances: [ "http://127.0.0.1:2" ], depends-on: [db], process: { command: [api] } }
                  db: { instances: [ "http://127.0.0.1:3" ] }
                routes: []
                """);
        Outcome o = run("tree", "-c", file.toString());
        assertThat(o.exit()).isZero();
        assertThat(o.out())
                .startsWith("web\n└── api\n    └── db\n")
                .contains("  1. db (not launched)\n  2. api\n  3. web\n");

        Path cyclic = config("""
                services:
                  a: { instances: [ "http://127.0.0.1:1" ], depends-on: [b] }
                  b: { instances: [ "http://127.0.0.1:2" ], depends-on: [a] }
                routes: []
                """);
        Outcome bad = run("tree", "-c", cyclic.toString());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).containsExactly(cyclic + ":2: services.a.depends-on: forms a cycle: a -> b -> a");
    }

    @Test
    void aMissingFileIsOneLine() throws Exception {
        Outcome o = run("validate", "-c", dir.resolve("nope.yaml").toString());
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err()).hasSize(1);
        assertThat(o.err().get(0)).contains("nope.yaml");
        assertNoStackTrace(o);
    }

    @Test
    void noConfigHereSaysWhatToDo() throws Exception {
        Outcome o = run(baton("run").directory(dir.toFile()));
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .containsExactly("baton: no baton.yaml in " + dir.toRealPath()
                        + ": give a config with -c FILE, write one with 'baton init', or try 'baton demo'");
        Path elsewhere = dir.resolve("gateway.yaml");
        assertThat(run("validate", "-c", elsewhere.toString()).err())
                .containsExactly(
                        "baton: " + elsewhere + ": no such config file ('baton init -c " + elsewhere + "' writes one)");
    }

    @Test
    void initWritesAConfigThatRunsAndProxiesTheApplication() throws Exception {
        Path file = dir.resolve("baton.yaml");
        Outcome init = run(baton("init", "--upstream", upstream.url().toString(), "--port", "0", "--admin-port", "0")
                .directory(dir.toFile()));
        assertThat(init.exit()).as(String.join("\n", init.err())).isZero();
        assertThat(init.out()).startsWith("wrote baton.yaml: ").contains("next: 'baton run'");
        assertThat(Files.readString(file)).contains("# Baton in front of one application.");
        assertThat(run("validate", "-c", file.toString()).exit()).isZero();

        Outcome again = run(baton("init").directory(dir.toFile()));
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).containsExactly("baton: baton.yaml already exists (--force overwrites it)");

        Process p =
                baton("run").directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            int port = proxyPort(p);
            CompletableFuture.runAsync(() -> read(p.getInputStream()));
            HttpClient http = HttpClient.newHttpClient();
            URI app = URI.create("http://127.0.0.1:" + port + "/anything");
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(
                            () -> http.send(HttpRequest.newBuilder(app).build(), HttpResponse.BodyHandlers.ofString())
                                    .body(),
                            "hi"::equals);
            assertThat(dir.resolve("data"))
                    .as("data-dir: ./data, beside the config")
                    .isDirectory();
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void initPutsTheDataDirectoryWhereItIsTold() throws Exception {
        Path file = dir.resolve("etc/baton.yaml");
        Files.createDirectories(file.getParent());
        Path state = dir.resolve("var/lib/baton");
        Outcome init = run("init", "-c", file.toString(), "--data-dir", state.toString());
        assertThat(init.exit()).as(String.join("\n", init.err())).isZero();
        assertThat(Files.readString(file)).contains("  data-dir: \"" + state + "\"");
        assertThat(run("validate", "-c", file.toString()).exit()).isZero();
    }

    @Test
    void initRefusesWhatWouldNotRunAndWritesNothing() throws Exception {
        Path file = dir.resolve("x.yaml");
        Outcome bad = run("init", "-c", file.toString(), "--upstream", "ftp://example.com\"\nevil: 1");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).singleElement().asString().contains("services.app.instances[0]");
        assertThat(file).doesNotExist();
        assertThat(run("init", "-c", file.toString(), "--port", "70000").err())
                .containsExactly("baton: a port must be between 0 (any free one) and 65535, but was 70000");
        assertThat(file).doesNotExist();
    }

    /** Reads the command's output until it says where the proxy listens. */
    static int proxyPort(Process p) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern proxyLine = Pattern.compile("proxy: http://127\\.0\\.0\\.1:(\\d+)");
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = proxyLine.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("the command ended without printing its proxy port");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        assertThat(run().exit()).isEqualTo(2);
        Outcome bogus = run("run", "--bogus");
        assertThat(bogus.exit()).isEqualTo(2);
        assertThat(String.join("\n", bogus.err())).contains("--bogus");
        assertThat(run("frobnicate").exit()).isEqualTo(2);
        Outcome version = run("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out().strip()).as("the pom's version, not 'dev'").matches("baton \\d+\\.\\d+\\.\\d+.*");
        Outcome help = run("--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("validate").contains("run").contains("demo");
    }

    @Test
    void aTakenPortIsOneLineAndExitOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path file = config(valid("127.0.0.1:" + taken.getLocalPort()));
            Outcome o = run("run", "-c", file.toString());
            assertThat(o.exit()).isEqualTo(1);
            assertThat(o.err())
                    .filteredOn(l -> l.startsWith("baton: "))
                    .containsExactly("baton: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                            + " (proxy): address already in use");
            assertNoStackTrace(o);
        }
    }

    @Test
    void sigtermDrainsInFlightRequestsThenExitsZero() throws Exception {
        Path file = config(valid("127.0.0.1:0"));
        Process p =
                baton("run", "-c", file.toString()).redirectErrorStream(true).start();
        try {
            int port = proxyPort(p);
            CompletableFuture.runAsync(() -> read(p.getInputStream())); // keep the pipe from filling
            // HTTP/1.1: JDK 17's client aborts open HTTP/2 streams on a graceful GOAWAY (JDK-8335181).
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            URI base = URI.create("http://127.0.0.1:" + port);
            assertThat(http.send(
                                    HttpRequest.newBuilder(base.resolve("/hello"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString())
                            .body())
                    .isEqualTo("hi");

            int before = upstream.received().size();
            CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                    HttpRequest.newBuilder(base.resolve("/slow")).build(), HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> upstream.received().size() > before);
            p.destroy(); // SIGTERM

            assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("drained");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();
        } finally {
            p.destroyForcibly();
        }
    }
}
