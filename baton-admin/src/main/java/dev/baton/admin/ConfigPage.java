package dev.baton.admin;

import dev.baton.control.ConfigRejection;
import java.util.Optional;

/**
 * The dashboard's config page ({@code /ui/config}): the config file as last
 * applied (secrets masked, as {@code GET /config} shows it), how many configs have
 * been applied, a reload button for a caller allowed to, and the last refused
 * change of the file with every error, so that a typo saved in an editor is seen
 * at once rather than found in a log.
 */
final class ConfigPage {
    private ConfigPage() {}

    static String body(AdminApi.Backend backend, boolean reload) {
        StringBuilder out = new StringBuilder(8192);
        if (reload) {
            out.append("<div class=\"controls\" role=\"group\" aria-label=\"Actions\">"
                    + "<button type=\"button\" hx-post=\"/config/reload\" hx-swap=\"none\">Reload from file</button>"
                    + "<output class=\"result\" aria-live=\"polite\"></output></div>");
        }
        out.append(RecordPages.live(
                "config-state", "/ui/config/state", 5, state(backend.reloadCount(), backend.lastRejection())));
        out.append("<h2>Active config</h2><pre class=\"config\" tabindex=\"0\">")
                .append(Html.text(ConfigJson.config(backend.fileConfig()).encodePrettily()))
                .append("</pre>");
        return out.toString();
    }

    /** How many configs were applied, and the last refusal if there was one. */
    static String state(long applied, Optional<ConfigRejection> rejection) {
        StringBuilder out = new StringBuilder("<p class=\"applied\">Configs applied since start: ")
                .append(applied)
                .append(".</p>");
        if (rejection.isEmpty()) {
            return out.append("<p class=\"rejection none\">No change of the config file has been refused.</p>")
                    .toString();
        }
        ConfigRejection r = rejection.get();
        long since = Math.max(0, applied - r.appliedBefore());
        out.append(
                        "<section class=\"rejection\" aria-labelledby=\"rejected\"><h2 id=\"rejected\">Last refused change</h2>"
                                + "<p>")
                .append(Html.text(r.file()))
                .append(", at ")
                .append(Html.text(r.at().toString()))
                .append(" (")
                .append(Html.text(r.cause()))
                .append("): ")
                .append(
                        since == 0
                                ? "the last good config below is still serving; fix the file and save it, or reload."
                                : since + " config" + (since == 1 ? " has" : "s have") + " been applied since.")
                .append("</p><ul class=\"errors\">");
        for (String e : r.errors()) {
            out.append("<li><code>").append(Html.text(e)).append("</code></li>");
        }
        return out.append("</ul></section>").toString();
    }
}
