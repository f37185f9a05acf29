package dev.baton.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Access-log lines are valid JSON whatever a client puts in its path. */
class JsonLineTest {
    @Test
    void escapesQuotesBackslashesControlsAndKeepsUnicode() {
        JsonLine j = new JsonLine();
        String nasty = "/a\"b\\c\td\u0001é€😀";
        j.begin()
                .field(JsonLine.key("plain"), "/api/orders")
                .field(JsonLine.key("nasty"), nasty)
                .field(JsonLine.key("none"), (String) null)
                .field(JsonLine.key("n"), -1234567890123L)
                .field(JsonLine.key("zero"), 0)
                .millis(JsonLine.key("ms"), 1_234_567)
                .field(JsonLine.key("yes"), true)
                .safe(JsonLine.key("id"), "orders-0")
                .safe(JsonLine.key("noId"), null)
                .end();
        String line = new String(j.bytes(), 0, j.length(), StandardCharsets.UTF_8);
        assertThat(line).endsWith("}\n").doesNotContain("\t");
        JsonObject o = new JsonObject(line.trim());
        assertThat(o.getString("plain")).isEqualTo("/api/orders");
        assertThat(o.getString("nasty")).isEqualTo(nasty);
        assertThat(o.getValue("none")).isNull();
        assertThat(o.getLong("n")).isEqualTo(-1234567890123L);
        assertThat(o.getLong("zero")).isZero();
        assertThat(o.getDouble("ms")).isEqualTo(1.235);
        assertThat(o.getBoolean("yes")).isTrue();
        assertThat(o.getString("id")).isEqualTo("orders-0");
        assertThat(o.getValue("noId")).isNull();
    }
}
