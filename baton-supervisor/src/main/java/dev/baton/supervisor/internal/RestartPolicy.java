package dev.baton.supervisor.internal;

import dev.baton.config.Durations;
import dev.baton.config.ProcessConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;

/**
 * The restart policy of one process and what it remembers, apart from the state
 * machine that applies it: which exits are restarted at all, how long the next
 * restart waits, when the restarts within the window are too many, and how to say
 * so. The wait is {@link ProcessConfig#delay}, Baton's one backoff formula
 * ({@code dev.baton.resilience.Backoff}) over the failures in a row, which a stable
 * run resets.
 */
final class RestartPolicy {
    private static final Map<Integer, String> SIGNALS = Map.of(
            1, " (SIGHUP)", 2, " (SIGINT)", 6, " (SIGABRT)", 9, " (SIGKILL)", 11, " (SIGSEGV)", 15, " (SIGTERM)");

    private final ProcessConfig config;
    /** Failures in a row, for the backoff; cleared by a stable run. */
    private int failures;
    /** When each restart within the window happened. */
    private final Deque<Instant> recent = new ArrayDeque<>();

    RestartPolicy(ProcessConfig config) {
        this.config = config;
    }

    /** Whether an exit Baton did not ask for is followed by a restart ({@code restart:}). */
    boolean restarts(int code) {
        return switch (config.restart()) {
            case ALWAYS -> true;
            case ON_FAILURE -> code != 0;
            case NEVER -> false;
        };
    }

    /**
     * Counts one more failure at {@code now}: the wait before the restart, or empty
     * when {@code max-restarts} restarts within {@code restart-window} have already
     * been spent.
     */
    Optional<Duration> next(Instant now) {
        Instant from = now.minus(config.restartWindow());
        while (!recent.isEmpty() && recent.peekFirst().isBefore(from)) {
            recent.removeFirst();
        }
        if (recent.size() >= config.maxRestarts()) {
            return Optional.empty();
        }
        Duration delay = config.delay(failures);
        failures++;
        recent.addLast(now);
        return Optional.of(delay);
    }

    /** A run lasted {@code stable-after}: the next failure waits the first delay again. */
    void stableRun() {
        failures = 0;
    }

    /** An operator's fresh start: nothing before it counts. */
    void reset() {
        failures = 0;
        recent.clear();
    }

    /** Why the process was given up, after {@code why}, its last failure. */
    String gaveUp(String why) {
        int n = recent.size();
        return why + "; gave up after " + n + (n == 1 ? " restart" : " restarts") + " within "
                + Durations.format(config.restartWindow());
    }

    /** How a program ended, as people say it: an exit code, or the signal behind 128 + N. */
    static String describe(int code) {
        if (code > 128 && code < 160) {
            int signal = code - 128;
            return "was killed by signal " + signal + SIGNALS.getOrDefault(signal, "");
        }
        return "exited with code " + code;
    }
}
