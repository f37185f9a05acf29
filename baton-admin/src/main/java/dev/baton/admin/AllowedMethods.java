package dev.baton.admin;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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

    // Read off the router once every route is on it; empty before, so nothing answers.
    private volatile List<Entry> entries = List.of();

    /**
     * Makes every GET route answer HEAD too (Vert.x sends a HEAD's headers without
     * the body) and reads off the methods of every path. Call once every route is
     * mounted: later ones are not seen.
     */
    void readOff(Router router) {
        router.getRoutes().stream()
                .filter(r -> r.methods() != null && r.methods().contains(HttpMethod.GET))
                .forEach(r -> r.method(HttpMethod.HEAD));
        List<Entry> read = new ArrayList<>();
        for (Route r : router.getRoutes()) {
            if (r.getPath() == null || r.methods() == null) { // a path with :params is a "regex path" too
                continue;
            }
            String regex = Pattern.quote(r.getPath()).replaceAll(":[A-Za-z]+", "\\\\E[^/]+\\\\Q");
            Set<String> methods = new TreeSet<>();
            r.methods().forEach(m -> methods.add(m.name()));
            read.add(new Entry(Pattern.compile(r.isExactPath() ? regex : regex + ".*"), methods));
        }
        entries = List.copyOf(read);
    }

    /**
     * A handler for every request: an OPTIONS gets 204 with {@code Allow}, anything
     * else (or a path no route has) goes on. Not an OPTIONS route: a route without
     * a path matches every path, and Vert.x would then answer 405 instead of 404 for
     * any path with another method.
     */
    void options(RoutingContext rc) {
        String allow = rc.request().method() == HttpMethod.OPTIONS ? header(Replies.path(rc)) : "";
        if (allow.isEmpty()) {
            rc.next();
        } else {
            rc.response().setStatusCode(204).putHeader("allow", allow).end();
        }
    }

    /** {@code rc} with the {@code Allow} a 405 carries (RFC 9110 §15.5.6). */
    RoutingContext stated(RoutingContext rc) {
        rc.response().putHeader("allow", header(Replies.path(rc)));
        return rc;
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
