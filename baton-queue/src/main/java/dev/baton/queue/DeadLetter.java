package dev.baton.queue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A message that failed its last attempt, with all that it carried and each
 * attempt's time and error: a status and an excerpt of the answer's body, a nack
 * (with the consumer's reason, if it gave one), or a lease that ran out.
 */
public record DeadLetter(
        String queue,
        String id,
        Body body,
        Map<String, String> headers,
        int priority,
        Optional<String> key,
        Instant publishedAt,
        Instant deadAt,
        List<Attempt> attempts) {
    public DeadLetter {
        headers = Map.copyOf(headers);
        attempts = List.copyOf(attempts);
    }

    /** One failed attempt. */
    public record Attempt(int attempt, Instant time, String error) {}
}
