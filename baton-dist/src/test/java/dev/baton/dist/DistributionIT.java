package dev.baton.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tarball as a user meets it: unpacked with {@code tar} into a directory
 * outside the repository, its {@code bin/baton} run with no Maven and no
 * repository around, from elsewhere and through a symlink, with Java found through
 * {@code JAVA_HOME} or {@code PATH} or not at all, and stopped with SIGTERM.
 */
class DistributionIT {
    private static final String VERSION = System.getProperty("dist.version", "");
    private static final Path TARBALL = Path.of(System.getProperty("dist.tarball", "missing.tar.gz"));
    private static final String JAVA =
            Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @TempDir
    static Path unpacked;

    static Path home;

    @TempDir
    Path dir;

    @BeforeAll
    static void unpack() throws Exception {
        assertThat(TARBALL).as("the package phase's tarball").isRegularFile();
        Outcome tar = run(new ProcessBuilder("tar", "-xzf", TARBALL.toString(), "-C", unpacked.toString()));
        assertThat(tar.exit()).as(String.join("\n", tar.err())).isZero();
        home = unpacked.resolve("baton-" + VERSION);
    }

    /** The symlinks to the machine's tools, removed here: JUnit warns of each one it finds pointing out. */
    @AfterEach
    void removeSymlinks() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isSymbolicLink).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void holdsTheLauncherTheJarsAStarterConfigAndAUnit() throws Exception {
        try (Stream<Path> top = Files.list(unpacked)) {
            assertThat(top).as("one directory at the top").containsExactly(home);
        }
        assertThat(Files.getPosixFilePermissions(home.resolve("bin/baton")))
                .contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(home.resolve("LICENSE")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("examples/demo.yaml")).isRegularFile();
        assertThat(Files.readString(home.resolve("conf/baton.yaml")))
                .startsWith("# Baton in front of one application. Written by `baton init`.")
                .contains("  data-dir: \"../data\"");

        List<String> jars;
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            jars = lib.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(jars)
                .allMatch(j -> j.endsWith(".jar"))
                .contains("baton-server-" + VERSION + ".jar", "baton-core-" + VERSION + ".jar")
                .anyMatch(j -> j.startsWith("logback-classic-"))
                .as("no shaded jar, nothing only the tests use")
                .noneMatch(j -> j.endsWith("-cli.jar") || j.startsWith("junit-") || j.startsWith("assertj-"));
    }

    @Test
    void validatesItsOwnConfigWithTheJavaOfJavaHome() throws Exception {
        ProcessBuilder validate = baton("validate", "-c", "conf/baton.yaml").directory(home.toFile());
        validate.environment().put("JAVA_HOME", System.getProperty("java.home"));
        validate.environment().put("PATH", "/usr/bin:/bin");
        Outcome o = run(validate);
        assertThat(o.exit()).as(String.join("\n", o.err())).isZero();
        assertThat(o.out()).isEqualTo("conf/baton.yaml: ok (1 services, 1 routes)\n");
    }

    @Test
    void runsThroughASymlinkFromAnyDirectoryWithTheJavaOnPath() throws Exception {
        Path bin = tools("bash", "readlink");
        Files.createSymbolicLink(bin.resolve("java"), Path.of(JAVA));
        Path links = Files.createDirectories(dir.resolve("usr/local/bin"));
        Path link = Files.createSymbolicLink(links.resolve("baton"), links.relativize(home.resolve("bin/baton")));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));

        ProcessBuilder version = new ProcessBuilder(link.toString(), "--version").directory(elsewhere.toFile());
        version.environment().remove("JAVA_HOME");
        version.environment().put("PATH", bin.toString());
        Outcome o = run(version);
        assertThat(o.exit()).as(String.join("\n", o.err())).isZero();
        assertThat(o.out()).isEqualTo("baton " + VERSION + "\n");
    }

    @Test
    void runsAnswersAndStopsCleanlyOnSigterm() throws Exception {
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: "%s", shutdown-grace: 5s }
                services: { app: { instances: [ "http://127.0.0.1:9" ] } }
                routes: [ { path: /**, service: app } ]
                """.formatted(dir.resolve("data")));
        ProcessBuilder command = baton("run", "-c", config.toString()).directory(dir.toFile());
        command.environment().put("JAVA_OPTS", "-Xmx128m");
        Process p = command.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            URI health = URI.create(line(out, Pattern.compile("admin: (http://\\S+/health)")));
            CompletableFuture.runAsync(() -> read(p.getInputStream()));

            HttpResponse<String> answer = HttpClient.newHttpClient()
                    .send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")))
                    .as("bin/baton execs the JVM, so the signal reaches it")
                    .contains("dev.baton.server.Main");

            // SIGTERM, through the handle: Process.destroy would also close the pipes being read.
            p.toHandle().destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS))
                    .as("exited after SIGTERM")
                    .isTrue();
            assertThat(p.exitValue()).as(err.get(5, TimeUnit.SECONDS)).isZero();
            assertThat(err.get()).contains("shutting down");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void withoutJavaItSaysSoInOneLine() throws Exception {
        ProcessBuilder validate = baton("validate", "-c", "conf/baton.yaml").directory(home.toFile());
        validate.environment().remove("JAVA_HOME");
        validate.environment().put("PATH", tools("bash").toString());
        Outcome o = run(validate);
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.out()).isEmpty();
        assertThat(o.err())
                .containsExactly("baton: Java 17 or newer is needed, and there is no java on PATH and no JAVA_HOME:"
                        + " install one, or set JAVA_HOME to one");
    }

    @Test
    void aJavaHomeWithoutJavaIsOneLine() throws Exception {
        ProcessBuilder validate = baton("--version").directory(home.toFile());
        validate.environment().put("JAVA_HOME", dir.toString());
        Outcome o = run(validate);
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .singleElement()
                .asString()
                .startsWith("baton: JAVA_HOME is " + dir + ", which has no bin/java");
    }

    /** What old JVMs print for {@code -version}, with a line a JAVA_TOOL_OPTIONS adds before it. */
    @ParameterizedTest
    @ValueSource(strings = {"java version \"1.8.0_392\"", "openjdk version \"11.0.22\" 2024-01-16"})
    void anOlderJavaIsOneLine(String versionLine) throws Exception {
        Path fake = Files.createDirectories(dir.resolve("old-java/bin"));
        Path java = fake.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                echo 'Picked up JAVA_TOOL_OPTIONS: -Dfile.encoding=UTF-8' >&2
                echo '%s' >&2
                echo 'OpenJDK Runtime Environment (build 0)' >&2
                """.formatted(versionLine));
        java.toFile().setExecutable(true);
        ProcessBuilder validate = baton("validate", "-c", "conf/baton.yaml").directory(home.toFile());
        validate.environment().put("JAVA_HOME", dir.resolve("old-java").toString());
        Outcome o = run(validate);
        String major = versionLine.contains("1.8") ? "8" : "11";
        assertThat(o.exit()).isEqualTo(1);
        assertThat(o.err())
                .containsExactly("baton: Java 17 or newer is needed, but " + java + " is Java " + major
                        + ": set JAVA_HOME to a newer one, or put one first on PATH");
    }

    @Test
    void theSystemdUnitRunsTheLauncherHardenedAndOutlastsTheDrain() throws Exception {
        String unit = Files.readString(home.resolve("contrib/baton.service"));
        assertThat(unit)
                .contains("\nExecStart=/opt/baton/bin/baton run -c /etc/baton/baton.yaml\n")
                .contains("\nType=simple\n", "\nRestart=on-failure\n", "\nUser=baton\n", "\nKillMode=mixed\n")
                .contains("\nNoNewPrivileges=yes\n", "\nProtectSystem=strict\n", "\nProtectHome=yes\n")
                .contains("\nPrivateTmp=yes\n", "\nPrivateDevices=yes\n", "\nProtectKernelTunables=yes\n")
                .contains("\nProtectKernelModules=yes\n", "\nRestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\n")
                .contains("\nReadWritePaths=/var/lib/baton\n", "\nLimitNOFILE=65536\n")
                .doesNotContain("\nMemoryDenyWriteExecute");
        Matcher stop = Pattern.compile("\nTimeoutStopSec=(\\d+)s\n").matcher(unit);
        assertThat(stop.find()).as("TimeoutStopSec in seconds").isTrue();
        assertThat(Integer.parseInt(stop.group(1)))
                .as("longer than server.shutdown-grace's 30s")
                .isGreaterThan(30);

        Optional<Path> analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze")
                .map(Path::of)
                .filter(Files::isExecutable)
                .findFirst();
        assumeTrue(
                analyze.isPresent(),
                "systemd-analyze is not on this machine: contrib/baton.service was checked as text only,"
                        + " not with systemd-analyze verify");
        // verify also checks that ExecStart exists: the unpacked launcher stands in for /opt/baton's.
        Path copy = Files.createDirectories(dir.resolve("units")).resolve("baton.service");
        Files.writeString(
                copy,
                unit.replace("/opt/baton/bin/baton", home.resolve("bin/baton").toString()));
        Outcome verify = run(new ProcessBuilder(analyze.get().toString(), "verify", copy.toString()));
        assertThat(verify.err())
                .as("what systemd-analyze verify says of the unit")
                .noneMatch(l -> l.contains("baton.service"));
        assertThat(verify.exit()).as(String.join("\n", verify.err())).isZero();
    }

    /** What one run of a command left behind. */
    record Outcome(int exit, String out, List<String> err) {}

    private static ProcessBuilder baton(String... args) {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/baton").toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    /** A directory holding only these commands (symlinks to the machine's): a PATH with nothing else. */
    private Path tools(String... names) throws IOException {
        Path bin = Files.createTempDirectory(dir, "bin");
        for (String name : names) {
            Path real = Stream.of("/usr/bin/", "/bin/")
                    .map(d -> Path.of(d + name))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + name + " in /usr/bin or /bin"));
            Files.createSymbolicLink(bin.resolve(name), real);
        }
        return bin;
    }

    private static Outcome run(ProcessBuilder command) throws Exception {
        Process p = command.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.command() + " did not end within 60 s");
        }
        return new Outcome(p.exitValue(), out.get(), err.get().lines().toList());
    }

    /** The first group of the first line {@code pattern} finds; fails if the output ends first. */
    private static String line(BufferedReader out, Pattern pattern) throws IOException {
        for (String l; (l = out.readLine()) != null; ) {
            Matcher m = pattern.matcher(l);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("the output ended without a line matching " + pattern);
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
