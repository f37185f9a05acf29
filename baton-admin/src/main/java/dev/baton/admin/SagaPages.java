package dev.baton.admin;

import dev.baton.saga.Saga;
import dev.baton.saga.SagaState;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The dashboard's sagas: {@code /ui/sagas} lists the stuck ones first (with retry
 * and skip), then those running or compensating, then the last that ended;
 * {@code /ui/sagas/{id}} shows one saga's steps with their compensations and its
 * trail as a timeline, with the controls its state allows. Both are re-read every
 * two seconds. The controls are the admin API's own endpoints.
 */
final class SagaPages {
    static final int RECENT = 50;

    private final AdminApi.Backend backend;
    private final Shell shell;

    SagaPages(AdminApi.Backend backend, Shell shell) {
        this.backend = backend;
        this.shell = shell;
    }

    void mount(Router router) {
        router.get("/ui/sagas")
                .handler(rc -> lists(rc)
                        .onSuccess(html -> shell.page(
                                rc, "Sagas", "/ui/sagas", RecordPages.live("sagas-live", "/ui/sagas/live", 2, html))));
        router.get("/ui/sagas/live").handler(rc -> lists(rc).onSuccess(html -> Shell.fragment(rc, 200, html)));
        router.get("/ui/sagas/:id").handler(rc -> one(rc, false));
        router.get("/ui/sagas/:id/live").handler(rc -> one(rc, true));
    }

    private Future<String> lists(RoutingContext rc) {
        boolean write =
                AdminAuth.grants(rc, backend.snapshot(), AdminAuth.permission(HttpMethod.POST, "/sagas/x/retry"));
        var sagas = backend.sagas();
        Future<List<Saga>> stuck =
                Future.fromCompletionStage(sagas.list(Optional.empty(), Optional.of(SagaState.STUCK), 200));
        Future<List<Saga>> running =
                Future.fromCompletionStage(sagas.list(Optional.empty(), Optional.of(SagaState.RUNNING), 200));
        Future<List<Saga>> compensating =
                Future.fromCompletionStage(sagas.list(Optional.empty(), Optional.of(SagaState.COMPENSATING), 200));
        Future<List<Saga>> recent = Future.fromCompletionStage(sagas.list(Optional.empty(), Optional.empty(), RECENT));
        return Future.all(stuck, running, compensating, recent)
                .map(all -> table("Stuck: waiting for an operator", stuck.result(), write, "None stuck.")
                        + table("Running", running.result(), false, "None running.")
                        + table("Compensating", compensating.result(), false, "None compensating.")
                        + table("Latest " + RECENT, recent.result(), false, "No saga has run yet."))
                .onFailure(e -> Replies.error(rc, 503, "cannot read the sagas: " + Replies.why(e)));
    }

    private static String table(String caption, List<Saga> sagas, boolean controls, String empty) {
        Table t = new Table("grid sagas", caption, "Saga", "Definition", "State", "Started", "Why", "");
        for (Saga s : sagas) {
            t.row(
                    "data-saga=\"" + Html.attr(s.id()) + "\"",
                    "<a href=\"/ui/sagas/" + Html.attr(s.id()) + "\"><code>" + Html.text(s.id()) + "</code></a>",
                    Html.text(s.name() + " v" + s.version()),
                    state(s.state()),
                    Html.text(s.createdAt().toString()),
                    Html.text(s.reason().orElse("")),
                    controls ? controls(s) : "");
        }
        return t.html(empty);
    }

