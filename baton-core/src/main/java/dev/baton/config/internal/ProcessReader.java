package dev.baton.config.internal;

import dev.baton.config.ProcessConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads a service's {@code process:} (see {@link ProcessConfig}). */
final class ProcessReader {
    private ProcessReader() {}

    /** Placeholders filled in per process; naming one makes a process per instance by default. */
    private static final java.util.regex.Pattern PER_INSTANCE =
            java.util.regex.Pattern.compile("\\{(port|host|instance)}");

    static ProcessConfig process(Section s, int instances) {
        boolean shell = s.bool("shell", false);
        List<String> command = s.strings("command");
        if (command.isEmpty()) {
            s.error("command", "is required (a list: [program, arg, ...])");
        } else if (shell) {
            if (command.size() != 1) {
                s.error("command", "with shell: true, give one string for /bin/sh -c");
            }
            command = List.of("/bin/sh", "-c", String.join(" ", command));
        }
        Map<String, String> env = new java.util.LinkedHashMap<>();
        if (s.has("env")) {
            Section e = s.section("env");
            s.stringMap("env").forEach((k, v) -> {
                if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    e.error(k, "is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
                }
                try {
                    env.put(k, Values.expand(v, s.problems().env()));
                } catch (IllegalArgumentException ex) {
                    e.error(k, Problems.why(ex));
                }
            });
        }
        Optional<java.nio.file.Path> workingDir = s.value("working-dir", s.problems()::path);
        workingDir
                .filter(d -> !java.nio.file.Files.isDirectory(d))
                .ifPresent(d -> s.error("working-dir", "is not a directory: " + d));
        boolean mentions = command.stream()
                        .anyMatch(a -> PER_INSTANCE.matcher(a).find())
                || env.values().stream().anyMatch(v -> PER_INSTANCE.matcher(v).find());
        boolean perInstance = s.bool("per-instance", mentions);
        if (!perInstance && mentions && instances > 1) {
            s.error(
                    "per-instance",
                    "is false, but the command or env names {port}, {host} or {instance} and the service has "
                            + instances + " instances: which one's?");
        }
        ProcessConfig.Restart restart = s.value("restart", v -> switch (v) {
                    case "always" -> ProcessConfig.Restart.ALWAYS;
                    case "on-failure" -> ProcessConfig.Restart.ON_FAILURE;
                    case "never" -> ProcessConfig.Restart.NEVER;
                    default ->
                        throw new IllegalArgumentException("expected always, on-failure or never, got '" + v + "'");
                })
                .orElse(ProcessConfig.Restart.ALWAYS);
        int maxRestarts = s.integer("max-restarts", 5, 0, 1000);
        Duration window =
                s.duration("restart-window", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofDays(1));
        Duration delay = s.duration("restart-delay", Duration.ofSeconds(1), Duration.ZERO, Duration.ofHours(1));
        double multiplier = s.number("backoff-multiplier", 2.0, 1.0, 10.0);
        Duration maxDelay = s.duration("max-delay", Duration.ofMinutes(1), Duration.ZERO, Duration.ofHours(1));
        if (maxDelay.compareTo(delay) < 0) {
            s.error("max-delay", "is less than restart-delay (" + delay.toMillis() + "ms)");
        }
        Duration stable = s.duration("stable-after", Duration.ofSeconds(60), Duration.ZERO, Duration.ofDays(1));
        Duration startTimeout =
                s.duration("start-timeout", Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofHours(1));
        Duration minUptime = s.duration("min-uptime", Duration.ofSeconds(1), Duration.ZERO, Duration.ofHours(1));
        Duration stopGrace = s.duration("stop-grace", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(10));
        int priority = s.integer("priority", 0, -1_000_000, 1_000_000);
        boolean autostart = s.bool("autostart", true);
        boolean onUnhealthy = s.bool("restart-on-unhealthy", true);
        long logMaxSize = s.size("log-max-size", 10L * 1024 * 1024);
        if (logMaxSize < 1024) {
            s.error("log-max-size", "must be at least 1KB");
        }
        int logFiles = s.integer("log-files", 3, 0, 100);
        s.finish();
        return new ProcessConfig(
                command,
                env,
                workingDir,
                perInstance,
                restart,
                maxRestarts,
                window,
                delay,
                multiplier,
                maxDelay,
                stable,
                startTimeout,
                minUptime,
                stopGrace,
                priority,
                autostart,
                onUnhealthy,
                logMaxSize,
                logFiles);
    }
}
