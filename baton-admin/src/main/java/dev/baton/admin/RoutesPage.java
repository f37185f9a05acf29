package dev.baton.admin;

import dev.baton.config.RouteConfig;
import dev.baton.config.RuntimeRoute;
import dev.baton.control.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The dashboard's routes page ({@code /ui/routes}): every route served, from the
 * config file or the API, and every stored run-time route kept idle with why, each
 * with what it matches, where it goes and its policies. A search box filters the
 * rows as one types (the page's script), and {@code ?q=} does the same on the
 * server, so a filtered view can be linked to.
 */
final class RoutesPage {
    private RoutesPage() {}

    /** A route as the page shows it; {@code search} is what the filter matches, lower case. */
    record Row(
            String id,
            String match,
            String methods,
            String service,
            boolean serviceKnown,
            String source,
            String policies,
            String state) {
        String search() {
            return String.join(" ", id, match, methods, service, source, policies, state)
                    .toLowerCase(Locale.ROOT);
        }
    }

    static List<Row> rows(AdminApi.Backend backend) {
        Snapshot snap = backend.snapshot();
        Set<String> fromFile =
                backend.fileConfig().routes().stream().map(RouteConfig::id).collect(Collectors.toSet());
        List<Row> out = new ArrayList<>();
        for (RouteConfig r : snap.config().routes()) {
            out.add(row(
                    r,
                    snap.services().containsKey(r.service()),
                    fromFile.contains(r.id()) ? "config" : "api",
                    "active"));
        }
        Map<String, String> idle = backend.idleRoutes();
        for (RuntimeRoute r : backend.routes().all()) {
            String why = idle.get(r.id());
            if (why != null) {
                out.add(row(r.route(), snap.services().containsKey(r.route().service()), "api", "idle: " + why));
            }
        }
        return out;
    }

    private static Row row(RouteConfig r, boolean serviceKnown, String source, String state) {
        return new Row(
                r.id(),
                r.host().map(h -> h + " ").orElse("") + r.path(),
                r.methods().isEmpty()
                        ? "all"
                        : String.join(", ", r.methods().stream().sorted().toList()),
                r.service(),
                serviceKnown,
                source,
                String.join(", ", ServicePage.policies(r)),
                state);
    }

    static String body(List<Row> rows, String query) {
        String q = query.trim().toLowerCase(Locale.ROOT);
        Table table = new Table(
                "grid routes", "Routes", "Route", "Matches", "Methods", "Service", "Source", "Policies", "State");
        int shown = 0;
        for (Row r : rows) {
            boolean match = q.isEmpty() || r.search().contains(q);
            shown += match ? 1 : 0;
            String service = r.serviceKnown()
                    ? "<a href=\"/ui/services/" + Html.attr(r.service()) + "\">" + Html.text(r.service()) + "</a>"
                    : Html.text(r.service()) + " <span class=\"badge\">not registered</span>";
            table.row(
                    "data-search=\"" + Html.attr(r.search()) + "\"" + (match ? "" : " hidden"),
                    Html.text(r.id()),
                    "<code>" + Html.text(r.match()) + "</code>",
                    Html.text(r.methods()),
                    service,
                    Html.text(r.source()),
                    Html.text(r.policies()),
                    Html.text(r.state()));
        }
        return "<form class=\"search\" role=\"search\" action=\"/ui/routes\" method=\"get\">"
                + "<label for=\"route-search\">Search routes</label>"
                + "<input type=\"search\" id=\"route-search\" name=\"q\" value=\"" + Html.attr(query) + "\""
                + " placeholder=\"path, service, policy…\" autocomplete=\"off\" data-filter=\"table.routes\">"
                + "<output class=\"count\" aria-live=\"polite\">" + shown + " of " + rows.size() + "</output></form>"
                + table.html("No routes: add some under routes: in the config file, or with POST /routes.");
    }
}
