package dev.baton.supervisor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Starts programs for the supervisor. The real one forks operating-system
 * processes; tests of the restart policy hand in one that only pretends.
 */
public interface Launcher {

    /** What to run: the argv, extra environment, working directory and where its output goes. */
    record Spec(
            String id,
            List<String> command,
            Map<String, String> env,
            Optional<Path> workingDir,
            Path log,
            long logMaxSize,
            int logFiles) {
        public Spec {
            command = List.copyOf(command);
            env = Map.copyOf(env);
        }
    }

    /** A launched program. */
    interface Child {
        long pid();

        /** Completes with the exit code once the program has ended (128 + N after signal N). */
        CompletableFuture<Integer> exit();

        /** Asks it and its descendants to end: SIGTERM. */
        void terminate();

        /** Ends it and its descendants at once: SIGKILL. */
        void kill();

        /** It has become ready: whatever identifies it can be taken again now (after a wrapper's exec). */
        default void ready() {}
    }

    /** Starts {@code spec}; IOException when the program cannot be started (not found, not executable). */
    Child launch(Spec spec) throws IOException;
}
