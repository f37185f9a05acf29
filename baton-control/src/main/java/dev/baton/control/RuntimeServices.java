package dev.baton.control;

import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.ServiceRegistration;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.lifecycle.Component;
import dev.baton.registry.Registry;
import dev.baton.registry.Source;
import dev.baton.store.Documents;
import dev.baton.store.Store;
import dev.baton.store.StoreException;
import java.time.Clock;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Services that come and go at run time: registrations through the admin API,
 * persisted in the store, with leases; and services from discovery files. Every
 * change is stored first, then applied to the {@link Registry}, then made live by
 * {@code rebuild} (a new snapshot), then published, so a caller that is answered
 * finds its change both routable and durable, and a failed write changes nothing.
 * Methods block on the store: call them from worker threads, never an event loop.
 */
public final class RuntimeServices implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(RuntimeServices.class);

    private final Registry registry;
    private final DataStore data;
    private final Supplier<Config> fileConfig;
    private final Runnable rebuild;
    private final EventSink events;
    private final Clock clock;
    private boolean closed;

    public RuntimeServices(
            Registry registry,
            DataStore data,
            Supplier<Config> fileConfig,
            Runnable rebuild,
            EventSink events,
            Clock clock) {
        this.registry = registry;
        this.data = data;
        this.fileConfig = fileConfig;
        this.rebuild = rebuild;
        this.events = events;
        this.clock = clock;
    }

    /** The outcome of a registration: what was registered and whether it replaced an earlier one. */
    public record Registered(ServiceRegistration registration, boolean replaced) {}

    /** A service that the config file or a discovery file defines cannot be unregistered through the API. */
    public static final class NotRegistered extends RuntimeException {
        public NotRegistered(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Reads back the registrations of an earlier run, or another Baton's on a shared
     * PostgreSQL store, when there is a store (see {@link DataStore#exists}); without
     * one, {@link #prepare} creates it later, off the start path. StoreException when
     * the store cannot be opened or read.
     */
    @Override
    public synchronized void start() {
        if (!data.exists()) {
            return;
        }
        List<Documents.Row> rows = store().registrations().all();
        Set<String> known = new HashSet<>(registry.ids(fileConfig.get()));
        rows.forEach(r -> known.add(r.id()));
        for (Documents.Row row : rows) {
            try {
                registry.register(ServiceRegistration.parse(row.body(), known));
            } catch (ConfigException e) {
                // Kept in the store, so a later version that reads it is not robbed of it.
                log.error("stored registration '{}' is no longer valid and is skipped: {}", row.id(), e.getMessage());
            }
        }
        if (!rows.isEmpty()) {
            log.info("restored {} run-time registration(s) from {}", rows.size(), data.where());
        }
    }

    /**
     * Opens (creating) the store ahead of the first registration, which would
     * otherwise pay for creating the database and its schema, and for loading the
     * classes on its path (together half a second), before it could answer. A failure here is only logged: registrations retry and say why.
     */
    public synchronized void prepare() {
        if (closed) {
            return; // stopped before the worker got to it
        }
        try {
            store().registrations().all();
            // Load the classes of a registration's path too, so the first one is fast.
            ServiceRegistration.parse("{\"id\":\"warm-up\",\"endpoint\":\"http://127.0.0.1:1\"}", Set.of());
        } catch (StoreException e) {
            log.warn("run-time registrations cannot be stored yet: {}", e.getMessage());
        }
    }

    /** Validates, stores and applies a registration (a missing body is an empty one); throws ConfigException (invalid) or StoreException. */
    public synchronized Registered register(@Nullable String body) {
        ServiceRegistration r = ServiceRegistration.parse(body, registry.ids(fileConfig.get()));
        store().registrations().put(r.id(), r.body(), clock.instant());
        boolean replaced = registry.register(r);
        rebuild.run();
        events.publish(
                EventType.SERVICE_REGISTERED,
                Map.of(
                        "service", r.id(),
                        "serviceId", r.id(),
                        "action", replaced ? "replaced" : "registered",
                        "source", Source.REGISTRATION.jsonName(),
                        "instances",
                                r.service().instances().stream()
                                        .map(i -> i.id())
                                        .toList(),
                        "replaced", replaced));
        return new Registered(r, replaced);
    }

    /**
     * Removes a registration; false if no service has this id; NotRegistered if another
     * source defines it. {@code current} is where the service is defined now, null when nowhere.
     */
    public synchronized boolean unregister(String id, @Nullable Source current) {
        if (registry.registration(id).isEmpty()) {
            if (current == null) {
                return false;
            }
            throw new NotRegistered("service '" + id + "' is defined in "
                    + (current == Source.DISCOVERY ? "a discovery file" : "the config file")
                    + ", not registered at run time; remove it there");
        }
        store().registrations().delete(id);
        registry.unregister(id);
        rebuild.run();
        events.publish(
                EventType.SERVICE_UNREGISTERED,
                Map.of(
                        "service",
                        id,
                        "serviceId",
                        id,
                        "action",
                        "unregistered",
                        "reason",
                        "unregistered",
                        "serviceRemoved",
                        true));
        return true;
    }

    public Registry.Heartbeat heartbeat(String serviceId, String instanceId) {
        return registry.heartbeat(serviceId, instanceId);
    }

    public Optional<java.time.Instant> leaseExpiry(String serviceId, String instanceId) {
        return registry.leaseExpiry(serviceId, instanceId);
    }

    /** Removes instances whose leases ran out, durably; run it every so often. */
    public synchronized void expireLeases() {
        List<Registry.Expiry> expired = registry.expire();
        if (expired.isEmpty()) {
            return;
        }
        for (Registry.Expiry e : expired) {
            if (e.remaining().isPresent()) {
                store().registrations().put(e.serviceId(), e.remaining().get().body(), clock.instant());
            } else {
                store().registrations().delete(e.serviceId());
            }
            log.warn(
                    "lease expired for instance(s) {} of service {}{}",
                    e.instanceIds(),
                    e.serviceId(),
                    e.remaining().isEmpty() ? "; the service had no instance left and is unregistered" : "");
        }
        rebuild.run();
        for (Registry.Expiry e : expired) {
            events.publish(
                    EventType.SERVICE_UNREGISTERED,
                    Map.of(
                            "service", e.serviceId(),
                            "serviceId", e.serviceId(),
                            "action", "expired",
                            "instances", e.instanceIds(),
                            "reason", "lease expired",
                            "serviceRemoved", e.remaining().isEmpty()));
        }
    }

    /** Applies what the discovery files now define, publishing what appeared, changed and went. */
    public synchronized void discovered(Map<String, Registry.Discovered> services) {
        Registry.DiscoveryChange change = registry.discovered(new LinkedHashMap<>(services));
        if (change.isEmpty()) {
            return;
        }
        rebuild.run();
        for (Registry.Discovered d : change.added()) {
            publishDiscovered(d, "added");
        }
        for (Registry.Discovered d : change.changed()) {
            publishDiscovered(d, "changed");
        }
        for (Registry.Discovered d : change.removed()) {
            events.publish(
                    EventType.SERVICE_UNREGISTERED,
                    Map.of(
                            "service", d.service().id(),
                            "serviceId", d.service().id(),
                            "action", "removed",
                            "source", Source.DISCOVERY.jsonName(),
                            "file", d.file(),
                            "reason", "removed from discovery file",
                            "serviceRemoved", true));
        }
    }

    private void publishDiscovered(Registry.Discovered d, String action) {
        events.publish(
                EventType.SERVICE_DISCOVERED,
                Map.of(
                        "service", d.service().id(),
                        "serviceId", d.service().id(),
                        "source", Source.DISCOVERY.jsonName(),
                        "file", d.file(),
                        "action", action,
                        "instances",
                                d.service().instances().stream()
                                        .map(i -> i.id())
                                        .toList()));
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
