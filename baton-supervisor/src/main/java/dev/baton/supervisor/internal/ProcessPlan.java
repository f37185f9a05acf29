package dev.baton.supervisor.internal;

import dev.baton.config.DependencyGraph;
import dev.baton.config.ProcessConfig;
import dev.baton.config.ServiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which processes a config asks for, in the order to start them (dependencies
 * first, peers by {@code priority}), with the dependency graph that orders them.
 * A pure function of the services and the data directory: it launches nothing,
 * and the reconcile loop in {@link Supervision} acts on it.
 */
final class ProcessPlan {
    static final ProcessPlan EMPTY = new ProcessPlan(Map.of(), DependencyGraph.of(List.of()), List.of());

    private final Map<String, ServiceConfig> services;
    private final DependencyGraph graph;
    private final List<PlannedProcess> processes;

    private ProcessPlan(Map<String, ServiceConfig> services, DependencyGraph graph, List<PlannedProcess> processes) {
        this.services = services;
        this.graph = graph;
        this.processes = processes;
    }

    /** The plan of {@code services}: one process per service with a {@code process:}, or one per instance. */
    static ProcessPlan of(Path dataDir, Collection<ServiceConfig> services) {
        Map<String, ServiceConfig> byId = new LinkedHashMap<>();
        services.forEach(s -> byId.put(s.id(), s));
        DependencyGraph graph = DependencyGraph.of(services);
        List<PlannedProcess> processes = new ArrayList<>();
        for (List<String> wave : graph.levels()) {
            for (String id : wave) {
                // The graph is of these services: each id it has is in byId.
                ServiceConfig s = Objects.requireNonNull(byId.get(id));
                s.process().ifPresent(p -> processes.addAll(processesOf(dataDir, s, p)));
            }
        }
        return new ProcessPlan(Map.copyOf(byId), graph, List.copyOf(processes));
    }

    private static List<PlannedProcess> processesOf(Path dataDir, ServiceConfig s, ProcessConfig p) {
        List<ServiceConfig.Instance> targets =
                p.perInstance() ? s.instances() : List.of(s.instances().get(0));
        List<PlannedProcess> out = new ArrayList<>();
        for (ServiceConfig.Instance target : targets) {
            Optional<String> instance = p.perInstance() ? Optional.of(target.id()) : Optional.empty();
            out.add(new PlannedProcess(s.id(), instance, p, Specs.of(dataDir, s, p, target, instance)));
        }
        return out;
    }

    /** Every process, in start order. */
    List<PlannedProcess> processes() {
        return processes;
    }

    /** Whether the config has this service, launched by Baton or not. */
    boolean has(String service) {
        return services.containsKey(service);
    }

    /** Whether the service has a health check, so that its health, not its uptime, says when it is ready. */
    boolean checked(String service) {
        ServiceConfig s = services.get(service);
        return s != null && s.healthCheck().isPresent();
    }

    /** Whether Baton launches processes for the service. */
    boolean launches(String service) {
        ServiceConfig s = services.get(service);
        return s != null && s.process().isPresent();
    }

    /** What {@code service} depends on directly. */
    List<String> dependencies(String service) {
        return graph.dependencies(service);
    }

    /** Everything {@code service} depends on, directly or through others. */
    Set<String> allDependencies(String service) {
        return graph.allDependencies(service);
    }

    /** Everything that depends on {@code service}, directly or through others. */
    Set<String> allDependents(String service) {
        return graph.allDependents(service);
    }

    /** The services Baton launches that a FAILED {@code service} holds back. */
    List<String> launchedDependents(String service) {
        return allDependents(service).stream().filter(this::launches).toList();
    }
}
