package dev.baton.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A message to publish: a body, headers (names in lower case), a {@code priority}
 * from 0 to 9 (higher first, 0 when not given), when it may first be delivered
 * ({@code delay} from now, or {@code deliverAt}), a {@code key} (messages of one key
 * are delivered one at a time, in the order published) and a {@code dedupId} (a
 * second message with it within the queue's dedup window is accepted and dropped).
 * Built with {@link #of(Object)} or {@link #bytes(byte[])} and the {@code with}
 * methods; checked when published.
 */
public record Message(
        Body body,
        Map<String, String> headers,
        int priority,
        Optional<Duration> delay,
        Optional<Instant> deliverAt,
        Optional<String> key,
        Optional<String> dedupId) {
    public Message {
        Map<String, String> lower = new LinkedHashMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        headers = java.util.Collections.unmodifiableMap(lower);
    }

    /** A message with a JSON body: a JsonNode, or anything Jackson turns into one. */
    public static Message of(Object json) {
        return new Message(
                Body.json(json), Map.of(), 0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A message whose body is bytes. */
    public static Message bytes(byte[] body) {
        return new Message(
                Body.bytes(body), Map.of(), 0, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    public Message withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Message(body, h, priority, delay, deliverAt, key, dedupId);
    }

    public Message withPriority(int p) {
        return new Message(body, headers, p, delay, deliverAt, key, dedupId);
    }

    public Message withDelay(Duration d) {
        return new Message(body, headers, priority, Optional.of(d), Optional.empty(), key, dedupId);
    }

    public Message withDeliverAt(Instant at) {
        return new Message(body, headers, priority, Optional.empty(), Optional.of(at), key, dedupId);
    }

    public Message withKey(String k) {
        return new Message(body, headers, priority, delay, deliverAt, Optional.of(k), dedupId);
    }

    public Message withDedupId(String id) {
        return new Message(body, headers, priority, delay, deliverAt, key, Optional.of(id));
    }
}
