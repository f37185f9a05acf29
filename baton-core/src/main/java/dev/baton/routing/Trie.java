package dev.baton.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** The per-host segment trie behind {@link Router}; see there for precedence. */
final class Trie<T> {
    private final Node<T> root = new Node<>();
    private int maxWildcards;

    private static final class Node<T> {
        final Map<String, Node<T>> literals = new HashMap<>();

        @Nullable
        Node<T> wildcard;

        final List<RouteDefinition<T>> exact = new ArrayList<>();
        final List<RouteDefinition<T>> catchAll = new ArrayList<>();
    }

    void add(RouteDefinition<T> route) {
        Node<T> node = root;
        int wildcards = 0;
        for (PathPattern.Segment s : route.pattern().segments()) {
            if (s instanceof PathPattern.Literal lit) {
                node = node.literals.computeIfAbsent(lit.value(), k -> new Node<>());
            } else {
                if (node.wildcard == null) {
                    node.wildcard = new Node<>();
                }
                node = node.wildcard;
                wildcards++;
            }
        }
        (route.pattern().catchAll() ? node.catchAll : node.exact).add(route);
        maxWildcards = Math.max(maxWildcards, wildcards);
    }

    RouteMatch<T> match(String method, String path) {
        Search<T> s = new Search<>(method, path, maxWildcards);
        RouteDefinition<T> found = s.search(root, 0, 0);
        if (found != null) {
            int n = found.pattern().parameterNames().size();
            String[] params = new String[n];
            for (int i = 0; i < n; i++) {
                params[i] = path.substring(s.captures[2 * i], s.captures[2 * i + 1]);
            }
            return new RouteMatch.Found<>(found.target(), params);
        }
        return s.allow == null ? new RouteMatch.NotFound<>() : new RouteMatch.MethodNotAllowed<>(s.allow);
    }

    private static final class Search<T> {
        final String method;
        final String path;
        final int[] captures;

        @Nullable
        Set<String> allow; // the methods of routes that matched all but the method

        Search(String method, String path, int maxWildcards) {
            this.method = method;
            this.path = path;
            this.captures = new int[2 * maxWildcards];
        }

        @Nullable
        RouteDefinition<T> search(Node<T> node, int pos, int depth) {
            int len = path.length();
            int p = pos;
            while (p < len && path.charAt(p) == '/') {
                p++;
            }
            if (p >= len) {
                RouteDefinition<T> r = pick(node.exact);
                return r != null ? r : pick(node.catchAll);
            }
            int end = path.indexOf('/', p);
            if (end < 0) {
                end = len;
            }
            if (!node.literals.isEmpty()) {
                Node<T> child = node.literals.get(path.substring(p, end));
                if (child != null) {
                    RouteDefinition<T> r = search(child, end, depth);
                    if (r != null) {
                        return r;
                    }
                }
            }
            if (node.wildcard != null) {
                captures[2 * depth] = p;
                captures[2 * depth + 1] = end;
                RouteDefinition<T> r = search(node.wildcard, end, depth + 1);
                if (r != null) {
                    return r;
                }
            }
            return pick(node.catchAll);
        }

        private @Nullable RouteDefinition<T> pick(List<RouteDefinition<T>> routes) {
            for (int i = 0; i < routes.size(); i++) {
                RouteDefinition<T> r = routes.get(i);
                if (r.allows(method)) {
                    return r;
                }
                if (allow == null) {
                    allow = new TreeSet<>();
                }
                allow.addAll(r.methods());
                if (r.methods().contains("GET")) {
                    allow.add("HEAD");
                }
            }
            return null;
        }
    }
}
