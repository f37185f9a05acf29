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
import java.io.File;
import java.io.PrintWriter;
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
        subcommands = {Main.Run.class, Main.DemoCommand.class, Main.Validate.class, Main.Tree.class, Main.Token.class})
public final class Main implements Runnable {

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
                new CommandLine(this), "a command is required: run, demo, validate, tree or token (see baton --help)");
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
            baton.start();
            System.out.print(Demo.banner(baton.proxyPort(), baton.adminPort()));
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
            spec.commandLine()
                    .getOut()
                    .printf(
                            "%s: ok (%d services, %d routes)%n",
                            file.config, c.services().size(), c.routes().size());
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

    /** The {@code -c FILE} option of the commands that read a config. */
    static final class ConfigOption {
        @Option(
                names = {"-c", "--config"},
                description = "config file (default: ${DEFAULT-VALUE})",
                defaultValue = "baton.yaml")
        Path config;
    }

    /** Reports the version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"baton " + Baton.version()};
        }
    }
}
