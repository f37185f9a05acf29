package dev.baton.config;

import dev.baton.resilience.Backoff;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service's {@code process:}: the program Baton launches for it and how Baton
 * keeps it running. {@code command} is the argv to execute (with {@code shell: true}
 * already wrapped as {@code /bin/sh -c}); {@code {port}}, {@code {host}},
 * {@code {instance}} and {@code {service}} in it and in {@code env} are filled in per
 * process. With {@code perInstance}, one process runs per instance of the service,
 * each told its own instance's address; otherwise one process serves them all.
 *
 * <p>Restarts follow an exit Baton did not ask for (as {@code restart} says) and,
 * with {@code restartOnUnhealthy}, a running process whose health checks fail. The
 * n-th restart of a run of failures waits {@code restartDelay × backoffMultiplier^n},
 * at most {@code maxDelay}; a run that stays up for {@code stableAfter} starts the
 * count again. More than {@code maxRestarts} restarts within {@code restartWindow}
 * and the process is given up as FAILED.
 *
 * <p>A process is ready once its health checks pass or, without checks, once it
 * has stayed up for {@code minUptime} (pm2's {@code min_uptime}, supervisord's
 * {@code startsecs}): a program that dies at once never counts as started, so
 * what depends on it never starts.
 */
public record ProcessConfig(
        List<String> command,
        Map<String, String> env,
        Optional<Path> workingDir,
        boolean perInstance,
        Restart restart,
        int maxRestarts,
        Duration restartWindow,
        Duration restartDelay,
        double backoffMultiplier,
        Duration maxDelay,
        Duration stableAfter,
        Duration startTimeout,
        Duration minUptime,
        Duration stopGrace,
        int priority,
        boolean autostart,
        boolean restartOnUnhealthy,
        long logMaxSize,
        int logFiles) {

    /** Which exits are followed by a restart (docker's restart policies). */
    public enum Restart {
        /** Every exit Baton did not ask for. */
        ALWAYS,
        /** Exits with a code other than 0, and deaths by signal. */
        ON_FAILURE,
        /** None: the process stays stopped. */
        NEVER;

        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public ProcessConfig {
        command = List.copyOf(command);
        env = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env));
    }

    /** How long to wait before the restart that follows {@code failures} failures in a row (the first is 0). */
    public Duration delay(int failures) {
        return Duration.ofMillis(
                Backoff.millis(restartDelay.toMillis(), backoffMultiplier, maxDelay.toMillis(), failures));
    }
}
