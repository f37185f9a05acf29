package dev.baton.admin;

import dev.baton.config.RouteConfig;
import dev.baton.control.ServiceTarget;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.supervisor.Supervisor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A service's page on the dashboard ({@code /ui/services/{id}}): its instances with
 * health, ejection, load and process, its breaker, bulkhead, retry budget and rate
 * limit, the routes into it with their policies, and its processes' log tail, kept
 * live by htmx polling its fragments every two seconds. The controls (breaker open,
 * close, reset; process start, stop, restart) post to the admin API's own endpoints,
 * so they are checked, refused and audited exactly as API calls are; a caller
 * without {@code operations:write} is shown none.
 */
final class ServicePage {
    static final int LOG_LINES = 40;

    private ServicePage() {}

    /** The page's body: the heading, the controls, and the live parts' first render. */
    static String body(AdminApi.Backend backend, ServiceViews views, ServiceTarget s, boolean controls) {
        JsonObject json = views.service(s);
        String id = Html.attr(s.id());
        StringBuilder out = new StringBuilder(4096);
        out.append("<p class=\"crumbs\"><a href=\"/\">Overview</a> › ")
                .append(Html.text(s.id()))
                .append("</p><div class=\"facts\">")
                .append(fact("Type", json.getString("type")))
                .append(fact("Source", json.getString("source")))
                .append(fact("Load balancer", json.getString("loadBalancer")))
                .append(fact("Depends on", String.join(", ", s.config().dependsOn())))
                .append("</div>");
        if (controls) {
            out.append("<div class=\"controls\" role=\"group\" aria-label=\"Actions\">");
            if (json.getJsonObject("circuitBreaker") != null) {
                for (String action : List.of("open", "close", "reset")) {
                    button(out, "/services/" + id + "/circuit-breaker/" + action, "Breaker: " + action);
                }
            }
            if (json.getJsonObject("process") != null) {
                for (String action : List.of("start", "stop", "restart")) {
                    button(out, "/services/" + id + "/" + action, "Process: " + action);
                }
            }
            out.append("<output class=\"result\" aria-live=\"polite\"></output></div>");
        }
        out.append("<div id=\"service-live\" hx-get=\"/ui/services/")
                .append(id)
                .append("/live\" hx-trigger=\"every 2s, refresh\" hx-swap=\"innerHTML\">")
                .append(live(backend, json, s))
                .append("</div>");
        if (json.getJsonObject("process") != null) {
            out.append("<h2>Log</h2><pre id=\"logs\" class=\"logs\" tabindex=\"0\" hx-get=\"/ui/services/")
                    .append(id)
                    .append("/logs\" hx-trigger=\"load, every 2s, refresh\" hx-swap=\"innerHTML\"></pre>");
        }
        return out.toString();
    }

