package dev.baton.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.SagaConfig;
import dev.baton.config.SagaDefinitions;
import dev.baton.saga.Saga;
import dev.baton.saga.SagaState;
import dev.baton.saga.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One saga's working state, owned by the engine's thread: what it changes between
 * writes, and the JSON the store keeps of it ({@link #json}, {@link #read}). The
 * JSON holds the definition as started, so a saga keeps its version across
 * restarts and redefinitions. The trail keeps its last {@link #TRAIL} entries.
 */
final class Run {
    static final int TRAIL = 200;

    final String id;
    final String name;
    final int version;
    final SagaConfig definition;
    final JsonNode input;
    final Optional<String> idempotencyKey;
    final Instant createdAt;
    final Instant deadline;
    final List<StepRun> steps = new ArrayList<>();
    final List<Saga.Entry> trail = new ArrayList<>();
    SagaState state = SagaState.RUNNING;

    @Nullable
    String reason;

    /** Why it compensates: the reason again once a stuck compensation goes on. */
    @Nullable
    String cause;

    boolean pivoted;
    boolean cancelled; // compensating because an operator cancelled: ends CANCELLED
    boolean cancelRequested; // asked while a call was out: applied when it comes back
    int droppedTrail;
    Instant updatedAt;

    @Nullable
    Instant endedAt;

    long revision;
    boolean busy; // a write or a call is out: nothing else may start
    dev.baton.time.Scheduler.@Nullable Cancellable timer; // the wake-up scheduled for it, if any

    /** One step's state, and its compensation's. */
    static final class StepRun {
        final SagaConfig.Step config;
        StepState state = StepState.PENDING;
        int attempts;

        @Nullable
        Integer status;

        @Nullable
        String error;

        @Nullable
        Instant startedAt;

        @Nullable
        Instant endedAt;

        boolean unknown;

        Saga.@Nullable Response response;

        @Nullable
        Instant notBefore; // waiting to retry until then

        @Nullable
        Instant firstFailure; // of the current run of failures past the pivot: the deadline counts from it

        Comp comp = new Comp();

        StepRun(SagaConfig.Step config) {
            this.config = config;
        }
    }

    /** A compensation's state: {@code state} is null until it has begun. */
    static final class Comp {
        @Nullable
        StepState state;

        int attempts;

        @Nullable
        Integer status;

        @Nullable
        String error;

        @Nullable
        Instant startedAt;

        @Nullable
        Instant endedAt;

        @Nullable
        Instant notBefore;
    }

    Run(
            String id,
            String name,
            int version,
            SagaConfig definition,
            JsonNode input,
            Optional<String> idempotencyKey,
            Instant createdAt) {
        this.id = id;
        this.name = name;
        this.version = version;
        this.definition = definition;
        this.input = input;
        this.idempotencyKey = idempotencyKey;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.deadline = createdAt.plus(definition.timeout());
        for (SagaConfig.Step s : definition.steps()) {
            steps.add(new StepRun(s));
        }
    }

    void note(Instant at, @Nullable String step, String what) {
        trail.add(new Saga.Entry(at, Optional.ofNullable(step), what));
        if (trail.size() > TRAIL) {
            trail.remove(0);
            droppedTrail++;
        }
    }

    Saga view() {
        List<Saga.Step> out = new ArrayList<>();
        for (StepRun s : steps) {
            Optional<Saga.Compensation> comp = s.comp.state == null
                    ? Optional.empty()
                    : Optional.of(new Saga.Compensation(
                            s.comp.state,
                            s.comp.attempts,
                            Optional.ofNullable(s.comp.status),
                            Optional.ofNullable(s.comp.error),
                            Optional.ofNullable(s.comp.startedAt),
                            Optional.ofNullable(s.comp.endedAt)));
            out.add(new Saga.Step(
                    s.config.id(),
                    s.state,
                    s.attempts,
                    Optional.ofNullable(s.status),
                    Optional.ofNullable(s.error),
                    Optional.ofNullable(s.startedAt),
                    Optional.ofNullable(s.endedAt),
                    s.unknown,
                    Optional.ofNullable(s.response),
                    comp));
        }
        return new Saga(
                id,
                name,
                version,
                state,
                input,
                out,
                Optional.ofNullable(reason),
                idempotencyKey,
                createdAt,
                updatedAt,
                Optional.ofNullable(endedAt),
                trail);
    }

    /** The state as the store keeps it. */
    ObjectNode json() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode();
        out.set("definition", SagaDefinitions.json(definition));
        out.set("input", input);
        put(out, "reason", reason);
        put(out, "cause", cause);
        out.put("pivoted", pivoted).put("cancelled", cancelled).put("cancelRequested", cancelRequested);
        put(out, "endedAt", endedAt);
        ArrayNode st = out.putArray("steps");
        for (StepRun s : steps) {
            ObjectNode j = st.addObject().put("id", s.config.id()).put("state", s.state.name());
            j.put("attempts", s.attempts).put("unknown", s.unknown);
            if (s.status != null) {
                j.put("status", s.status);
            }
            put(j, "error", s.error);
            put(j, "startedAt", s.startedAt);
            put(j, "endedAt", s.endedAt);
            put(j, "notBefore", s.notBefore);
            put(j, "firstFailure", s.firstFailure);
            if (s.response != null) {
                ObjectNode r = j.putObject("response").put("status", s.response.status());
                ObjectNode h = r.putObject("headers");
                s.response.headers().forEach(h::put);
                r.set("body", s.response.body());
            }
            if (s.comp.state != null) {
                ObjectNode c = j.putObject("compensation").put("state", s.comp.state.name());
                c.put("attempts", s.comp.attempts);
                if (s.comp.status != null) {
                    c.put("status", s.comp.status);
                }
                put(c, "error", s.comp.error);
                put(c, "startedAt", s.comp.startedAt);
                put(c, "endedAt", s.comp.endedAt);
                put(c, "notBefore", s.comp.notBefore);
            }
        }
        ArrayNode t = out.putArray("trail");
        for (Saga.Entry e : trail) {
            ObjectNode j = t.addObject().put("at", e.at().toString()).put("what", e.what());
            e.step().ifPresent(s -> j.put("step", s));
        }
        out.put("droppedTrail", droppedTrail);
        return out;
    }

    /** A run from its stored JSON and row; the definition read back from the JSON. */
    static Run read(
            String id,
            String name,
            int version,
            SagaState state,
            Optional<String> key,
            JsonNode body,
            SagaConfig definition,
            Instant createdAt,
            Instant updatedAt,
            long revision) {
        Run r = new Run(id, name, version, definition, body.path("input"), key, createdAt);
        r.state = state;
        r.reason = text(body, "reason");
        r.cause = text(body, "cause");
        r.pivoted = body.path("pivoted").asBoolean();
        r.cancelled = body.path("cancelled").asBoolean();
        r.cancelRequested = body.path("cancelRequested").asBoolean();
        r.endedAt = instant(body, "endedAt");
        r.updatedAt = updatedAt;
        r.revision = revision;
        JsonNode steps = body.path("steps");
        for (int i = 0; i < r.steps.size() && i < steps.size(); i++) {
            JsonNode j = steps.get(i);
            StepRun s = r.steps.get(i);
            s.state = StepState.valueOf(j.path("state").asText("PENDING"));
            s.attempts = j.path("attempts").asInt();
            // A call that was out when the last Baton stopped may have reached the service.
            s.unknown = j.path("unknown").asBoolean() || s.state == StepState.RUNNING;
            s.status = j.has("status") ? j.get("status").asInt() : null;
            s.error = text(j, "error");
            s.startedAt = instant(j, "startedAt");
            s.endedAt = instant(j, "endedAt");
            s.notBefore = instant(j, "notBefore");
            s.firstFailure = instant(j, "firstFailure");
            if (j.has("response")) {
                JsonNode resp = j.get("response");
                Map<String, String> headers = new LinkedHashMap<>();
                resp.path("headers")
                        .fields()
                        .forEachRemaining(
                                e -> headers.put(e.getKey(), e.getValue().asText()));
                s.response = new Saga.Response(resp.path("status").asInt(), headers, resp.path("body"));
            }
            if (j.has("compensation")) {
                JsonNode c = j.get("compensation");
                s.comp.state = StepState.valueOf(c.path("state").asText());
                s.comp.attempts = c.path("attempts").asInt();
                s.comp.status = c.has("status") ? c.get("status").asInt() : null;
                s.comp.error = text(c, "error");
                s.comp.startedAt = instant(c, "startedAt");
                s.comp.endedAt = instant(c, "endedAt");
                s.comp.notBefore = instant(c, "notBefore");
            }
        }
        for (JsonNode e : body.path("trail")) {
            r.trail.add(new Saga.Entry(
                    Instant.parse(e.path("at").asText()),
                    Optional.ofNullable(text(e, "step")),
                    e.path("what").asText()));
        }
        r.droppedTrail = body.path("droppedTrail").asInt();
        return r;
    }

    private static void put(ObjectNode o, String key, @Nullable Object value) {
        if (value != null) {
            o.put(key, value.toString());
        }
    }

    private static @Nullable String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static @Nullable Instant instant(JsonNode o, String key) {
        String v = text(o, key);
        return v == null ? null : Instant.parse(v);
    }
}
