package dev.baton.config;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The config's {@code queues:} and {@code topics:}, by name in file order, and
 * where messages are kept: Baton's own store, or a broker ({@code queues.broker}
 * and {@code queues.url}).
 */
public record QueuesConfig(Broker broker, Map<String, QueueConfig> queues, Map<String, TopicConfig> topics) {
    public static final QueuesConfig NONE = new QueuesConfig(Broker.STORE, Map.of(), Map.of());

    /**
     * Where messages are kept: {@code kind} {@code store} (no URL), {@code rabbitmq}
     * ({@code amqp://}) or {@code nats}. {@code quorum}: RabbitMQ's replicated quorum
     * queues rather than classic ones ({@code queues.queue-type}), which have no
     * priorities.
     */
    public record Broker(String kind, Optional<URI> url, boolean quorum) {
        public static final Broker STORE = new Broker("store", Optional.empty(), false);

        public Broker(String kind, Optional<URI> url) {
            this(kind, url, false);
        }

        public boolean store() {
            return kind.equals("store");
        }

        /** The URL without its user and password, for messages. */
        public String shown() {
            return url.map(u -> u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())
                            + (u.getPath() == null ? "" : u.getPath()))
                    .orElse(kind);
        }

        @Override
        public String toString() {
            return "Broker[" + kind + ", " + shown() + "]";
        }
    }

    /** The queues and topics on the store. */
    public QueuesConfig(Map<String, QueueConfig> queues, Map<String, TopicConfig> topics) {
        this(Broker.STORE, queues, topics);
    }

    public QueuesConfig {
        queues = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(queues));
        topics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(topics));
    }

    /** Whether the config declares any queue or topic. */
    public boolean isEmpty() {
        return queues.isEmpty() && topics.isEmpty();
    }
}
