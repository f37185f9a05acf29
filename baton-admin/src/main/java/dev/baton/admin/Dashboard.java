package dev.baton.admin;

import dev.baton.control.ServiceTarget;
import dev.baton.health.HealthStatus;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The dashboard for people on the admin listener: {@code GET /} (and {@code /ui/})
 * is the overview, rendered here on the server and kept live by htmx over
 * Server-Sent Events ({@link DashboardFeed}); its scripts and styles are files
 * under {@code /ui/assets/} from this jar (htmx, its SSE extension and uPlot as
 * webjars), so it works offline and under a policy that allows nothing inline and
 * nothing from another origin. New pages join the navigation in {@link Shell#PAGES}.
 */
final class Dashboard {
    private static final Map<String, String> ASSETS = Map.of(
            "htmx.min.js", "META-INF/resources/webjars/htmx.org/2.0.4/dist/htmx.min.js",
            "sse.js", "META-INF/resources/webjars/htmx-ext-sse/2.2.2/sse.js",
            "uPlot.iife.min.js", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
            "uPlot.min.css", "META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css",
            "dashboard.js", "admin/ui/dashboard.js",
            "dashboard.css", "admin/ui/dashboard.css",
            "favicon.svg", "admin/ui/favicon.svg");

    private final Vertx vertx;
    private final AdminApi.Backend backend;
    private final ServiceViews views;
    private final Shell shell;
    private final DashboardFeed feed;
    private final Map<String, byte[]> assets;

    Dashboard(Vertx vertx, AdminApi.Backend backend, ServiceViews views, String version) {
        this.vertx = vertx;
        this.backend = backend;
        this.views = views;
        this.shell = new Shell(version);
        this.feed = new DashboardFeed(vertx, backend);
        this.assets = load();
    }

    /** Whether {@code path} is one of the dashboard's, which get its content security policy. */
    static boolean isPage(String path) {
        return path.equals("/") || path.equals("/ui") || path.startsWith("/ui/");
    }

    void mount(Router router) {
        router.get("/").handler(this::overview);
        router.get("/ui/").handler(this::overview);
        router.get("/ui/assets/:file").handler(this::asset);
        new SignIn(backend, shell).mount(router);
        new OperationsPages(vertx, backend, shell).mount(router);
        new SagaPages(backend, shell).mount(router);
        new QueuePages(backend, shell).mount(router);
        router.get("/ui/services/:id").handler(this::service);
        router.get("/ui/services/:id/live").handler(this::serviceLive);
        router.get("/ui/services/:id/logs").handler(this::serviceLogs);
        feed.mount(router);
    }

    void close() {
        feed.close();
    }

    /** Rendered on a worker thread: a large fleet's page must not hold up an event loop. */
    private void overview(RoutingContext rc) {
        vertx.executeBlocking(() -> overviewFragment(Overview.of(backend)), false)
                .onSuccess(fragment -> shell.page(
                        rc,
                        "Overview",
                        "/",
                        "<div class=\"live\" hx-ext=\"sse\" sse-connect=\"/ui/stream\">"
                                + "<section id=\"live\" sse-swap=\"overview\" hx-swap=\"innerHTML\">"
                                + fragment
                                + "</section><div id=\"series\" sse-swap=\"series,point\" hx-swap=\"none\""
                                + " hidden></div></div>"))
                .onFailure(rc::fail);
    }

    private void service(RoutingContext rc) {
        String id = Replies.pathParam(rc, "id");
        ServiceTarget s = backend.snapshot().services().get(id);
        if (s == null) {
            missing(rc, id);
            return;
        }
        boolean controls = AdminAuth.grants(rc, backend.snapshot(), "operations:write");
        vertx.executeBlocking(() -> ServicePage.body(backend, views, s, controls), false)
                .onSuccess(body -> shell.page(rc, s.id(), "", body))
                .onFailure(rc::fail);
    }

    private void serviceLive(RoutingContext rc) {
        String id = Replies.pathParam(rc, "id");
        ServiceTarget s = backend.snapshot().services().get(id);
        if (s == null) {
            Shell.fragment(rc, 404, "<p class=\"gone\">Service " + Html.text(id) + " is gone.</p>");
            return;
        }
        vertx.executeBlocking(() -> ServicePage.live(backend, views.service(s), s), false)
                .onSuccess(html -> Shell.fragment(rc, 200, html))
                .onFailure(rc::fail);
    }

    private void serviceLogs(RoutingContext rc) {
        String id = Replies.pathParam(rc, "id");
        var sup = backend.supervisor();
        if (sup == null || !backend.snapshot().services().containsKey(id)) {
            Shell.fragment(rc, 404, "");
            return;
        }
        vertx.executeBlocking(() -> ServicePage.logs(sup, id), false)
                .onSuccess(html -> Shell.fragment(rc, 200, html))
                .onFailure(rc::fail);
    }

    private void missing(RoutingContext rc, String id) {
        rc.response().setStatusCode(404);
        shell.page(
                rc,
                "Not found",
                "",
                "<p>No service <code>" + Html.text(id) + "</code>. <a href=\"/\">Overview</a></p>");
    }

    /** The overview's live part: the totals, the map and the table of services. */
    static String overviewFragment(Overview overview) {
        Overview.Totals t = overview.totals();
        StringBuilder out = new StringBuilder(1024 + overview.cards().size() * 700);
        out.append("<div class=\"totals\">");
        tile(out, "Services", Integer.toString(t.services()));
        tile(out, "Healthy", Integer.toString(t.healthy()));
        tile(out, "Degraded", Integer.toString(t.degraded()));
        tile(out, "Unhealthy", Integer.toString(t.unhealthy()));
        tile(out, "Unknown", Integer.toString(t.unknown()));
        tile(out, "Requests/s", rate(t.requestsPerSecond()));
        tile(out, "Errors", percent(t.errorRate()));
        tile(out, "Worst p99", millis(t.worstP99()));
        out.append("</div><figure class=\"map-wrap\">")
                .append(ServiceMap.svg(overview))
                .append("<figcaption>Routes from the gateway, and each service's depends-on."
                        + " Last minute's traffic below.</figcaption></figure>");
        out.append("<table class=\"services\"><caption>Services</caption><thead><tr>"
                + "<th scope=\"col\">Service</th><th scope=\"col\">Health</th><th scope=\"col\">Instances</th>"
                + "<th scope=\"col\">Notices</th><th scope=\"col\" class=\"num\">req/s</th>"
                + "<th scope=\"col\" class=\"num\">Errors</th><th scope=\"col\" class=\"num\">p99</th>"
                + "<th scope=\"col\">req/s, errors, p99: 15 min</th></tr></thead><tbody>");
        for (Overview.Card c : overview.cards()) {
            String id = Html.attr(c.id());
            out.append("<tr data-service=\"")
                    .append(id)
                    .append("\"><th scope=\"row\"><a href=\"/ui/services/")
                    .append(id)
                    .append("\">")
                    .append(Html.text(c.id()))
                    .append("</a>")
                    .append("<span class=\"type\">")
                    .append(Html.text(c.type()))
                    .append("</span></th><td>")
                    .append(status(c.status()))
                    .append("</td><td>")
                    .append(c.instances())
                    .append("</td><td>");
            for (String b : badges(c)) {
                out.append("<span class=\"badge\">").append(Html.text(b)).append("</span>");
            }
            out.append("</td><td class=\"num\">")
                    .append(rate(c.requestsPerSecond()))
                    .append("</td><td class=\"num\">")
                    .append(percent(c.errorRate()))
                    .append("</td><td class=\"num\">")
                    .append(millis(c.p99()))
                    .append("</td><td class=\"sparks\">");
            for (String metric : List.of("rps", "err", "p99")) {
                out.append("<span class=\"spark\" data-service=\"")
                        .append(id)
                        .append("\" data-metric=\"")
                        .append(metric)
                        .append("\"></span>");
            }
            out.append("</td></tr>");
        }
        if (overview.cards().isEmpty()) {
            out.append("<tr><td colspan=\"8\">No services yet: add one to the config file,"
                    + " or register one with POST /services/register.</td></tr>");
        }
        return out.append("</tbody></table>").toString();
    }

    /** What a person must notice about a service, as short labels; empty when nothing is wrong. */
    static List<String> badges(Overview.Card c) {
        List<String> out = new ArrayList<>();
        if (c.breakerOpen()) {
            out.add("breaker " + c.breaker().orElse(""));
        }
        if (c.ejected() > 0) {
            out.add(c.ejected() + " ejected");
        }
        if (c.processDown()) {
            out.add("process " + c.process().map(Enum::name).orElse(""));
        }
        if (c.alerting()) {
            out.add("alert firing");
        }
        return out;
    }

    /** The health's glyph, so that it reads without colour. */
    static String glyph(HealthStatus s) {
        return switch (s) {
            case HEALTHY -> "✓";
            case DEGRADED -> "!";
            case UNHEALTHY -> "✕";
            case UNKNOWN -> "?";
        };
    }

    private static String status(HealthStatus s) {
        return "<span class=\"status " + s.name().toLowerCase(Locale.ROOT) + "\">" + glyph(s) + " " + s.name()
                + "</span>";
    }

    private static void tile(StringBuilder out, String label, String value) {
        out.append("<div class=\"tile\"><span class=\"label\">")
                .append(label)
                .append("</span><span class=\"value\">")
                .append(Html.text(value))
                .append("</span></div>");
    }

    static String rate(double perSecond) {
        return perSecond >= 100
                ? String.format(Locale.ROOT, "%.0f", perSecond)
                : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    static String millis(double seconds) {
        return Double.isNaN(seconds) ? "–" : String.format(Locale.ROOT, "%.1f ms", seconds * 1000);
    }

    private void asset(RoutingContext rc) {
        String name = Replies.pathParam(rc, "file");
        byte[] bytes = assets.get(name);
        if (bytes == null) {
            Replies.error(rc, 404, "no dashboard asset '" + name + "'");
            return;
        }
        HttpServerResponse res = rc.response();
        res.putHeader("content-type", contentType(name))
                .putHeader("cache-control", "public, max-age=3600")
                .end(io.vertx.core.buffer.Buffer.buffer(bytes));
    }

    private static String contentType(String name) {
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return name.endsWith(".svg") ? "image/svg+xml" : "text/javascript; charset=utf-8";
    }

    private static Map<String, byte[]> load() {
        Map<String, byte[]> out = new java.util.HashMap<>();
        ClassLoader loader = Dashboard.class.getClassLoader();
        ASSETS.forEach((name, resource) -> {
            try (InputStream in = loader.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("dashboard asset missing from the jar: " + resource);
                }
                out.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read dashboard asset " + resource, e);
            }
        });
        return Map.copyOf(out);
    }
}
