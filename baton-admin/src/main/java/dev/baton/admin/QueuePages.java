package dev.baton.admin;

import dev.baton.config.Durations;
import dev.baton.config.QueueConfig;
import dev.baton.config.Sizes;
import dev.baton.config.TopicConfig;
import dev.baton.queue.DeadLetter;
import dev.baton.queue.QueueMeters;
import dev.baton.queue.QueueRefused;
import dev.baton.queue.Queues;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The dashboard's queues: {@code /ui/queues} lists every queue with its depth, dead
 * letters, the age of its oldest ready message and its rates, each with the last 15
 * minutes drawn as a line, then the topics with their subscriptions; {@code
 * /ui/queues/{q}} shows one queue's settings, its charts and its dead letters, each
 * with the errors of its attempts and buttons to redrive or purge it. Both are
 * re-read every five seconds, as often as the store is counted. The charts are SVG
 * drawn here (no script), and the buttons are the admin API's own endpoints.
 */
final class QueuePages {
    static final int DEAD_LETTERS = 100;
    private static final int WIDTH = 180;
    private static final int HEIGHT = 32;

    private final AdminApi.Backend backend;
    private final Shell shell;

    QueuePages(AdminApi.Backend backend, Shell shell) {
        this.backend = backend;
        this.shell = shell;
    }

    void mount(Router router) {
        router.get("/ui/queues")
                .handler(rc -> shell.page(
                        rc, "Queues", "/ui/queues", RecordPages.live("queues-live", "/ui/queues/live", 5, lists())));
        router.get("/ui/queues/live").handler(rc -> Shell.fragment(rc, 200, lists()));
        router.get("/ui/queues/:q").handler(rc -> one(rc, false));
        router.get("/ui/queues/:q/live").handler(rc -> one(rc, true));
    }

    private String lists() {
        Queues queues = backend.queues();
        QueueMeters m = queues.meters();
        Table t = new Table(
                "grid queues",
                "Queues",
                "Queue",
                "Source",
                "Depth",
                "Dead letters",
                "Oldest",
                "Published/s",
                "Acked/s",
                "Depth, 15 min",
                "Rates, 15 min");
        queues.queues().forEach((name, q) -> row(t, name, q.source(), m));
        for (Queues.Declared<TopicConfig> topic : queues.topics().values()) {
            for (TopicConfig.Subscription s : topic.config().subscriptions().values()) {
                if (!(s.target() instanceof TopicConfig.IntoQueue)) {
                    row(t, s.queue(), "subscription", m);
                }
            }
        }
        Table topics = new Table("grid topics", "Topics", "Topic", "Source", "Subscription", "Delivers to", "Filter");
        queues.topics().forEach((name, topic) -> {
            if (topic.config().subscriptions().isEmpty()) {
                topics.row("", Html.text(name), Html.text(topic.source()), "–", "–", "–");
            }
            topic.config()
                    .subscriptions()
                    .values()
                    .forEach(s -> topics.row(
                            "data-subscription=\"" + Html.attr(s.queue()) + "\"",
                            Html.text(name),
                            Html.text(topic.source()),
                            Html.text(s.name()),
                            target(s),
                            s.filter()
                                    .map(f ->
                                            "<code>" + Html.text(dev.baton.config.QueueDefinitions.json(f)) + "</code>")
                                    .orElse("all messages")));
        });
        return t.html("No queue is declared: see queues: in the config, or PUT /queues/{q}.")
                + topics.html("No topic is declared.");
    }

    private static void row(Table t, String name, String source, QueueMeters m) {
        List<QueueMeters.Sample> h = m.history(name);
        QueueMeters.Sample last = h.isEmpty() ? null : h.get(h.size() - 1);
        t.row(
                "data-queue=\"" + Html.attr(name) + "\"",
                "<a href=\"/ui/queues/" + Html.attr(name) + "\">" + Html.text(name) + "</a>",
                Html.text(source),
                Long.toString(m.depth(name)),
                m.deadLetters(name) > 0 ? "<strong class=\"bad\">" + m.deadLetters(name) + "</strong>" : "0",
                age(m.oldestAge(name)),
                last == null ? "–" : rate(last.published()),
                last == null ? "–" : rate(last.acked()),
                chart(h, List.of(QueueMeters.Sample::depth), List.of("#2563eb"), "depth"),
                chart(
                        h,
                        List.of(QueueMeters.Sample::published, QueueMeters.Sample::acked),
                        List.of("#16a34a", "#7c3aed"),
                        "published and acknowledged per reading"));
    }

