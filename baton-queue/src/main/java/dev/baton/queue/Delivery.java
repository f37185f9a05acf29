package dev.baton.queue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * A message leased to a consumer: {@code receipt} acknowledges it, gives it back or
 * extends its lease, and is refused once the lease ran out and the message was
 * leased again; {@code attempt} counts deliveries, this one included.
 */
public record Delivery(
        String queue,
        String id,
        String receipt,
        int attempt,
        int priority,
        Map<String, String> headers,
        Body body,
        Optional<String> key,
        Instant publishedAt,
        Instant leasedUntil) {
    public Delivery {
        headers = Map.copyOf(headers);
    }
}
