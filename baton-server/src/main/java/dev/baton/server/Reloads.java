package dev.baton.server;

import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.control.ConfigRejection;
import dev.baton.control.ControlPlane;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a new config reaches the gateway: read the file, parse and validate it, hand
 * it to the control plane (which compiles the next snapshot and gives it to every
 * component), and say so. It counts what was applied and what was rejected, across
 * a Baton's starts, and publishes {@code CONFIG_RELOADED} or {@code CONFIG_REJECTED}
 * for reloads of the file. An invalid config changes nothing.
 */
final class Reloads {
    private static final Logger log = LoggerFactory.getLogger(Reloads.class);

    private final Optional<Path> file;
    private final ConfigLoader loader;
    private final ControlPlane plane;
    private final EventSink events;
    private final Object lock;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile Optional<ConfigRejection> lastRejection = Optional.empty();
    private final Clock clock;

    /**
     * {@code lock} is the one a Baton starts and stops under: a config is never
     * applied to components half started or half closed.
     */
    Reloads(Optional<Path> file, ConfigLoader loader, ControlPlane plane, EventSink events, Object lock, Clock clock) {
        this.file = file;
        this.clock = clock;
        this.loader = loader;
        this.plane = plane;
        this.events = events;
        this.lock = lock;
    }

    /**
     * Swaps in a config given in code ({@code Baton.apply}) and says so on the bus
     * as a file reload does, with {@code source: "api"} in place of the file.
     */
    void applyAndPublish(Config config) {
        synchronized (lock) {
            swap(config);
        }
        log.info("config applied (api)");
        events.publish(EventType.CONFIG_RELOADED, Map.of("source", "api", "reloads", applied.get()));
    }

    /** Swaps in a new config, warning about the settings that only a restart changes. */
    private void apply(Config config) {
        synchronized (lock) {
            swap(config);
        }
    }

    private void swap(Config config) {
        Config old = plane.fileConfig();
        if (!old.server().equals(config.server())) {
            log.warn("server settings changed; listeners and event loops keep their old values until a restart");
        }
        if (!old.store().equals(config.store())) {
            log.warn("store settings changed; the store in use stays until a restart");
        }
        if (!old.health().equals(config.health())) {
            log.warn("health.max-concurrent-checks changed; it keeps its old value until a restart");
        }
        if (old.observability().events().history()
                != config.observability().events().history()) {
            log.warn("events.history changed; the event history keeps its old size until a restart");
        }
        if (!old.discovery().equals(config.discovery())) {
            log.warn("discovery.files changed; the old directory is watched until a restart");
        }
        plane.apply(config);
        applied.incrementAndGet();
        config.warnings().forEach(w -> log.warn("{}", w.asWarning()));
    }

    /** Re-reads the config file and applies it; ConfigException, and the old config kept, when it is invalid. */
    void reload() {
        apply(loader.load(file())); // the loader reads and validates: only a valid config reaches apply
    }

    /**
     * Reloads the config file and says so on the event bus; an invalid file is
     * counted, logged and published, then rethrown for callers that answer someone.
     */
    void reloadAndPublish(String cause) {
        String name = file().toString();
        try {
            reload();
        } catch (ConfigException e) {
            log.error("config change rejected ({}), still serving the last good config:\n{}", cause, e.getMessage());
            rejected(cause, name, e.errors().stream().map(Object::toString).toList());
            throw e;
        } catch (RuntimeException e) {
            log.error("config change rejected ({}): {}", cause, e.toString());
            rejected(cause, name, List.of(e.toString()));
            throw e;
        }
        log.info("config reloaded from {} ({})", name, cause);
        events.publish(EventType.CONFIG_RELOADED, Map.of("source", "file", "file", name, "reloads", applied.get()));
    }

    private void rejected(String cause, String name, List<String> errors) {
        rejected.incrementAndGet();
        lastRejection = Optional.of(new ConfigRejection(clock.instant(), cause, name, errors, applied.get()));
        events.publish(EventType.CONFIG_REJECTED, Map.of("file", name, "errors", errors));
    }

    /** The last change of the file that was refused, if any was, across a Baton's starts. */
    Optional<ConfigRejection> lastRejection() {
        return lastRejection;
    }

    /** What the file watcher calls: a change of the file on disk. */
    void fileChanged() {
        try {
            reloadAndPublish("file change");
        } catch (RuntimeException logged) {
            // reloadAndPublish logged and counted it; the last good config keeps serving
        }
    }

    /** Configs applied, by a file change, the admin API or {@link Baton#apply}. */
    long applied() {
        return applied.get();
    }

    /** Changed config files that were invalid and so not applied. */
    long rejected() {
        return rejected.get();
    }

    private Path file() {
        return file.orElseThrow(() -> new IllegalStateException("no config file to reload"));
    }
}