    private static String target(TopicConfig.Subscription s) {
        if (s.target() instanceof TopicConfig.Push p) {
            return "push to " + Html.text(p.service() + " " + p.path()) + " (<a href=\"/ui/queues/"
                    + Html.attr(s.queue()) + "\">its queue</a>)";
        }
        if (s.target() instanceof TopicConfig.IntoQueue q) {
            return "queue <a href=\"/ui/queues/" + Html.attr(q.queue()) + "\">" + Html.text(q.queue()) + "</a>";
        }
        return "pulled from <a href=\"/ui/queues/" + Html.attr(s.queue()) + "\">" + Html.text(s.queue()) + "</a>";
    }

    private void one(RoutingContext rc, boolean fragment) {
        String name = Replies.pathParam(rc, "q");
        Queues queues = backend.queues();
        QueueConfig q;
        try {
            q = queues.queue(name);
        } catch (QueueRefused e) {
            if (fragment) {
                Shell.fragment(rc, 404, "<p class=\"gone\">No queue " + Html.text(name) + ".</p>");
            } else {
                rc.response().setStatusCode(404);
                shell.page(
                        rc,
                        "Not found",
                        "/ui/queues",
                        "<p>No queue <code>" + Html.text(name) + "</code>. <a href=\"/ui/queues\">Queues</a></p>");
            }
            return;
        }
        boolean write = AdminAuth.grants(
                rc, backend.snapshot(), AdminAuth.permission(HttpMethod.POST, "/queues/x/dead-letters/redrive"));
        Future.fromCompletionStage(queues.deadLetters(name, DEAD_LETTERS))
                .onSuccess(dead -> {
                    String live = detail(name, q, queues.meters(), dead, write);
                    if (fragment) {
                        Shell.fragment(rc, 200, live);
                        return;
                    }
                    String base = "/queues/" + Html.attr(name) + "/dead-letters";
                    String controls = write
                            ? "<div class=\"controls\" role=\"group\" aria-label=\"Dead letters\">"
                                    + button("post", base + "/redrive", "Redrive all", "")
                                    + button(
                                            "delete",
                                            base,
                                            "Purge all",
                                            " hx-confirm=\"Delete every dead letter of " + Html.attr(name) + "?\"")
                                    + "<output class=\"result\" aria-live=\"polite\"></output></div>"
                            : "";
                    shell.page(
                            rc,
                            "Queue " + name,
                            "/ui/queues",
                            "<p class=\"crumbs\"><a href=\"/ui/queues\">Queues</a> › " + Html.text(name) + "</p>"
                                    + controls
                                    + RecordPages.live(
                                            "queue-live", "/ui/queues/" + Html.attr(name) + "/live", 5, live));
                })
                .onFailure(e -> Replies.error(rc, 503, "cannot read the dead letters: " + Replies.why(e)));
    }

