package dev.baton.admin;

import dev.baton.store.DeadLetters;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The dashboard's pages of records, each a live part htmx refreshes every few
 * seconds: the alert rules with their states ({@code /ui/alerts}), the webhook
 * deliveries that failed every attempt, with a replay button for a caller allowed
 * to ({@code /ui/dead-letters}), and the audit log of admin changes
 * ({@code /ui/audit}). Each renders the JSON the matching API endpoint answers, so
 * the page and the API cannot tell different stories.
 */
final class RecordPages {
    private RecordPages() {}

    /** The live part of a records page: re-fetched from {@code path} every {@code seconds}, and after a control. */
    static String live(String id, String path, int seconds, String html) {
        return "<div id=\"" + id + "\" hx-get=\"" + path + "\" hx-trigger=\"every " + seconds + "s, refresh\""
                + " hx-swap=\"innerHTML\">" + html + "</div>";
    }

    static String alerts(JsonArray alerts) {
        Table t = new Table(
                "grid alerts", "Alert rules", "Alert", "State", "Severity", "Rule", "Value", "Targets", "Since");
        for (int i = 0; i < alerts.size(); i++) {
            JsonObject a = alerts.getJsonObject(i);
            String state = a.getString("state");
            String warning = a.getString("warning");
            t.row(
                    "data-alert=\"" + Html.attr(a.getString("name")) + "\"",
                    Html.text(a.getString("name")),
                    "<span class=\"state " + Html.attr(state.toLowerCase(Locale.ROOT)) + "\">" + glyph(state) + " "
                            + Html.text(state) + "</span>",
                    Html.text(a.getString("severity")),
                    "<code>" + Html.text(a.getString("rule")) + "</code>"
                            + (warning == null ? "" : " <span class=\"badge\">" + Html.text(warning) + "</span>"),
                    Html.text(a.getValue("value")),
                    Html.text(String.join(", ", strings(a.getJsonArray("targets")))),
                    Html.text(a.getString("since")));
        }
        return t.html("No alert rules: add some under observability.alerts in the config file.");
    }

    /** FIRING reads without colour too. */
    private static String glyph(String state) {
        return switch (state) {
            case "FIRING" -> "▲";
            case "PENDING" -> "…";
            default -> "○";
        };
    }

    static String deadLetters(List<DeadLetters.Row> rows, boolean replay) {
        Table t = new Table(
                "grid dead-letters",
                "Dead letters",
                "Id",
                "Webhook",
                "Event",
                "Attempts",
                "Last error",
                "Failed at",
                "");
        for (DeadLetters.Row r : rows) {
            String control = replay
                    ? "<span class=\"controls\"><button type=\"button\" hx-post=\"/events/dead-letters/" + r.id()
                            + "/replay\" hx-swap=\"none\">Replay</button><output class=\"result\""
                            + " aria-live=\"polite\"></output></span>"
                    : "";
            t.row(
                    "data-dead-letter=\"" + r.id() + "\"",
                    Long.toString(r.id()),
                    Html.text(r.webhook()),
                    Html.text(r.eventType()) + " #" + r.eventId(),
                    Integer.toString(r.attempts()),
                    Html.text(r.lastError()),
                    Html.text(r.failedAt().toString()),
                    control);
        }
        return t.html("No dead letters: every webhook delivery has succeeded or is still being retried.");
    }

    static String audit(JsonArray entries) {
        Table t = new Table(
                "grid audit", "Admin changes, newest first", "Time", "Who", "Change", "Result", "Before", "After");
        for (int i = 0; i < entries.size(); i++) {
            JsonObject e = entries.getJsonObject(i);
            t.row(
                    "",
                    Html.text(e.getString("time")),
                    Html.text(who(e.getJsonObject("who"))),
                    "<code>" + Html.text(e.getString("method") + " " + e.getString("path")) + "</code>",
                    Html.text(e.getValue("status") + " " + e.getString("result", "")),
                    summary(e.getValue("before")),
                    summary(e.getValue("after")));
        }
        return t.html("Nothing changed through the admin API yet.");
    }

    /** "ana (admin) from 127.0.0.1"; without admin-auth there is only the address. */
    private static String who(@Nullable JsonObject who) {
        if (who == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        String subject = who.getString("subject");
        if (subject != null) {
            out.append(subject);
        }
        List<String> roles = strings(who.getJsonArray("roles"));
        if (!roles.isEmpty()) {
            out.append(" (").append(String.join(", ", roles)).append(')');
        }
        String address = who.getString("address");
        if (address != null) {
            out.append(out.length() == 0 ? "" : " ").append("from ").append(address);
        }
        return out.toString();
    }

    private static String summary(@Nullable Object value) {
        return value == null ? "–" : "<code class=\"json\">" + Html.text(value) + "</code>";
    }

    private static List<String> strings(@Nullable JsonArray a) {
        return a == null ? List.of() : a.stream().map(String::valueOf).toList();
    }
}
