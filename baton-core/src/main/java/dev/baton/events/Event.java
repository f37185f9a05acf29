package dev.baton.events;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One lifecycle event as the event stream shows it, {@code {"type","time","data"}}, plus
 * the bus's sequence number {@code id}: increasing, across restarts too, so a client
 * that reconnects can say which events it has seen ({@code Last-Event-ID}).
 */
public record Event(long id, EventType type, Instant time, Map<String, Object> data) {
    public Event {
        // Ordered as the publisher wrote it (readable JSON); absent values left out.
        Map<String, Object> copy = new LinkedHashMap<>();
        data.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        data = Collections.unmodifiableMap(copy);
    }
}
