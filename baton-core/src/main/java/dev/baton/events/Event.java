package dev.baton.events;

import java.time.Instant;
import java.util.Map;

/** One lifecycle event as CONTRACT §6 shapes it: {@code {"type","time","data"}}. */
public record Event(String type, Instant time, Map<String, Object> data) {
    public static final String SERVICE_HEALTH_CHANGED = "SERVICE_HEALTH_CHANGED";
    public static final String CONFIG_RELOADED = "CONFIG_RELOADED";
    public static final String CONFIG_REJECTED = "CONFIG_REJECTED";
    public static final String SERVICE_REGISTERED = "SERVICE_REGISTERED";
    public static final String SERVICE_UNREGISTERED = "SERVICE_UNREGISTERED";
    public static final String SERVICE_DISCOVERED = "SERVICE_DISCOVERED";
    public static final String CIRCUIT_BREAKER_OPENED = "CIRCUIT_BREAKER_OPENED";
    public static final String CIRCUIT_BREAKER_HALF_OPEN = "CIRCUIT_BREAKER_HALF_OPEN";
    public static final String CIRCUIT_BREAKER_CLOSED = "CIRCUIT_BREAKER_CLOSED";

    public Event {
        data = Map.copyOf(data);
    }

    public static Event now(String type, Map<String, Object> data) {
        return new Event(type, Instant.now(), data);
    }
}
