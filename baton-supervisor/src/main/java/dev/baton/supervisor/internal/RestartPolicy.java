package dev.baton.supervisor.internal;

import dev.baton.config.Durations;
import dev.baton.config.ProcessConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The restart policy of one process, apart from the state machine that applies it:
 * which exits are restarted at all, how long the next restart waits (backoff that
 * a stable run resets, counted in {@link Supervised#failures}), when the restarts
 * within the window are too many, and how to say so.
 */
final class RestartPolicy {
    private static final Map<Integer, String> SIGNALS = Map.of(
            1, " (SIGHUP)", 2, " (SIGINT)", 6, " (SIGABRT)", 9, " (SIGKILL)", 11, " (SIGSEGV)", 15, " (SIGTERM)");

    private RestartPolicy() {}

    /** Whether an exit Baton did not ask for is followed by a restart ({@code restart:}). */
    static boolean restarts(ProcessConfig c, int code) {
        return switch (c.restart()) {
            case ALWAYS -> true;
            case ON_FAILURE -> code != 0;
            case NEVER -> false;
        };
    }

    /**
     * Counts one more failure of {@code p} at {@code now}: the wait before its
     * restart, or empty when {@code max-restarts} restarts within
     * {@code restart-window} have already been spent.
     */
    static Optional<Duration> next(Supervised p, Instant now) {
        Instant from = now.minus(p.config.restartWindow());
        while (!p.recent.isEmpty() && p.recent.peekFirst().isBefore(from)) {
            p.recent.removeFirst();
        }
        if (p.recent.size() >= p.config.maxRestarts()) {
            return Optional.empty();
        }
        Duration delay = p.config.delay(p.failures);
        p.failures++;
        p.recent.addLast(now);
        return Optional.of(delay);
    }

    /** Why a process was given up, after {@code why}, its last failure. */
    static String gaveUp(Supervised p, String why) {
        int n = p.recent.size();
        return why + "; gave up after " + n + (n == 1 ? " restart" : " restarts") + " within "
                + Durations.format(p.config.restartWindow());
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
