package dev.baton.server;

import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.config.DependencyGraph;
import dev.baton.config.Durations;
import dev.baton.config.SecurityConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.security.Tokens;
import dev.baton.server.internal.Demo;
import dev.baton.server.internal.Starter;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code baton} command. Exit codes: 0 ok, 1 invalid input or
 * config or a failure to start, 2 usage error. Every failure is one clear line (or
 * one line per config error) on stderr, never a stack trace.
 */
@Command(
        name = "baton",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "API gateway and service orchestrator.",
        subcommands = {
            Main.Run.class,
            Main.DemoCommand.class,
            Main.Init.class,
            Main.Validate.class,
            Main.Tree.class,
            Main.Token.class
        })
public final class Main implements Runnable {
    static final String DEFAULT_CONFIG = "baton.yaml";

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("baton: " + oneLine(e));
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                new CommandLine(this),
                "a command is required: run, demo, init, validate, tree or token (see baton --help)");
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /**
     * The environment configs are expanded with: the process's, plus
     * {@code BATON_JAVA} (this JVM's java) and {@code BATON_CLASSPATH} (this Baton's
     * jar or classes) unless set, so a config can launch Java programs from the
     * Baton it runs in, as the demo does.
     */
    static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putIfAbsent(
                "BATON_JAVA",
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.putIfAbsent(
                "BATON_CLASSPATH",
                Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                        .map(p -> Path.of(p).toAbsolutePath().toString())
                        .collect(Collectors.joining(File.pathSeparator)));
        return env;
    }

    /** Prints every config error and returns exit code 1. */
    static int configErrors(ConfigException e, PrintWriter err) {
        e.errors().forEach(err::println);
        err.flush();
        return 1;
    }

    /** Runs until SIGTERM or SIGINT, then drains and exits 0. */
    static int serve(Baton baton, Runnable alsoStop) {
        CountDownLatch done = new CountDownLatch(1);
        Runnable shutdown = () -> {
            baton.stop();
            alsoStop.run();
            done.countDown();
        };
        Signals.onTermination(shutdown);
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    @Command(name = "run", description = "Start the gateway with a config file.", mixinStandardHelpOptions = true)
    static final class Run implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (file.missing(spec.commandLine().getErr())) {
                return 1;
            }
            Baton baton;
            try {
                baton = Baton.builder()
                        .configFile(file.config)
                        .env(environment())
                        .build();
            } catch (ConfigException e) {
                return configErrors(e, spec.commandLine().getErr());
            }
            baton.start();
            System.out.printf(
                    "Baton is running%n  proxy: http://%s:%d%n  admin: http://%s:%d/health%n",
                    baton.config().server().listen().host(),
                    baton.proxyPort(),
                    baton.config().server().admin().host(),
                    baton.adminPort());
            return serve(baton, () -> {});
        }
    }

    @Command(
            name = "demo",
            description = "Start the gateway with the demo config; it launches and supervises the demo services.",
            mixinStandardHelpOptions = true)
    static final class DemoCommand implements java.util.concurrent.Callable<Integer> {
        private static final java.time.Duration DEMO_READY_TIMEOUT = java.time.Duration.ofSeconds(60);

        @Option(
                names = {"-c", "--config"},
                description = "demo config (default: examples/demo.yaml under BATON_HOME)")
        @Nullable
        Path config; // no default: null when not given

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            Path file = config != null
                    ? config
                    : Path.of(System.getenv().getOrDefault("BATON_HOME", "."), "examples", "demo.yaml");
            Baton baton;
            try {
                baton = Baton.builder().configFile(file).env(environment()).build();
            } catch (ConfigException e) {
                return configErrors(e, spec.commandLine().getErr());
            }
            System.out.println("Baton demo: starting the gateway and the demo services...");
            System.out.flush();
            baton.start();
            // The banner's first lines must work when tried: wait for every instance.
            List<String> starting = baton.awaitReady(DEMO_READY_TIMEOUT);
            System.out.print(Demo.banner(baton.proxyPort(), baton.adminPort(), starting));
            System.out.flush();
            return serve(baton, () -> {});
        }
    }

    @Command(
            name = "validate",
            description = "Check a config file; print every error.",
            mixinStandardHelpOptions = true)
    static final class Validate extends ConfigCommand {
        @Override
        int call(Config c) {
            PrintWriter err = spec.commandLine().getErr();
            c.warnings().forEach(w -> err.println(w.asWarning()));
            err.flush();
            spec.commandLine()
                    .getOut()
                    .printf(
                            "%s: ok (%d services, %d routes%s)%n",
                            file.config,
                            c.services().size(),
                            c.routes().size(),
                            c.warnings().isEmpty() ? "" : ", " + c.warnings().size() + " warning(s)");
            return 0;
        }
    }

    @Command(
            name = "tree",
            description = "Print the services' depends-on graph as a tree, and the order Baton starts them in.",
            mixinStandardHelpOptions = true)
    static final class Tree extends ConfigCommand {
        @Override
        int call(Config c) {
            DependencyGraph g = DependencyGraph.of(c.services().values());
            PrintWriter out = spec.commandLine().getOut();
            out.print(g.tree());
            out.println();
            out.println("start order (each line starts in parallel, after the one above is ready):");
            List<List<String>> levels = g.levels();
            for (int i = 0; i < levels.size(); i++) {
                out.printf(
                        "  %d. %s%n",
                        i + 1,
                        levels.get(i).stream()
                                .map(id -> Optional.ofNullable(c.services().get(id))
                                                .flatMap(ServiceConfig::process)
                                                .isPresent()
                                        ? id
                                        : id + " (not launched)")
                                .collect(Collectors.joining(", ")));
            }
            out.flush();
            return 0;
        }
    }

    @Command(
            name = "token",
            description = "Print a signed JWT (HS256, the config's security.jwt.secret) for the admin API or routes.",
            mixinStandardHelpOptions = true)
    static final class Token extends ConfigCommand {
        @Option(
                names = "--role",
                required = true,
                description = "a role to grant (readonly, user, admin, ...); repeat for several")
        List<String> roles;

        @Option(names = "--sub", description = "the subject (default: ${DEFAULT-VALUE})", defaultValue = "baton-cli")
        String subject;

        @Option(
                names = "--ttl",
                description = "lifetime such as 15m or 1h (default: ${DEFAULT-VALUE})",
                defaultValue = "1h")
        String ttl;

        @Override
        int call(Config c) {
            PrintWriter err = spec.commandLine().getErr();
            Duration lifetime;
            try {
                lifetime = Durations.parse(ttl);
            } catch (IllegalArgumentException e) {
                err.println("baton token: --ttl: " + e.getMessage());
                return 2;
            }
            Optional<SecurityConfig.Jwt> jwt = c.security().jwt();
            if (jwt.isEmpty() || jwt.get().secret().isEmpty()) {
                err.println("baton token: " + file.config + " has no security.jwt.secret to sign tokens with");
                return 1;
            }
            spec.commandLine()
                    .getOut()
                    .println(Tokens.issue(
                            jwt.get().secret().get(),
                            jwt.get().rolesClaim(),
                            roles,
                            subject,
                            jwt.get().issuer(),
                            lifetime,
                            Instant.now()));
            return 0;
        }
    }

    /** A command that reads the config file first: every error in it is printed, exit 1. */
    abstract static class ConfigCommand implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (file.missing(spec.commandLine().getErr())) {
                return 1;
            }
            Config c;
            try {
                c = new ConfigLoader(environment()).load(file.config);
            } catch (ConfigException e) {
                return configErrors(e, spec.commandLine().getErr());
            }
            return call(c);
        }

        abstract int call(Config config);
    }

    @Command(
            name = "init",
            description = "Write a minimal, commented config that proxies one application, and validate it.",
            mixinStandardHelpOptions = true)
    static final class Init implements java.util.concurrent.Callable<Integer> {
        @CommandLine.Mixin
        ConfigOption file;

        @Option(
                names = "--upstream",
                description = "your application's URL (default: ${DEFAULT-VALUE})",
                defaultValue = "http://127.0.0.1:3000")
        String upstream;

        @Option(
                names = "--port",
                description = "the port clients connect to (default: ${DEFAULT-VALUE})",
                defaultValue = "8080")
        int port;

        @Option(
                names = "--admin-port",
                description = "the admin API's port (default: ${DEFAULT-VALUE})",
                defaultValue = "9090")
        int adminPort;

        @Option(
                names = "--health",
                description = "the application's health-check path (default: ${DEFAULT-VALUE})",
                defaultValue = "/health")
        String health;

        @Option(
                names = "--data-dir",
                description = "Baton's state, relative to the config file's directory (default: ${DEFAULT-VALUE})",
                defaultValue = "./data")
        String dataDir;

        @Option(names = "--force", description = "overwrite an existing file")
        boolean force;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            for (int p : new int[] {port, adminPort}) {
                if (p < 0 || p > 65535) {
                    err.println("baton: a port must be between 0 (any free one) and 65535, but was " + p);
                    return 2;
                }
            }
            if (port == adminPort && port != 0) {
                err.println("baton: --port and --admin-port must differ, but both are " + port);
                return 2;
            }
            if (Files.exists(file.config) && !force) {
                err.println("baton: " + file.config + " already exists (--force overwrites it)");
                return 1;
            }
            String yaml = Starter.config(upstream, port, adminPort, health, dataDir);
            try {
                // Checked before it is written: a bad --upstream leaves no file behind.
                new ConfigLoader(environment()).parse(yaml, file.config.toString());
            } catch (ConfigException e) {
                return configErrors(e, err);
            }
            try {
                Files.writeString(file.config, yaml);
            } catch (java.io.IOException e) {
                err.println("baton: cannot write " + file.config + ": " + e.getMessage());
                return 1;
            }
            String run = file.config.equals(Path.of(DEFAULT_CONFIG)) ? "baton run" : "baton run -c " + file.config;
            spec.commandLine()
                    .getOut()
                    .printf(
                            "wrote %s: http://127.0.0.1:%d/ proxies to %s (health check %s)%n"
                                    + "next: '%s', then edit the file: changes apply while it runs%n",
                            file.config, port, upstream, health, run);
            return 0;
        }
    }

    /** The {@code -c FILE} option of the commands that read a config. */
    static final class ConfigOption {
        @Option(
                names = {"-c", "--config"},
                description = "config file (default: ${DEFAULT-VALUE})",
                defaultValue = DEFAULT_CONFIG)
        Path config;

        /**
         * True, with one line on {@code err} saying what to do, when the config file
         * does not exist: the first thing a new user meets, so it names the ways on.
         */
        boolean missing(PrintWriter err) {
            if (Files.exists(config)) {
                return false;
            }
            if (config.equals(Path.of(DEFAULT_CONFIG))) {
                err.println("baton: no " + DEFAULT_CONFIG + " in " + Path.of("").toAbsolutePath()
                        + ": give a config with -c FILE, write one with 'baton init', or try 'baton demo'");
            } else {
                err.println("baton: " + config + ": no such config file ('baton init -c " + config + "' writes one)");
            }
            err.flush();
            return true;
        }
    }

    /** Reports the version the build wrote down (see {@link Baton#version()}). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"baton " + Baton.version()};
        }
    }
}
