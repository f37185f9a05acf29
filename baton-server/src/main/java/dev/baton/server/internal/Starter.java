package dev.baton.server.internal;

import dev.baton.config.ConfigError;

/**
 * The config {@code baton init} writes: one application behind the gateway, with a
 * health check, every line commented for someone who has not read the README yet.
 * The values given on the command line go in as quoted YAML strings, so whatever
 * they hold stays one value and the loader judges it.
 */
public final class Starter {
    private Starter() {}

    /**
     * The config proxying {@code port} to {@code upstream}, checked at {@code
     * health}, with the admin API on {@code admin} and Baton's state in {@code
     * dataDir} (relative to the file's directory).
     */
    public static String config(String upstream, int port, int admin, String health, String dataDir) {
        return """
                # Baton in front of one application. Written by `baton init`.
                #   baton validate   checks this file and prints every problem with its line
                #   baton run        starts the gateway; edits to this file apply while it runs
                # Every key and its default is in the README's "Config" section.

                server:
                  listen: 127.0.0.1:%d          # where clients connect; 0.0.0.0:%d for other machines
                  admin: 127.0.0.1:%d           # the admin API: /health, /services, /routes, /metrics
                  data-dir: %s # Baton's state; relative paths are from this file's directory

                services:
                  app:                            # the id routes use
                    instances:
                      - url: %s    # add more instances to balance over them
                    health-check:                 # used only while this answers 2xx or 3xx
                      path: %s
                      interval: 5s

                routes:
                  - path: /**                     # every path...
                    service: app                  # ...goes to the app
                """.formatted(port, port, admin, "%-21s".formatted(quoted(dataDir)), quoted(upstream), quoted(health));
    }

    /** A YAML double-quoted scalar: backslash and quote escaped, control characters as escapes. */
    static String quoted(String value) {
        return "\"" + ConfigError.oneLine(value.replace("\\", "\\\\").replace("\"", "\\\"")) + "\"";
    }
}
