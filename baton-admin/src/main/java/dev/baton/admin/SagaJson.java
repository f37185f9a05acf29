package dev.baton.admin;

import dev.baton.saga.Saga;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Optional;

/** A saga as the admin API shows it: its state, input, steps with their compensations, and its trail. */
final class SagaJson {
    private SagaJson() {}

    static JsonObject saga(Saga s) {
        JsonArray steps = new JsonArray();
        for (Saga.Step st : s.steps()) {
            JsonObject j = new JsonObject()
                    .put("id", st.id())
                    .put("state", st.state().name())
                    .put("attempts", st.attempts())
                    .put("status", st.status().orElse(null))
                    .put("error", st.error().orElse(null))
                    .put("startedAt", time(st.startedAt()))
                    .put("endedAt", time(st.endedAt()))
                    .put("unknownOutcome", st.unknownOutcome());
            st.compensation()
                    .ifPresent(c -> j.put(
                            "compensation",
                            new JsonObject()
                                    .put("state", c.state().name())
                                    .put("attempts", c.attempts())
                                    .put("status", c.status().orElse(null))
                                    .put("error", c.error().orElse(null))
                                    .put("startedAt", time(c.startedAt()))
                                    .put("endedAt", time(c.endedAt()))));
            steps.add(j);
        }
        JsonArray trail = new JsonArray();
        for (Saga.Entry e : s.trail()) {
            trail.add(new JsonObject()
                    .put("at", e.at().toString())
                    .put("step", e.step().orElse(null))
                    .put("what", e.what()));
        }
        return new JsonObject()
                .put("id", s.id())
                .put("name", s.name())
                .put("version", s.version())
                .put("state", s.state().name())
                .put("reason", s.reason().orElse(null))
                .put("idempotencyKey", s.idempotencyKey().orElse(null))
                .put("input", Json.decodeValue(s.input().toString()))
                .put("createdAt", s.createdAt().toString())
                .put("updatedAt", s.updatedAt().toString())
                .put("endedAt", time(s.endedAt()))
                .put("steps", steps)
                .put("trail", trail);
    }

    private static @org.jspecify.annotations.Nullable String time(Optional<Instant> t) {
        return t.map(Instant::toString).orElse(null);
    }
}
