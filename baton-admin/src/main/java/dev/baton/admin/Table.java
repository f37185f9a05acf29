package dev.baton.admin;

/**
 * An HTML table for the dashboard's pages, written row by row: headings as
 * {@code th scope="col"}, each row's first cell as {@code th scope="row"} so a
 * screen reader names the row. Cells are HTML the caller has escaped ({@link Html}).
 */
final class Table {
    private final StringBuilder out = new StringBuilder(2048);
    private final int columns;
    private int rows;

    /** {@code cssClass} and {@code caption} for the table; one heading per column. */
    Table(String cssClass, String caption, String... headings) {
        this.columns = headings.length;
        out.append("<table class=\"").append(cssClass).append("\"><caption>").append(Html.text(caption));
        out.append("</caption><thead><tr>");
        for (String h : headings) {
            out.append("<th scope=\"col\">").append(Html.text(h)).append("</th>");
        }
        out.append("</tr></thead><tbody>");
    }

    /** A row: {@code attributes} (already escaped, may be empty) on the {@code tr}, then its cells. */
    Table row(String attributes, String... cells) {
        rows++;
        out.append("<tr").append(attributes.isEmpty() ? "" : " " + attributes).append('>');
        for (int i = 0; i < cells.length; i++) {
            out.append(i == 0 ? "<th scope=\"row\">" : "<td>").append(cells[i]).append(i == 0 ? "</th>" : "</td>");
        }
        out.append("</tr>");
        return this;
    }

    /** The table, with {@code empty} (plain text) in a row of its own when no row was added. */
    String html(String empty) {
        if (rows == 0) {
            out.append("<tr><td colspan=\"")
                    .append(columns)
                    .append("\" class=\"empty\">")
                    .append(Html.text(empty))
                    .append("</td></tr>");
        }
        return out.append("</tbody></table>").toString();
    }
}
