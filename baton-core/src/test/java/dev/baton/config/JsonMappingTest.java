package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JsonMappingTest {
    static String apply(JsonMapping m, String json) {
        return m.apply(json.getBytes(StandardCharsets.UTF_8))
                .map(b -> new String(b, StandardCharsets.UTF_8))
                .orElse("(untouched)");
    }

    static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void renameRemoveSetThenWrap() {
        JsonMapping m = new JsonMapping(
                Map.of("/user/name", "fullName"),
                List.of("/user/password", "/missing/field"),
                Map.of("/version", "2", "/user/source", "gateway", "/flags", "{\"beta\":true}"),
                Optional.of("data"),
                1 << 20);
        assertThat(tree(apply(m, "{\"user\":{\"name\":\"Ada\",\"password\":\"x\"}}")))
                .isEqualTo(tree("{\"data\":{\"user\":{\"source\":\"gateway\",\"fullName\":\"Ada\"},\"version\":2,"
                        + "\"flags\":{\"beta\":true}}}"));
        assertThat(apply(m, "not json")).isEqualTo("(untouched)");
        assertThat(JsonMapping.pointerProblem("/a/b")).isEmpty();
        assertThat(JsonMapping.pointerProblem("a").orElseThrow()).contains("not a JSON Pointer");
        assertThat(JsonMapping.pointerProblem("/").orElseThrow()).contains("names no field");
    }
}