    private static String detail(String name, QueueConfig q, QueueMeters m, List<DeadLetter> dead, boolean write) {
        List<QueueMeters.Sample> h = m.history(name);
        StringBuilder out = new StringBuilder("<div class=\"facts\">")
                .append(fact("Depth", Long.toString(m.depth(name))))
                .append(fact("Dead letters", Long.toString(m.deadLetters(name))))
                .append(fact("Oldest ready", age(m.oldestAge(name))))
                .append(fact("Visibility", Durations.format(q.visibility())))
                .append(fact("Attempts", Integer.toString(q.maxAttempts())))
                .append(fact("Backoff", Durations.format(q.backoff()) + " to " + Durations.format(q.maxBackoff())))
                .append(fact("Dedup window", Durations.format(q.dedupWindow())))
                .append(fact("Largest message", Sizes.format(q.maxMessageSize())))
                .append("</div><div class=\"charts\"><figure>")
                .append(chart(h, List.of(QueueMeters.Sample::depth), List.of("#2563eb"), "depth"))
                .append("<figcaption>Depth, 15 minutes</figcaption></figure><figure>")
                .append(chart(
                        h,
                        List.of(QueueMeters.Sample::published, QueueMeters.Sample::acked, QueueMeters.Sample::died),
                        List.of("#16a34a", "#7c3aed", "#dc2626"),
                        "published, acknowledged and dead-lettered per reading"))
                .append("<figcaption>Published, acknowledged, dead-lettered</figcaption></figure></div>");
        Table t = new Table(
                "grid dead-letters",
                "Dead letters (oldest first, at most " + DEAD_LETTERS + ")",
                "Message",
                "Published",
                "Died",
                "Attempts",
                "Body",
                "");
        String base = "/queues/" + Html.attr(name) + "/dead-letters/";
        for (DeadLetter d : dead) {
            StringBuilder attempts = new StringBuilder("<ol class=\"attempts\">");
            d.attempts()
                    .forEach(a -> attempts.append("<li><time>")
                            .append(Html.text(a.time().toString()))
                            .append("</time> ")
                            .append(Html.text(a.error()))
                            .append("</li>"));
            attempts.append("</ol>");
            String body = d.body().isJson() ? d.body().text() : d.body().size() + " bytes";
            t.row(
                    "data-message=\"" + Html.attr(d.id()) + "\"",
                    "<code>" + Html.text(d.id()) + "</code>",
                    Html.text(d.publishedAt().toString()),
                    Html.text(d.deadAt().toString()),
                    attempts.toString(),
                    "<code>" + Html.text(body.length() > 200 ? body.substring(0, 200) + "…" : body) + "</code>",
                    write
                            ? "<span class=\"controls\">"
                                    + button("post", base + Html.attr(d.id()) + "/redrive", "Redrive", "")
                                    + button("delete", base + Html.attr(d.id()), "Purge", "")
                                    + "<output class=\"result\" aria-live=\"polite\"></output></span>"
                            : "");
        }
        return out.append(t.html("No dead letters.")).toString();
    }

    private static String button(String verb, String path, String label, String extra) {
        return "<button type=\"button\" hx-" + verb + "=\"" + path + "\" hx-swap=\"none\"" + extra + ">"
                + Html.text(label) + "</button>";
    }

    private static String fact(String label, String html) {
        return "<div class=\"fact\"><span class=\"label\">" + Html.text(label) + "</span><span>" + Html.text(html)
                + "</span></div>";
    }

    private static String age(double seconds) {
        if (seconds <= 0) {
            return "–";
        }
        return seconds < 120
                ? String.format(Locale.ROOT, "%.0fs", seconds)
                : String.format(Locale.ROOT, "%.0fm", seconds / 60);
    }

    private static String rate(long perReading) {
        return String.format(Locale.ROOT, "%.1f", perReading / 5.0);
    }

    /**
     * Lines of {@code values} over the readings, each in its colour, on one scale
     * from 0 to the largest value: SVG attributes only, which the page's policy allows.
     */
    static String chart(
            List<QueueMeters.Sample> h,
            List<ToDoubleFunction<QueueMeters.Sample>> values,
            List<String> colours,
            String label) {
        double max = 1;
        for (QueueMeters.Sample s : h) {
            for (ToDoubleFunction<QueueMeters.Sample> v : values) {
                max = Math.max(max, v.applyAsDouble(s));
            }
        }
        StringBuilder svg = new StringBuilder("<svg class=\"queue-chart\" role=\"img\" width=\"" + WIDTH
                + "\" height=\"" + HEIGHT + "\" viewBox=\"0 0 " + WIDTH + " " + HEIGHT + "\"><title>"
                + Html.text(label + (h.isEmpty() ? ": no readings yet" : ", highest " + (long) max)) + "</title>");
        if (h.size() > 1) {
            double dx = (double) WIDTH / (QueueMeters.HISTORY - 1);
            double x0 = WIDTH - dx * (h.size() - 1);
            for (int i = 0; i < values.size(); i++) {
                StringBuilder points = new StringBuilder();
                for (int j = 0; j < h.size(); j++) {
                    double y = HEIGHT - 1 - (HEIGHT - 2) * values.get(i).applyAsDouble(h.get(j)) / max;
                    points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x0 + dx * j, y));
                }
                svg.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"")
                        .append(colours.get(i))
                        .append("\" points=\"")
                        .append(points.toString().trim())
                        .append("\"/>");
            }
        }
        return svg.append("</svg>").toString();
    }
}