    private void one(RoutingContext rc, boolean fragment) {
        String id = Replies.pathParam(rc, "id");
        boolean write =
                AdminAuth.grants(rc, backend.snapshot(), AdminAuth.permission(HttpMethod.POST, "/sagas/x/cancel"));
        Future.fromCompletionStage(backend.sagas().get(id))
                .onSuccess(found -> {
                    if (found.isEmpty()) {
                        if (fragment) {
                            Shell.fragment(rc, 404, "<p class=\"gone\">No saga " + Html.text(id) + ".</p>");
                        } else {
                            rc.response().setStatusCode(404);
                            shell.page(
                                    rc,
                                    "Not found",
                                    "/ui/sagas",
                                    "<p>No saga <code>" + Html.text(id)
                                            + "</code>. <a href=\"/ui/sagas\">Sagas</a></p>");
                        }
                        return;
                    }
                    Saga s = found.get();
                    String live = detail(s);
                    if (fragment) {
                        Shell.fragment(rc, 200, live);
                        return;
                    }
                    String body = "<p class=\"crumbs\"><a href=\"/ui/sagas\">Sagas</a> › " + Html.text(s.name())
                            + "</p>"
                            + (write
                                    ? "<div class=\"controls\" role=\"group\" aria-label=\"Actions\">" + controls(s)
                                            + "</div>"
                                    : "")
                            + RecordPages.live("saga-live", "/ui/sagas/" + Html.attr(s.id()) + "/live", 2, live);
                    shell.page(rc, "Saga " + s.id(), "/ui/sagas", body);
                })
                .onFailure(e -> Replies.error(rc, 503, "cannot read the saga: " + Replies.why(e)));
    }

    /** The buttons a saga's state allows: cancel while it runs, retry and skip while it is stuck. */
    private static String controls(Saga s) {
        StringBuilder out = new StringBuilder("<span class=\"controls\">");
        String base = "/sagas/" + Html.attr(s.id()) + "/";
        if (s.state() == SagaState.RUNNING) {
            out.append(button(base + "cancel", "Cancel"));
        }
        if (s.state() == SagaState.STUCK) {
            out.append(button(base + "retry", "Retry")).append(button(base + "skip", "Skip"));
        }
        return out.append("<output class=\"result\" aria-live=\"polite\"></output></span>")
                .toString();
    }

    private static String button(String path, String label) {
        return "<button type=\"button\" hx-post=\"" + path + "\" hx-swap=\"none\">" + Html.text(label) + "</button>";
    }

    private static String detail(Saga s) {
        StringBuilder out = new StringBuilder();
        out.append("<div class=\"facts\">")
                .append(fact("State", state(s.state())))
                .append(fact("Definition", Html.text(s.name() + " v" + s.version())))
                .append(fact("Started", Html.text(s.createdAt().toString())))
                .append(fact(
                        "Ended", Html.text(s.endedAt().map(Object::toString).orElse("–"))))
                .append(fact("Why", Html.text(s.reason().orElse("–"))))
                .append("</div>");
        Table steps = new Table(
                "grid saga-steps", "Steps", "Step", "State", "Attempts", "Last status", "Last error", "Compensation");
        for (Saga.Step st : s.steps()) {
            String comp = st.compensation()
                    .map(c -> c.state().name() + ", " + c.attempts() + " attempt" + (c.attempts() == 1 ? "" : "s")
                            + c.error().map(e -> ": " + e).orElse(""))
                    .orElse("–");
            steps.row(
                    "data-step=\"" + Html.attr(st.id()) + "\"",
                    Html.text(st.id()),
                    Html.text(st.state().name() + (st.unknownOutcome() ? " (outcome unknown)" : "")),
                    Integer.toString(st.attempts()),
                    Html.text(st.status().map(String::valueOf).orElse("–")),
                    Html.text(st.error().orElse("–")),
                    Html.text(comp));
        }
        out.append(steps.html("No steps."));
        out.append("<h2>Trail</h2><ol class=\"timeline\">");
        for (Saga.Entry e : s.trail()) {
            out.append("<li><time datetime=\"")
                    .append(Html.attr(e.at().toString()))
                    .append("\">")
                    .append(Html.text(e.at().toString()))
                    .append("</time> ")
                    .append(e.step()
                            .map(st -> "<span class=\"step\">" + Html.text(st) + "</span> ")
                            .orElse(""))
                    .append(Html.text(e.what()))
                    .append("</li>");
        }
        return out.append("</ol>").toString();
    }

    private static String fact(String label, String html) {
        return "<div class=\"fact\"><span class=\"label\">" + Html.text(label) + "</span><span>" + html
                + "</span></div>";
    }

    /** The state with a glyph, so it reads without colour. */
    private static String state(SagaState s) {
        String glyph = switch (s) {
            case COMPLETED -> "✓";
            case COMPENSATED, CANCELLED -> "↺";
            case STUCK -> "▲";
            default -> "…";
        };
        return "<span class=\"state " + s.name().toLowerCase(Locale.ROOT) + "\">" + glyph + " " + s.name() + "</span>";
    }
}
