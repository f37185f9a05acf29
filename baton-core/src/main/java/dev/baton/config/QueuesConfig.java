package dev.baton.config;

import java.util.Map;

/** The config's {@code queues:} and {@code topics:}, by name in file order. */
public record QueuesConfig(Map<String, QueueConfig> queues, Map<String, TopicConfig> topics) {
    public static final QueuesConfig NONE = new QueuesConfig(Map.of(), Map.of());

    public QueuesConfig {
        queues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(queues));
        topics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(topics));
    }

    /** Whether the config declares any queue or topic. */
    public boolean isEmpty() {
        return queues.isEmpty() && topics.isEmpty();
    }
}
