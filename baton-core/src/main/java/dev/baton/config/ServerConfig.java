package dev.baton.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code server:} section: where the data plane and admin API listen, where
 * durable state lives, and how the process starts and stops.
 *
 * @param eventLoops event-loop threads for the proxy; 0 means one per core
 * @param shutdownGrace how long a SIGTERM waits for in-flight requests before closing
 * @param tls TLS termination on the proxy listener, when configured
 * @param requestId the request-id header and what to do with an invalid one
 */
public record ServerConfig(
        HostPort listen,
        HostPort admin,
        Path dataDir,
        boolean orchestratorPath,
        int eventLoops,
        Duration shutdownGrace,
        Optional<TlsConfig> tls,
        RequestIdConfig requestId) {

    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 8080);
    public static final HostPort DEFAULT_ADMIN = new HostPort("127.0.0.1", 9090);

    /** The proxy's event loops: as configured, or one per core this JVM may use. */
    public int effectiveEventLoops() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }
}
