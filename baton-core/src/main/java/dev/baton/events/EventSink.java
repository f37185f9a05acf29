package dev.baton.events;

import java.util.Map;

/**
 * Where a component reports what happened. The {@link EventBus} is the real one;
 * tests hand in a list's {@code add}. Publishing never blocks and never throws.
 */
@FunctionalInterface
public interface EventSink {
    EventSink NONE = (type, data) -> {};

    void publish(EventType type, Map<String, ?> data);
}
