package dev.baton.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Immutable route table. Matching walks a segment trie, so its cost grows with the
 * depth of the path, not the number of routes.
 *
 * <p>Precedence, most specific first: routes for the exact host, then for matching
 * {@code *.suffix} hosts (longest suffix first), then routes without a host. Within
 * one host, at each segment a literal beats {@code *}/{@code {param}}, which beats a
 * {@code /**} ending at an earlier segment; so a longer literal prefix always wins.
 * Routes with the same pattern are tried in config order, and one whose methods do
 * not include the request's is skipped, falling through to a less specific route;
 * only when no route allows the method is the answer 405.
 */
public final class Router<T> {
    private final Map<String, Trie<T>> exactHosts;
    private final List<Map.Entry<String, Trie<T>>> wildcardHosts;
    private final Trie<T> anyHost;
    private final List<RouteDefinition<T>> definitions;

    private Router(
            Map<String, Trie<T>> exact,
            List<Map.Entry<String, Trie<T>>> wildcard,
            Trie<T> any,
            List<RouteDefinition<T>> definitions) {
        this.definitions = definitions;
        this.exactHosts = exact;
        this.wildcardHosts = wildcard;
        this.anyHost = any;
    }

    public static <T> Router<T> build(List<RouteDefinition<T>> routes) {
        Map<String, Trie<T>> exact = new HashMap<>();
        Map<String, Trie<T>> wildcard = new HashMap<>();
        Trie<T> any = new Trie<>();
        for (RouteDefinition<T> r : routes) {
            Trie<T> trie = any;
            if (r.host().isPresent()) {
                String h = r.host().get().toLowerCase(Locale.ROOT);
                trie = h.startsWith("*.")
                        ? wildcard.computeIfAbsent(h.substring(1), k -> new Trie<>())
                        : exact.computeIfAbsent(h, k -> new Trie<>());
            }
            trie.add(r);
        }
        List<Map.Entry<String, Trie<T>>> wild = new ArrayList<>(wildcard.entrySet());
        wild.sort(Comparator.comparingInt(
                        (Map.Entry<String, Trie<T>> e) -> e.getKey().length())
                .reversed());
        return new Router<>(Map.copyOf(exact), List.copyOf(wild), any, List.copyOf(routes));
    }

    /** The routes it was built from, in their order. */
    public List<RouteDefinition<T>> definitions() {
        return definitions;
    }

    /**
     * Finds the route for a request. {@code host} is the Host header as received (port
     * and case are normalised here), null when the request has none; {@code path} is
     * the path without the query.
     */
    public RouteMatch<T> match(@Nullable String host, String method, String path) {
        Set<String> allow = null;
        if (host != null && (!exactHosts.isEmpty() || !wildcardHosts.isEmpty())) {
            String h = normaliseHost(host);
            Trie<T> t = exactHosts.get(h);
            if (t != null) {
                RouteMatch<T> m = t.match(method, path);
                if (m instanceof RouteMatch.Found<T>) {
                    return m;
                }
                allow = merge(allow, m);
            }
            for (Map.Entry<String, Trie<T>> e : wildcardHosts) {
                if (h.endsWith(e.getKey()) && h.length() > e.getKey().length()) {
                    RouteMatch<T> m = e.getValue().match(method, path);
                    if (m instanceof RouteMatch.Found<T>) {
                        return m;
                    }
                    allow = merge(allow, m);
                }
            }
        }
        RouteMatch<T> m = anyHost.match(method, path);
        if (m instanceof RouteMatch.Found<T> || allow == null) {
            return m;
        }
        if (m instanceof RouteMatch.MethodNotAllowed<T> na) {
            allow.addAll(na.allow());
        }
        return new RouteMatch.MethodNotAllowed<>(allow);
    }

    /** {@code allow} with the methods {@code m} allows added, made when it was null and there are any. */
    private static <T> @Nullable Set<String> merge(@Nullable Set<String> allow, RouteMatch<T> m) {
        if (m instanceof RouteMatch.MethodNotAllowed<T> na) {
            Set<String> s = allow == null ? new TreeSet<>() : allow;
            s.addAll(na.allow());
            return s;
        }
        return allow;
    }

    static String normaliseHost(String host) {
        int end = host.length();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = host.indexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        String h = host.substring(0, end);
        for (int i = 0; i < h.length(); i++) {
            if (Character.isUpperCase(h.charAt(i))) {
                return h.toLowerCase(Locale.ROOT);
            }
        }
        return h;
    }
}
