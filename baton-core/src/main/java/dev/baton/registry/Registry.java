package dev.baton.registry;

import dev.baton.config.Config;
import dev.baton.config.RouteConfig;
import dev.baton.config.RuntimeRoute;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceRegistration;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The services and routes Baton knows besides its config file: run-time
 * registrations with their instances' leases, services found in discovery files, and
 * routes added through the admin API. {@link #merge} layers them over the config
 * file's (see {@link Source}); the caller compiles the result into a snapshot. Time comes from an injected clock so leases
 * are tested without sleeping. Thread-safe; every method is short and never blocks
 * on I/O, which stays with the caller.
 */
public final class Registry {
    private final Clock clock;
    private final Map<String, Registered> registered = new LinkedHashMap<>();
    private Map<String, Discovered> discovered = Map.of();
    private final Map<String, RuntimeRoute> routes = new LinkedHashMap<>();

    public Registry(Clock clock) {
        this.clock = clock;
    }

    private record Registered(ServiceRegistration registration, Map<String, Instant> leases) {}

    /** A service found in a discovery file. */
    public record Discovered(ServiceConfig service, String file) {}

    /**
     * The config file's services with discovered and registered ones layered over
     * them, and each one's source; its routes with the run-time ones after them,
     * except those {@code idle}: run-time routes the file now makes impossible (one of
     * its routes has their id, or they need what it lacks), each with why.
     */
    public record Merged(Config config, Map<String, Source> sources, Map<String, String> idle) {
        public Merged {
            sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
            idle = Collections.unmodifiableMap(new LinkedHashMap<>(idle));
        }
    }

    /** What a heartbeat found. */
    public enum Heartbeat {
        RENEWED,
        /** The instance exists but was registered without a ttl: nothing to renew. */
        NO_LEASE,
        UNKNOWN_SERVICE,
        UNKNOWN_INSTANCE
    }

    /** Instances whose leases ran out; {@code remaining} is the registration left, empty if none is. */
    public record Expiry(String serviceId, List<String> instanceIds, Optional<ServiceRegistration> remaining) {
        public Expiry {
            instanceIds = List.copyOf(instanceIds);
        }
    }

    /** What a new set of discovered services changed. */
    public record DiscoveryChange(List<Discovered> added, List<Discovered> changed, List<Discovered> removed) {
        public DiscoveryChange {
            added = List.copyOf(added);
            changed = List.copyOf(changed);
            removed = List.copyOf(removed);
        }

        public boolean isEmpty() {
            return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
        }
    }

    /** Adds or replaces a registration, granting each leased instance a full ttl; true if it replaced one. */
    public synchronized boolean register(ServiceRegistration registration) {
        Instant now = clock.instant();
        Map<String, Instant> leases = new LinkedHashMap<>();
        for (ServiceConfig.Instance i : registration.service().instances()) {
            i.ttl().ifPresent(ttl -> leases.put(i.id(), now.plus(ttl)));
        }
        return registered.put(registration.id(), new Registered(registration, leases)) != null;
    }

    public synchronized Optional<ServiceRegistration> unregister(String id) {
        return Optional.ofNullable(registered.remove(id)).map(Registered::registration);
    }

    public synchronized Optional<ServiceRegistration> registration(String id) {
        return Optional.ofNullable(registered.get(id)).map(Registered::registration);
    }

    public synchronized List<ServiceRegistration> registrations() {
        return registered.values().stream().map(Registered::registration).toList();
    }

    /** Renews an instance's lease for another full ttl. */
    public synchronized Heartbeat heartbeat(String serviceId, String instanceId) {
        Registered r = registered.get(serviceId);
        if (r == null) {
            return Heartbeat.UNKNOWN_SERVICE;
        }
        Optional<ServiceConfig.Instance> instance = r.registration().service().instances().stream()
                .filter(i -> i.id().equals(instanceId))
                .findFirst();
        if (instance.isEmpty()) {
            return Heartbeat.UNKNOWN_INSTANCE;
        }
        if (instance.get().ttl().isEmpty()) {
            return Heartbeat.NO_LEASE;
        }
        r.leases().put(instanceId, clock.instant().plus(instance.get().ttl().get()));
        return Heartbeat.RENEWED;
    }

    /** When an instance's lease runs out, if it has one. */
    public synchronized Optional<Instant> leaseExpiry(String serviceId, String instanceId) {
        Registered r = registered.get(serviceId);
        return r == null ? Optional.empty() : Optional.ofNullable(r.leases().get(instanceId));
    }

    /**
     * Removes every instance whose lease has run out, and a registration left with
     * no instance at all (as Eureka evicts instances that stop renewing).
     */
    public synchronized List<Expiry> expire() {
        Instant now = clock.instant();
        List<Expiry> out = new ArrayList<>();
        for (var it = registered.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            Registered r = e.getValue();
            List<String> gone = r.leases().entrySet().stream()
                    .filter(l -> !l.getValue().isAfter(now))
                    .map(Map.Entry::getKey)
                    .toList();
            if (gone.isEmpty()) {
                continue;
            }
            Optional<ServiceRegistration> left = r.registration().withoutInstances(Set.copyOf(gone));
            if (left.isEmpty()) {
                it.remove();
            } else {
                gone.forEach(r.leases()::remove);
                e.setValue(new Registered(left.get(), r.leases()));
            }
            out.add(new Expiry(e.getKey(), gone, left));
        }
        return out;
    }

    /** Replaces everything discovery files define, returning what that changed. */
    public synchronized DiscoveryChange discovered(Map<String, Discovered> now) {
        List<Discovered> added = new ArrayList<>();
        List<Discovered> changed = new ArrayList<>();
        List<Discovered> removed = new ArrayList<>();
        for (Discovered d : now.values()) {
            Discovered before = discovered.get(d.service().id());
            if (before == null) {
                added.add(d);
            } else if (!before.service().equals(d.service())) {
                changed.add(d);
            }
        }
        for (Discovered d : discovered.values()) {
            if (!now.containsKey(d.service().id())) {
                removed.add(d);
            }
        }
        discovered = Collections.unmodifiableMap(new LinkedHashMap<>(now));
        return new DiscoveryChange(added, changed, removed);
    }

    /** Adds or replaces a run-time route; true if it replaced one. */
    public synchronized boolean putRoute(RuntimeRoute route) {
        return routes.put(route.id(), route) != null;
    }

    public synchronized Optional<RuntimeRoute> removeRoute(String id) {
        return Optional.ofNullable(routes.remove(id));
    }

    public synchronized Optional<RuntimeRoute> route(String id) {
        return Optional.ofNullable(routes.get(id));
    }

    /** The run-time routes in the order they were first added. */
    public synchronized List<RuntimeRoute> routes() {
        return List.copyOf(routes.values());
    }

    /** Every service id from any source, for validating {@code depends-on}. */
    public synchronized Set<String> ids(Config file) {
        Set<String> ids = new java.util.LinkedHashSet<>(file.services().keySet());
        ids.addAll(discovered.keySet());
        ids.addAll(registered.keySet());
        return ids;
    }

    /** Every service of a config file, from the file. */
    public static Map<String, Source> sourcesOf(Config file) {
        Map<String, Source> sources = new LinkedHashMap<>();
        file.services().keySet().forEach(id -> sources.put(id, Source.CONFIG));
        return sources;
    }

    /** {@code file}'s services, then discovered, then registered ones, each overriding by id. */
    public synchronized Merged merge(Config file) {
        Map<String, ServiceConfig> services = new LinkedHashMap<>(file.services());
        Map<String, Source> sources = new LinkedHashMap<>();
        file.services().keySet().forEach(id -> sources.put(id, Source.CONFIG));
        for (Discovered d : discovered.values()) {
            services.put(d.service().id(), d.service());
            sources.put(d.service().id(), Source.DISCOVERY);
        }
        for (Registered r : registered.values()) {
            services.put(r.registration().id(), r.registration().service());
            sources.put(r.registration().id(), Source.REGISTRATION);
        }
        List<RouteConfig> merged = new ArrayList<>(file.routes());
        Set<String> fileRoutes = new java.util.HashSet<>();
        file.routes().forEach(r -> fileRoutes.add(r.id()));
        Map<String, String> idle = new LinkedHashMap<>();
        for (RuntimeRoute r : routes.values()) {
            Optional<String> unmet = fileRoutes.contains(r.id())
                    ? Optional.of("the config file defines a route '" + r.id() + "' too, and the file's is served")
                    : r.unmetBy(file);
            if (unmet.isPresent()) {
                idle.put(r.id(), unmet.get());
            } else {
                merged.add(r.route());
            }
        }
        return new Merged(file.withServices(services).withRoutes(merged), sources, idle);
    }
}
