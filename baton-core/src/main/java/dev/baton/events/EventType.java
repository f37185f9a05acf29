package dev.baton.events;

/**
 * Every kind of lifecycle event. A closed set, so that subscriptions,
 * metric labels and webhook filters are checked when they are written, not when the
 * first event fails to arrive.
 */
public enum EventType {
    SERVICE_HEALTH_CHANGED,
    SERVICE_DISCOVERED,
    SERVICE_REGISTERED,
    SERVICE_UNREGISTERED,
    REQUEST_ROUTED,
    REQUEST_FAILED,
    CIRCUIT_BREAKER_OPENED,
    CIRCUIT_BREAKER_HALF_OPEN,
    CIRCUIT_BREAKER_CLOSED,
    SERVICE_STARTED,
    SERVICE_RESTARTED,
    SERVICE_FAILED,
    CONFIG_RELOADED,
    CONFIG_REJECTED,
    ALERT_FIRING,
    ALERT_RESOLVED,
    SAGA_STARTED,
    SAGA_STEP_SUCCEEDED,
    SAGA_STEP_FAILED,
    SAGA_COMPENSATING,
    SAGA_COMPLETED,
    SAGA_COMPENSATED,
    SAGA_STUCK,
    SAGA_CANCELLED
}
