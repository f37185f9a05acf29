package dev.baton.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Services and their {@code depends-on}, as a graph: the order to start them in
 * (dependencies first, peers by {@code process.priority}), its reverse to stop
 * them, the cycles that make an order impossible, and a printable tree. Names that
 * are not services are left out; the config reader reports them.
 */
public final class DependencyGraph {
    private final Map<String, List<String>> dependencies = new TreeMap<>();
    private final Map<String, List<String>> dependents = new TreeMap<>();
    private final Map<String, Integer> priority = new HashMap<>();

    private DependencyGraph(Map<String, List<String>> deps, Map<String, Integer> priority) {
        for (Map.Entry<String, List<String>> e : deps.entrySet()) {
            dependencies.put(
                    e.getKey(),
                    e.getValue().stream().filter(deps::containsKey).distinct().toList());
            dependents.put(e.getKey(), new ArrayList<>());
        }
        // Every d is a key of deps, so its list is there already.
        dependencies.forEach((id, ds) -> ds.forEach(
                d -> dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(id)));
        this.priority.putAll(priority);
    }

    /** The graph of these services. */
    public static DependencyGraph of(Collection<ServiceConfig> services) {
        Map<String, List<String>> deps = new HashMap<>();
        Map<String, Integer> priority = new HashMap<>();
        for (ServiceConfig s : services) {
            deps.put(s.id(), s.dependsOn());
            s.process().ifPresent(p -> priority.put(s.id(), p.priority()));
        }
        return new DependencyGraph(deps, priority);
    }

    /** A graph from each service's dependencies; priorities default to 0. */
    public static DependencyGraph of(Map<String, List<String>> deps, Map<String, Integer> priority) {
        return new DependencyGraph(deps, priority);
    }

    public Set<String> ids() {
        return dependencies.keySet();
    }

    /** What {@code id} depends on directly. */
    public List<String> dependencies(String id) {
        return dependencies.getOrDefault(id, List.of());
    }

    /** What depends on {@code id} directly. */
    public List<String> dependents(String id) {
        return List.copyOf(dependents.getOrDefault(id, List.of()));
    }

    public int priority(String id) {
        return priority.getOrDefault(id, 0);
    }

    /** Everything {@code id} depends on, directly or through others. */
    public Set<String> allDependencies(String id) {
        Set<String> out = new LinkedHashSet<>();
        collect(id, dependencies, out);
        return out;
    }

    /** Everything that depends on {@code id}, directly or through others. */
    public Set<String> allDependents(String id) {
        Set<String> out = new LinkedHashSet<>();
        collect(id, dependents, out);
        return out;
    }

    private static void collect(String id, Map<String, List<String>> edges, Set<String> out) {
        for (String next : edges.getOrDefault(id, List.of())) {
            if (out.add(next)) {
                collect(next, edges, out);
            }
        }
    }

    /**
     * Every cycle, each as the path that closes it ({@code [a, b, a]}), one per set
     * of services caught in it.
     */
    public List<List<String>> cycles() {
        List<List<String>> out = new ArrayList<>();
        Set<Set<String>> seen = new HashSet<>();
        Set<String> done = new HashSet<>();
        for (String id : dependencies.keySet()) {
            findCycles(id, new ArrayList<>(), done, out, seen);
        }
        return out;
    }

    private void findCycles(
            String id, List<String> path, Set<String> done, List<List<String>> out, Set<Set<String>> seen) {
        int at = path.indexOf(id);
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
            if (seen.add(Set.copyOf(cycle))) {
                cycle.add(id);
                out.add(List.copyOf(cycle));
            }
            return;
        }
        if (done.contains(id)) {
            return;
        }
        path.add(id);
        for (String d : dependencies(id)) {
            findCycles(d, path, done, out, seen);
        }
        path.remove(path.size() - 1);
        done.add(id);
    }

    /**
     * The start order in waves: each wave's services depend only on earlier waves',
     * so a wave may start in parallel; within a wave, lower priority first, then by
     * name. Services caught in a cycle come last, in one wave.
     */
    public List<List<String>> levels() {
        Comparator<String> order = Comparator.comparingInt(this::priority).thenComparing(Comparator.naturalOrder());
        List<List<String>> out = new ArrayList<>();
        Set<String> placed = new HashSet<>();
        while (placed.size() < dependencies.size()) {
            List<String> wave = dependencies.keySet().stream()
                    .filter(id -> !placed.contains(id))
                    .filter(id -> placed.containsAll(dependencies(id)))
                    .sorted(order)
                    .toList();
            if (wave.isEmpty()) {
                out.add(dependencies.keySet().stream()
                        .filter(id -> !placed.contains(id))
                        .sorted(order)
                        .toList());
                break;
            }
            placed.addAll(wave);
            out.add(wave);
        }
        return out;
    }

    /**
     * The graph as text, one tree per service that nothing depends on, each service
     * above what it depends on; a service met a second time is not expanded again.
     */
    public String tree() {
        StringBuilder out = new StringBuilder();
        Set<String> shown = new HashSet<>();
        List<String> roots = dependencies.keySet().stream()
                .filter(id -> dependents.getOrDefault(id, List.of()).isEmpty())
                .toList();
        for (String root : roots) {
            draw(root, "", "", out, shown, new HashSet<>());
        }
        // What is left is only reachable through a cycle.
        for (String id : dependencies.keySet()) {
            if (!shown.contains(id)) {
                draw(id, "", "", out, shown, new HashSet<>());
            }
        }
        return out.toString();
    }

    private void draw(
            String id, String lead, String childLead, StringBuilder out, Set<String> shown, Set<String> path) {
        out.append(lead).append(id);
        if (path.contains(id)) {
            out.append("  (cycle)\n");
            return;
        }
        if (!shown.add(id) && !dependencies(id).isEmpty()) {
            out.append("  (see above)\n");
            return;
        }
        out.append('\n');
        path.add(id);
        List<String> deps = dependencies(id);
        for (int i = 0; i < deps.size(); i++) {
            boolean last = i == deps.size() - 1;
            draw(
                    deps.get(i),
                    childLead + (last ? "└── " : "├── "),
                    childLead + (last ? "    " : "│   "),
                    out,
                    shown,
                    path);
        }
        path.remove(id);
    }
}
