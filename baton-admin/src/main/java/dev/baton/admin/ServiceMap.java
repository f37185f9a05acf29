package dev.baton.admin;

import dev.baton.config.DependencyGraph;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The overview's service map as SVG: the gateway on the left, then the services in
 * columns by {@code depends-on} level (what is depended on to the right), routes as
 * edges from the gateway and {@code depends-on} as edges between services. A node's
 * health is its colour and also its glyph and label, so the map reads without
 * colour; its badges say what a person must notice. Drawn on the server, so it needs
 * no script and no layout library.
 */
final class ServiceMap {
    static final int NODE_W = 170;
    static final int NODE_H = 44;
    static final int COL_GAP = 70;
    static final int ROW_GAP = 14;
    /** Above the nodes: where an edge that skips a column runs, so no node hides it. */
    static final int LANE = 18;

    static final int PAD = 10;

    private ServiceMap() {}

    private record Box(int x, int y) {
        int midY() {
            return y + NODE_H / 2;
        }
    }

    static String svg(Overview overview) {
        Map<String, Overview.Card> cards = new LinkedHashMap<>();
        Map<String, List<String>> deps = new LinkedHashMap<>();
        for (Overview.Card c : overview.cards()) {
            cards.put(c.id(), c);
            deps.put(c.id(), c.dependsOn());
        }
        // Dependencies start first, so they come first in the levels: draw them last (rightmost).
        List<List<String>> levels =
                new ArrayList<>(DependencyGraph.of(deps, Map.of()).levels());
        java.util.Collections.reverse(levels);
        Map<String, Box> boxes = new LinkedHashMap<>();
        int rows = 1;
        for (int col = 0; col < levels.size(); col++) {
            List<String> level = levels.get(col);
            for (int row = 0; row < level.size(); row++) {
                boxes.put(
                        level.get(row),
                        new Box(PAD + (col + 1) * (NODE_W + COL_GAP), PAD + LANE + row * (NODE_H + ROW_GAP)));
            }
            rows = Math.max(rows, level.size());
        }
        Box gateway = new Box(PAD, PAD + LANE);
        int width = PAD * 2 + (levels.size() + 1) * (NODE_W + COL_GAP) - COL_GAP;
        int height = PAD * 2 + LANE + rows * (NODE_H + ROW_GAP) - ROW_GAP;
        StringBuilder out = new StringBuilder(256 + cards.size() * 400);
        out.append("<svg class=\"map\" role=\"img\" aria-label=\"Service map\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\">");
        for (Overview.Card c : cards.values()) {
            Box to = boxes.get(c.id());
            if (to == null) {
                continue;
            }
            if (c.routed()) {
                edge(out, gateway, to, "route");
            }
            for (String dep : c.dependsOn()) {
                Box d = boxes.get(dep);
                if (d != null) {
                    edge(out, to, d, "dep");
                }
            }
        }
        out.append("<g class=\"node gateway\"><rect x=\"")
                .append(gateway.x())
                .append("\" y=\"")
                .append(gateway.y())
                .append("\" width=\"")
                .append(NODE_W)
                .append("\" height=\"")
                .append(NODE_H)
                .append("\" rx=\"6\"/><text x=\"")
                .append(gateway.x() + 10)
                .append("\" y=\"")
                .append(gateway.y() + 27)
                .append("\">gateway</text></g>");
        for (Overview.Card c : cards.values()) {
            Box b = boxes.get(c.id());
            if (b != null) {
                node(out, c, b);
            }
        }
        return out.append("</svg>").toString();
    }

    private static void edge(StringBuilder out, Box from, Box to, String kind) {
        int x1 = from.x() + NODE_W;
        int x2 = to.x();
        int y1 = from.midY();
        int y2 = to.midY();
        out.append("<path class=\"edge ")
                .append(kind)
                .append("\" d=\"M")
                .append(x1)
                .append(',')
                .append(y1);
        if (x2 - x1 > COL_GAP) {
            // It would cross the columns between: up into the lane, along it, and down.
            int lane = PAD + LANE / 2;
            int half = COL_GAP / 2;
            out.append(" C")
                    .append(x1 + half)
                    .append(',')
                    .append(y1)
                    .append(' ')
                    .append(x1 + half)
                    .append(',')
                    .append(lane)
                    .append(' ')
                    .append(x1 + COL_GAP)
                    .append(',')
                    .append(lane)
                    .append(" L")
                    .append(x2 - COL_GAP)
                    .append(',')
                    .append(lane)
                    .append(" C")
                    .append(x2 - half)
                    .append(',')
                    .append(lane)
                    .append(' ')
                    .append(x2 - half)
                    .append(',')
                    .append(y2)
                    .append(' ')
                    .append(x2)
                    .append(',')
                    .append(y2);
        } else {
            int mid = (x1 + x2) / 2;
            out.append(" C")
                    .append(mid)
                    .append(',')
                    .append(y1)
                    .append(' ')
                    .append(mid)
                    .append(',')
                    .append(y2)
                    .append(' ')
                    .append(x2)
                    .append(',')
                    .append(y2);
        }
        out.append("\"/>");
    }

    private static void node(StringBuilder out, Overview.Card c, Box b) {
        String status = c.status().name().toLowerCase(java.util.Locale.ROOT);
        out.append("<a href=\"/ui/services/")
                .append(Html.attr(c.id()))
                .append("\"><g class=\"node ")
                .append(status)
                .append("\" data-service=\"")
                .append(Html.attr(c.id()))
                .append("\"><title>")
                .append(Html.text(c.id() + ": " + c.status().name()))
                .append("</title><rect x=\"")
                .append(b.x())
                .append("\" y=\"")
                .append(b.y())
                .append("\" width=\"")
                .append(NODE_W)
                .append("\" height=\"")
                .append(NODE_H)
                .append("\" rx=\"6\"/><text x=\"")
                .append(b.x() + 10)
                .append("\" y=\"")
                .append(b.y() + 18)
                .append("\">")
                .append(Dashboard.glyph(c.status()))
                .append(' ')
                .append(Html.text(shorten(c.id())))
                .append("</text><text class=\"badges\" x=\"")
                .append(b.x() + 10)
                .append("\" y=\"")
                .append(b.y() + 35)
                .append("\">")
                .append(Html.text(String.join(" · ", Dashboard.badges(c))))
                .append("</text></g></a>");
    }

    /** A long id cut to fit its box; the full id is in the node's title. */
    private static String shorten(String id) {
        return id.length() <= 20 ? id : id.substring(0, 19) + "…";
    }
}
