package dev.baton.admin;

import dev.baton.events.Event;
import dev.baton.events.EventType;
import io.vertx.core.json.Json;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard's live event feed ({@code /ui/events}): the bus's recent events,
 * newest first, then each new one as it is published (the page's script follows
 * {@code GET /events}, the same stream API clients read). Checkboxes choose the
 * types; a change re-reads the history for the new choice and follows from there.
 * {@code REQUEST_*} events, one per request, are off unless asked for.
 */
final class EventsPage {
    /** Rows kept on the page: the oldest go as new ones come. */
    static final int ROWS = 200;

    private EventsPage() {}

    /** The types shown when the address does not say: all but the per-request ones. */
    static Set<EventType> defaults() {
        return EnumSet.complementOf(EnumSet.of(EventType.REQUEST_ROUTED, EventType.REQUEST_FAILED));
    }

    static String body(List<Event> newestFirst, Set<EventType> selected) {
        StringBuilder out = new StringBuilder(8192);
        out.append("<form class=\"types\" id=\"event-types\"><fieldset><legend>Types</legend>");
        for (EventType t : EventType.values()) {
            String name = t.name();
            out.append("<label><input type=\"checkbox\" name=\"types\" value=\"")
                    .append(name)
                    .append('"')
                    .append(selected.contains(t) ? " checked" : "")
                    .append('>')
                    .append(name.toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append("</label>");
        }
        out.append("</fieldset></form>");
        out.append("<p class=\"stream-state\" aria-live=\"polite\"></p>");
        out.append("<table class=\"grid events\"><caption>Events, newest first</caption><thead><tr>"
                + "<th scope=\"col\">Time</th><th scope=\"col\">Id</th><th scope=\"col\">Type</th>"
                + "<th scope=\"col\">Data</th></tr></thead>");
        out.append(rows(newestFirst));
        return out.append("</table>").toString();
    }

    /** The table's body; {@code data-last} is the newest id, where the live stream takes over. */
    static String rows(List<Event> newestFirst) {
        long last = newestFirst.isEmpty() ? -1 : newestFirst.get(0).id();
        StringBuilder out = new StringBuilder(4096)
                .append("<tbody id=\"event-rows\" data-last=\"")
                .append(last)
                .append("\" data-max=\"")
                .append(ROWS)
                .append("\">");
        for (Event e : newestFirst) {
            out.append("<tr data-type=\"")
                    .append(e.type().name())
                    .append("\"><th scope=\"row\">")
                    .append(Html.text(e.time().toString()))
                    .append("</th><td>")
                    .append(e.id())
                    .append("</td><td>")
                    .append(e.type().name())
                    .append("</td><td><code>")
                    .append(Html.text(summary(e.data())))
                    .append("</code></td></tr>");
        }
        return out.append("</tbody>").toString();
    }

    /** {@code key=value, …}: strings as they are, anything else as JSON (the page's script writes the same). */
    static String summary(Map<String, Object> data) {
        StringBuilder out = new StringBuilder();
        data.forEach((k, v) -> {
            if (out.length() > 0) {
                out.append(", ");
            }
            out.append(k).append('=').append(v instanceof String s ? s : Json.encode(v));
        });
        return out.toString();
    }
}
