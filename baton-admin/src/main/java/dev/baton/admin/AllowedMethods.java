package dev.baton.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods each admin path answers, read off the router: for {@code Allow} on a
 * 405 and an {@code OPTIONS} (RFC 9110 §15.5.6, §9.3.7). Every path that answers GET
 * answers HEAD as well, which load balancers probe {@code /health} with.
 */
final class AllowedMethods {
    private record Entry(Pattern path, Set<String> methods) {}

    private final List<Entry> entries;

    private AllowedMethods(List<Entry> entries) {
        this.entries = entries;
    }

    /** Call once every route is mounted: later ones are not seen. */
    static AllowedMethods of(Router router) {
        List<Entry> entries = new ArrayList<>();
        for (Route r : router.getRoutes()) {
            if (r.getPath() == null || r.methods() == null) { // a path with :params is a "regex path" too
                continue;
            }
            String regex = Pattern.quote(r.getPath()).replaceAll(":[A-Za-z]+", "\\\\E[^/]+\\\\Q");
            Set<String> methods = new TreeSet<>();
            r.methods().forEach(m -> methods.add(m.name()));
            entries.add(new Entry(Pattern.compile(r.isExactPath() ? regex : regex + ".*"), methods));
        }
        return new AllowedMethods(List.copyOf(entries));
    }

    /** The methods {@code path} answers, OPTIONS among them; empty when no route has the path. */
    Set<String> of(String path) {
        Set<String> out = new TreeSet<>();
        for (Entry e : entries) {
            if (e.path().matcher(path).matches()) {
                out.addAll(e.methods());
            }
        }
        if (out.isEmpty()) {
            return out;
        }
        if (out.contains(HttpMethod.GET.name())) {
            out.add(HttpMethod.HEAD.name());
        }
        out.add(HttpMethod.OPTIONS.name());
        return out;
    }

    /** The {@code Allow} value for {@code path}. */
    String header(String path) {
        return String.join(", ", of(path));
    }
}
