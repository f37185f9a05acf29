package dev.baton.admin;

import dev.baton.events.Event;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The dashboard's operations pages, besides the overview and the services': routes,
 * events, alerts, dead letters, the audit log and the config. Each is rendered on a
 * worker thread (some read the store or a file) and its live part is a fragment
 * htmx re-fetches. A control is shown only to a caller whose role allows the API
 * call it makes; the API checks again.
 */
final class OperationsPages {
    private static final int RECENT = 100;

    private final Vertx vertx;
    private final AdminApi.Backend backend;
    private final Shell shell;

    OperationsPages(Vertx vertx, AdminApi.Backend backend, Shell shell) {
        this.vertx = vertx;
        this.backend = backend;
        this.shell = shell;
    }

    void mount(Router router) {
        router.get("/ui/routes")
                .handler(rc -> page(
                        rc,
                        "Routes",
                        () -> RoutesPage.body(
                                RoutesPage.rows(backend),
                                Objects.requireNonNullElse(rc.request().getParam("q"), ""))));
        router.get("/ui/events").handler(this::events);
        router.get("/ui/events/rows").handler(this::eventRows);
        router.get("/ui/alerts")
                .handler(rc -> page(
                        rc,
                        "Alerts",
                        () -> RecordPages.live(
                                "alerts-live", "/ui/alerts/live", 2, RecordPages.alerts(AdminApi.alertList(backend)))));
        router.get("/ui/alerts/live")
                .handler(rc -> fragment(rc, () -> RecordPages.alerts(AdminApi.alertList(backend))));
        router.get("/ui/dead-letters")
                .handler(rc -> page(
                        rc,
                        "Dead letters",
                        () -> RecordPages.live("dead-letters-live", "/ui/dead-letters/live", 5, deadLetters(rc))));
        router.get("/ui/dead-letters/live").handler(rc -> fragment(rc, () -> deadLetters(rc)));
        router.get("/ui/audit")
                .handler(rc -> page(
                        rc,
                        "Audit",
                        () -> RecordPages.live(
                                "audit-live",
                                "/ui/audit/live",
                                5,
                                RecordPages.audit(backend.audit().recent(RECENT)))));
        router.get("/ui/audit/live")
                .handler(rc ->
                        fragment(rc, () -> RecordPages.audit(backend.audit().recent(RECENT))));
        router.get("/ui/config")
                .handler(rc -> page(
                        rc,
                        "Config",
                        () -> ConfigPage.body(
                                backend,
                                AdminAuth.grants(
                                        rc,
                                        backend.snapshot(),
                                        AdminAuth.permission(HttpMethod.POST, "/config/reload")))));
        router.get("/ui/config/state")
                .handler(rc -> fragment(rc, () -> ConfigPage.state(backend.reloadCount(), backend.lastRejection())));
    }

    private void events(RoutingContext rc) {
        selected(rc).ifPresent(types -> page(rc, "Events", () -> EventsPage.body(recent(types), types)));
    }

    private void eventRows(RoutingContext rc) {
        selected(rc).ifPresent(types -> fragment(rc, () -> EventsPage.rows(recent(types))));
    }

    /**
     * The types in {@code ?types=} (names or prefixes, comma separated; blank for
     * none), the defaults without it; empty, and 400 answered, when one is unknown.
     */
    private static Optional<Set<EventType>> selected(RoutingContext rc) {
        String given = rc.request().getParam("types");
        if (given == null) {
            return Optional.of(EventsPage.defaults());
        }
        if (given.isBlank()) {
            return Optional.of(Set.of()); // every box unticked
        }
        try {
            return Optional.of(EventFilter.parse(given).types());
        } catch (IllegalArgumentException e) {
            Replies.error(rc, 400, "types: " + e.getMessage());
            return Optional.empty();
        }
    }

    private List<Event> recent(Set<EventType> types) {
        if (types.isEmpty()) {
            return List.of();
        }
        List<Event> all = new ArrayList<>(backend.events().history(new EventFilter(types), -1));
        Collections.reverse(all);
        return all.subList(0, Math.min(RECENT, all.size()));
    }

    private String deadLetters(RoutingContext rc) {
        boolean replay = AdminAuth.grants(
                rc, backend.snapshot(), AdminAuth.permission(HttpMethod.POST, "/events/dead-letters/0/replay"));
        try {
            return RecordPages.deadLetters(backend.data().get().deadLetters().recent(RECENT), replay);
        } catch (RuntimeException e) {
            return "<p class=\"failed\">Cannot read the dead letters: " + Html.text(Replies.why(e)) + "</p>";
        }
    }

    private void page(RoutingContext rc, String title, Callable<String> body) {
        String path = Replies.path(rc);
        vertx.executeBlocking(body, false)
                .onSuccess(html -> shell.page(rc, title, path, html))
                .onFailure(rc::fail);
    }

    private void fragment(RoutingContext rc, Callable<String> html) {
        vertx.executeBlocking(html, false)
                .onSuccess(h -> Shell.fragment(rc, 200, h))
                .onFailure(rc::fail);
    }
}
