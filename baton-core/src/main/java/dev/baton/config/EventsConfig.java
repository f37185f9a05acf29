package dev.baton.config;

import dev.baton.events.EventFilter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code events:} section: how much history the SSE stream keeps for clients
 * that resume, how often it sends a heartbeat, how many proxied requests become
 * {@code REQUEST_ROUTED} / {@code REQUEST_FAILED} events, and the webhooks.
 *
 * @param requestSample the fraction of routed requests published as REQUEST_ROUTED (0: none)
 * @param failuresPerSecond at most this many REQUEST_FAILED events a second; the rest are counted
 * @param persist every event is also published to the topic {@code baton.events} (see the queues)
 */
public record EventsConfig(
        int history,
        Duration heartbeat,
        double requestSample,
        int failuresPerSecond,
        List<Webhook> webhooks,
        boolean persist) {
    public static final EventsConfig DEFAULT = new EventsConfig(1000, Duration.ofSeconds(15), 0, 100, List.of(), false);

    public EventsConfig {
        webhooks = List.copyOf(webhooks);
    }

    /**
     * One webhook: events that {@code types} matches are POSTed to {@code url}, signed
     * with {@code secret} when given, tried {@code maxAttempts} times with backoff,
     * then kept as dead letters.
     */
    public record Webhook(
            URI url,
            EventFilter types,
            Optional<String> secret,
            Duration timeout,
            int maxAttempts,
            Duration backoff,
            Duration maxBackoff,
            int queue) {}
}