    /** What changes while one looks: health, instances, breaker, limits; and the routes into it. */
    static String live(AdminApi.Backend backend, JsonObject json, ServiceTarget s) {
        StringBuilder out = new StringBuilder(4096);
        String status = json.getString("status");
        out.append("<p class=\"health\">Health: <span class=\"status ")
                .append(Html.attr(status.toLowerCase(java.util.Locale.ROOT)))
                .append("\">")
                .append(Dashboard.glyph(dev.baton.health.HealthStatus.valueOf(status)))
                .append(' ')
                .append(Html.text(status))
                .append("</span></p>");
        out.append("<h2>Instances</h2><table class=\"grid\"><thead><tr><th scope=\"col\">Instance</th>"
                + "<th scope=\"col\">URL</th><th scope=\"col\">Health</th><th scope=\"col\">Ejected</th>"
                + "<th scope=\"col\" class=\"num\">In flight</th><th scope=\"col\">Breaker</th>"
                + "<th scope=\"col\">Last checks</th><th scope=\"col\">Process</th></tr></thead><tbody>");
        JsonArray instances = json.getJsonArray("instances");
        for (int i = 0; i < instances.size(); i++) {
            JsonObject in = instances.getJsonObject(i);
            String st = in.getString("status");
            JsonObject proc = in.getJsonObject("process");
            JsonObject cb = in.getJsonObject("circuitBreaker");
            out.append("<tr data-instance=\"")
                    .append(Html.attr(in.getString("id")))
                    .append("\"><th scope=\"row\">")
                    .append(Html.text(in.getString("id")))
                    .append("</th><td>")
                    .append(Html.text(in.getString("url")))
                    .append("</td><td><span class=\"status ")
                    .append(Html.attr(st.toLowerCase(java.util.Locale.ROOT)))
                    .append("\">")
                    .append(Dashboard.glyph(dev.baton.health.HealthStatus.valueOf(st)))
                    .append(' ')
                    .append(Html.text(st))
                    .append("</span></td><td>")
                    .append(in.getBoolean("ejected") ? "yes" : "no")
                    .append("</td><td class=\"num\">")
                    .append(in.getValue("activeRequests"))
                    .append("</td><td>")
                    .append(cb == null ? "–" : Html.text(cb.getString("state")))
                    .append("</td><td class=\"checks\">")
                    .append(checks(in.getJsonArray("lastChecks")))
                    .append("</td><td>")
                    .append(proc == null ? "–" : process(proc))
                    .append("</td></tr>");
        }
        out.append("</tbody></table>");
        JsonObject cb = json.getJsonObject("circuitBreaker");
        JsonObject bulkhead = json.getJsonObject("bulkhead");
        JsonObject retry = json.getJsonObject("retry");
        JsonObject limit = json.getJsonObject("rateLimit");
        out.append("<h2>Resilience</h2><div class=\"facts\">");
        out.append(fact(
                "Circuit breaker",
                cb == null ? "none" : cb.getString("state") + " (" + cb.getString("scope") + "), " + failureRate(cb)));
        out.append(fact(
                "Bulkhead",
                bulkhead == null
                        ? "none"
                        : bulkhead.getInteger("inUse") + " of " + bulkhead.getInteger("maxConcurrent") + " in use, "
                                + bulkhead.getLong("rejected") + " rejected"));
        out.append(fact(
                "Retry budget",
                retry == null
                        ? "no retries"
                        : retry.getLong("retried") + " retried, " + retry.getLong("budgetExhausted")
                                + " refused by the budget"));
        out.append(fact(
                "Rate limit",
                limit == null
                        ? "none"
                        : number(limit.getValue("requestsPerSecond")) + "/s, burst " + limit.getInteger("burst")
                                + ", by " + limit.getString("key") + ", " + limit.getLong("refused") + " refused"));
        out.append("</div>");
        out.append(routes(backend, s));
        return out.toString();
    }

    private static String routes(AdminApi.Backend backend, ServiceTarget s) {
        List<RouteConfig> into = backend.snapshot().config().routes().stream()
                .filter(r -> r.service().equals(s.id()))
                .toList();
        StringBuilder out = new StringBuilder("<h2>Routes into it</h2>");
        if (into.isEmpty()) {
            return out.append("<p>None: it is reached at <code>/orchestrator/")
                    .append(Html.text(s.id()))
                    .append("/</code> only.</p>")
                    .toString();
        }
        out.append("<table class=\"grid\"><thead><tr><th scope=\"col\">Route</th><th scope=\"col\">Path</th>"
                + "<th scope=\"col\">Methods</th><th scope=\"col\">Policies</th></tr></thead><tbody>");
        for (RouteConfig r : into) {
            out.append("<tr><th scope=\"row\">")
                    .append(Html.text(r.id()))
                    .append("</th><td><code>")
                    .append(Html.text(r.host().map(h -> h + " ").orElse("") + r.path()))
                    .append("</code></td><td>")
                    .append(Html.text(r.methods().isEmpty() ? "all" : String.join(", ", r.methods())))
                    .append("</td><td>")
                    .append(Html.text(String.join(", ", policies(r))))
                    .append("</td></tr>");
        }
        return out.append("</tbody></table>").toString();
    }

