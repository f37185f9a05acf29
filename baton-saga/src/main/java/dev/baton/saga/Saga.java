package dev.baton.saga;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One saga as a reader sees it at a moment: its definition's name and version, its
 * state, its input, every step with its attempts, last status and error and its
 * compensation, and the trail of what happened, oldest first. {@code reason} says
 * why it compensates, is stuck or ended as it did.
 */
public record Saga(
        String id,
        String name,
        int version,
        SagaState state,
        JsonNode input,
        List<Step> steps,
        Optional<String> reason,
        Optional<String> idempotencyKey,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> endedAt,
        List<Entry> trail) {

    public Saga {
        steps = List.copyOf(steps);
        trail = List.copyOf(trail);
    }

    /**
     * One step: {@code unknownOutcome} when its last call may have reached the
     * service without an answer (a timeout, a reset after sending), so it is
     * compensated too.
     */
    public record Step(
            String id,
            StepState state,
            int attempts,
            Optional<Integer> status,
            Optional<String> error,
            Optional<Instant> startedAt,
            Optional<Instant> endedAt,
            boolean unknownOutcome,
            Optional<Response> response,
            Optional<Compensation> compensation) {}

    /** A step's compensation once it has begun: its attempts, last status and error, and its times. */
    public record Compensation(
            StepState state,
            int attempts,
            Optional<Integer> status,
            Optional<String> error,
            Optional<Instant> startedAt,
            Optional<Instant> endedAt) {}

    /** What a step's call answered: what later templates read. */
    public record Response(int status, Map<String, String> headers, JsonNode body) {
        public Response {
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        }
    }

    /** One line of the trail: when, which step (or none), and what. */
    public record Entry(Instant at, Optional<String> step, String what) {}
}
