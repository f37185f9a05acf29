package dev.baton.routing;

import java.util.Optional;
import java.util.Set;

/**
 * What the {@link Router} needs of a route: its path pattern, optional host, allowed
 * methods (empty = all) and the target to hand back on a match.
 */
public record RouteDefinition<T>(PathPattern pattern, Optional<String> host, Set<String> methods, T target) {
    public RouteDefinition {
        methods = Set.copyOf(methods);
    }

    /** HEAD is allowed wherever GET is, as HTTP servers do. */
    boolean allows(String method) {
        return methods.isEmpty() || methods.contains(method) || (method.equals("HEAD") && methods.contains("GET"));
    }
}
