package dev.baton.server;

import java.nio.file.Path;

/**
 * An application that embeds Baton and exits without stopping it, run as its own
 * JVM by {@link BatonProcessTest}: its supervised programs must not outlive it.
 */
public final class ExitingEmbedder {
    private ExitingEmbedder() {}

    public static void main(String[] args) throws Exception {
        Baton baton = Baton.builder()
                .configFile(Path.of(args[0]))
                .watch(false)
                .build()
                .start();
        while (!baton.supervisor().processes().getOrDefault("api", java.util.List.of()).stream()
                        .allMatch(p -> p.state() == dev.baton.supervisor.ProcessState.RUNNING)
                || baton.supervisor().processes().isEmpty()) {
            Thread.sleep(50); // waiting for the programs to run (a JVM of its own: no Awaitility here)
        }
        System.out.println("running");
        System.out.flush();
        Thread.sleep(Long.parseLong(args[1])); // the behaviour under test: an embedder that runs a while, then exits
        System.exit(3);
    }
}
