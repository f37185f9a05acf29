package dev.baton.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A saga's definition: steps that call services in order, each with the call that
 * undoes it. {@code timeout} bounds the whole saga (past it, it compensates);
 * {@code compensationDeadline} bounds how long one compensation is retried before
 * the saga is STUCK for an operator. Every template in it has been checked to name
 * something: the input, the saga, or an earlier step (a compensation may also name
 * its own step's response).
 */
public record SagaConfig(String name, Duration timeout, Duration compensationDeadline, List<Step> steps) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_COMPENSATION_DEADLINE = Duration.ofHours(1);
    public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(10);

    public SagaConfig {
        steps = List.copyOf(steps);
    }

    /**
     * One step. {@code timeout} bounds one attempt of its call or compensation; a
     * {@code pivot} step, once it has succeeded, means the saga only goes forward.
     * {@code failOn} and {@code retryOn} move statuses between a business refusal
     * (compensate at once) and a transient failure (retry).
     */
    public record Step(
            String id,
            Call call,
            Optional<Call> compensate,
            Retry retry,
            Duration timeout,
            boolean pivot,
            Statuses failOn,
            Statuses retryOn) {}

    /**
     * An HTTP call to a service, through its balancer, health and breaker. {@code body}
     * is JSON whose strings may hold templates; a string that is exactly one template
     * becomes that value, with its JSON type.
     */
    public record Call(
            String service, String method, Template path, Map<String, Template> headers, Optional<JsonNode> body) {
        public Call {
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        }
    }

    /** How a transient failure is retried: {@code attempts} in all, backoff doubling from {@code backoff} up to {@code maxBackoff}. */
    public record Retry(int attempts, Duration backoff, Duration maxBackoff) {
        public static final Retry DEFAULT = new Retry(3, Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    /** Statuses given as numbers ({@code 409}) or classes ({@code 5xx}). */
    public record Statuses(List<String> patterns) {
        public static final Statuses NONE = new Statuses(List.of());

        public Statuses {
            patterns = List.copyOf(patterns);
        }

        public boolean contains(int status) {
            for (String p : patterns) {
                if (p.length() == 3 && p.endsWith("xx")
                        ? status / 100 == p.charAt(0) - '0'
                        : p.equals(Integer.toString(status))) {
                    return true;
                }
            }
            return false;
        }

        /** Whether {@code pattern} is a status (100 to 599) or a class ({@code 1xx} to {@code 5xx}). */
        public static boolean valid(String pattern) {
            return pattern.matches("[1-5]xx") || pattern.matches("[1-5][0-9][0-9]");
        }
    }
}