    /** A route's policies in a few words each: what a person needs to know it does. */
    static List<String> policies(RouteConfig r) {
        List<String> out = new ArrayList<>();
        r.stripPrefix().ifPresent(p -> out.add("strip " + p));
        r.auth().ifPresent(a -> {
            if (a.jwt()) {
                out.add(a.roles().isEmpty() ? "JWT" : "JWT (" + String.join(", ", a.roles()) + ")");
            }
            a.hmac().ifPresent(h -> out.add("HMAC signature"));
        });
        if (!r.ipAllow().isEmpty() || !r.ipDeny().isEmpty()) {
            out.add("IP lists");
        }
        r.rateLimit().ifPresent(l -> out.add("rate limit " + number(l.requestsPerSecond()) + "/s"));
        r.timeout().ifPresent(t -> out.add("timeout " + dev.baton.config.Durations.format(t)));
        r.cors().ifPresent(c -> out.add("CORS"));
        r.validate().ifPresent(v -> out.add("validation"));
        r.transform().ifPresent(t -> out.add("transform"));
        if (r.preserveHost()) {
            out.add("preserve host");
        }
        if (out.isEmpty()) {
            out.add("none");
        }
        return out;
    }

    /** The last lines of the service's processes' logs, each process under its id. */
    static String logs(Supervisor sup, String id) throws java.io.IOException {
        Optional<List<ProcessStatus>> all = sup.processes(id);
        if (all.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (ProcessStatus p : all.get()) {
            out.append("<span class=\"log-head\">== ").append(Html.text(p.id())).append(" ==</span>\n");
            for (String line : Supervisor.tail(p, LOG_LINES)) {
                out.append(Html.text(line)).append('\n');
            }
        }
        return out.toString();
    }

    /**
     * An instance's recent checks, newest first, as ✓ and ✕ (each titled with its age,
     * time and error), then the newest in words: "2.1 s ago, 3 ms" or why it failed.
     */
    static String checks(@Nullable JsonArray checks) {
        if (checks == null) {
            return "no active checks";
        }
        if (checks.isEmpty()) {
            return "none yet";
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < checks.size(); i++) {
            JsonObject c = checks.getJsonObject(i);
            boolean passed = c.getBoolean("passed");
            String title = age(c.getLong("ageMillis")) + ", " + c.getLong("latencyMillis") + " ms"
                    + (passed ? "" : ": " + c.getString("error", "failed"));
            out.append("<span class=\"")
                    .append(passed ? "pass" : "fail")
                    .append("\" title=\"")
                    .append(Html.attr(title))
                    .append("\">")
                    .append(passed ? "✓" : "✕")
                    .append("</span>");
        }
        JsonObject newest = checks.getJsonObject(0);
        out.append(' ')
                .append(Html.text(age(newest.getLong("ageMillis")) + ", " + newest.getLong("latencyMillis") + " ms"));
        if (!newest.getBoolean("passed")) {
            out.append(": ").append(Html.text(newest.getString("error", "failed")));
        }
        return out.toString();
    }

    private static String age(long millis) {
        return millis < 60_000
                ? String.format(java.util.Locale.ROOT, "%.1f s ago", millis / 1000.0)
                : millis / 60_000 + " min ago";
    }

    private static String process(JsonObject p) {
        StringBuilder out = new StringBuilder(Html.text(p.getString("state")));
        if (p.getValue("pid") != null) {
            out.append(", pid ").append(p.getValue("pid"));
        }
        out.append(", ").append(p.getInteger("restarts", 0)).append(" restarts");
        if (p.getValue("exitCode") != null) {
            out.append(", last exit ").append(p.getValue("exitCode"));
        }
        if (p.getString("reason") != null) {
            out.append(": ").append(Html.text(p.getString("reason")));
        }
        return out.toString();
    }

    private static void button(StringBuilder out, String apiPath, String label) {
        out.append("<button type=\"button\" hx-post=\"")
                .append(apiPath)
                .append("\" hx-swap=\"none\">")
                .append(Html.text(label))
                .append("</button>");
    }

    private static String fact(String label, String value) {
        return "<div class=\"fact\"><span class=\"label\">" + Html.text(label) + "</span><span>"
                + Html.text(value.isEmpty() ? "–" : value) + "</span></div>";
    }

    /** Resilience4j says -1 until the breaker has seen its minimum of calls. */
    private static String failureRate(JsonObject cb) {
        Object rate = cb.getValue("failureRate");
        return rate instanceof Number n && n.doubleValue() >= 0
                ? "failure rate " + number(n) + "%"
                : "too few calls for a failure rate";
    }

    private static String number(Object value) {
        return value instanceof Number n ? String.format(java.util.Locale.ROOT, "%.1f", n.doubleValue()) : "–";
    }
}
