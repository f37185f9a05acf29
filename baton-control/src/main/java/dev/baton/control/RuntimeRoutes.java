package dev.baton.control;

import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.RouteConfig;
import dev.baton.config.RuntimeRoute;
import dev.baton.lifecycle.Component;
import dev.baton.registry.Registry;
import dev.baton.store.Documents;
import dev.baton.store.Store;
import dev.baton.store.StoreException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes added, replaced and deleted at run time through the admin API, as Kong's
 * and APISIX's admin APIs do: persisted in the store, layered after the config
 * file's routes (see {@link Registry#merge}). Like {@link RuntimeServices}, every
 * change is stored first, then applied to the registry, then made live by {@code
 * rebuild}, so a caller that is answered finds its route both served and durable,
 * and a failed write changes nothing. A route the config file defines is the file's:
 * it can be neither replaced nor deleted here. Methods block on the store: call them
 * from worker threads, never an event loop.
 */
public final class RuntimeRoutes implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(RuntimeRoutes.class);

    private final Registry registry;
    private final DataStore data;
    private final Supplier<Config> fileConfig;
    private final Supplier<Config> context;
    private final Runnable rebuild;
    private final Clock clock;
    private boolean closed;

    /**
     * {@code fileConfig} is the config file as last loaded; {@code context} the config
     * in force with services from every source, which a route is validated against.
     */
    public RuntimeRoutes(
            Registry registry,
            DataStore data,
            Supplier<Config> fileConfig,
            Supplier<Config> context,
            Runnable rebuild,
            Clock clock) {
        this.registry = registry;
        this.data = data;
        this.fileConfig = fileConfig;
        this.context = context;
        this.rebuild = rebuild;
        this.clock = clock;
    }

    /** What a put did: the route as accepted, and whether it replaced a run-time route of the same id. */
    public record Put(RuntimeRoute route, boolean replaced) {}

    /** Why a change was refused though the route is valid: {@code code} is the admin API's error code. */
    public static final class Refused extends RuntimeException {
        private final String code;

        Refused(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        /** {@code defined_in_config} or {@code route_exists}. */
        public String code() {
            return code;
        }
    }

    /**
     * Reads back the routes of an earlier run, or another Baton's on a shared
     * PostgreSQL store, when there is a store (see {@link DataStore#exists}).
     * One that no longer reads (a later version's rules) is logged and skipped, and
     * kept in the store. StoreException when the store cannot be read.
     */
    @Override
    public synchronized void start() {
        if (!data.exists()) {
            return;
        }
        List<Documents.Row> rows = store().routes().all();
        for (Documents.Row row : rows) {
            try {
                registry.putRoute(RuntimeRoute.restore(row.body(), row.id(), context.get()));
            } catch (ConfigException e) {
                log.error("stored route '{}' is no longer valid and is skipped: {}", row.id(), e.getMessage());
            }
        }
        if (!rows.isEmpty()) {
            log.info("restored {} run-time route(s) from {}", rows.size(), data.where());
        }
    }

    /**
     * Adds a route ({@code POST /routes}: {@code id} empty, the body names it) or adds
     * or replaces one ({@code PUT /routes/{id}}). Throws ConfigException (invalid),
     * Refused (the config file's route, or a POST of an id that exists) or
     * StoreException.
     */
    public synchronized Put put(Optional<String> id, @Nullable String body) {
        RuntimeRoute route = RuntimeRoute.parse(body, id, context.get());
        if (definedInConfig(route.id())) {
            throw inConfig(route.id());
        }
        if (id.isEmpty() && registry.route(route.id()).isPresent()) {
            throw new Refused(
                    "route_exists", "route '" + route.id() + "' exists; PUT /routes/" + route.id() + " replaces it");
        }
        store().routes().put(route.id(), route.body(), clock.instant());
        boolean replaced = registry.putRoute(route);
        rebuild.run();
        return new Put(route, replaced);
    }

    /** Deletes a run-time route; false if there is none of this id; Refused for the config file's. */
    public synchronized boolean delete(String id) {
        if (registry.route(id).isEmpty()) {
            if (definedInConfig(id)) {
                throw inConfig(id);
            }
            return false;
        }
        store().routes().delete(id);
        registry.removeRoute(id);
        rebuild.run();
        return true;
    }

    /** The run-time routes, in the order they were first added. */
    public List<RuntimeRoute> all() {
        return registry.routes();
    }

    private boolean definedInConfig(String id) {
        return fileConfig.get().routes().stream().map(RouteConfig::id).anyMatch(id::equals);
    }

    private static Refused inConfig(String id) {
        return new Refused(
                "defined_in_config",
                "route '" + id + "' is defined in the config file, not at run time; change it there");
    }

    private Store store() {
        if (closed) {
            throw new StoreException("the gateway is stopping", null);
        }
        return data.get();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
