package dev.baton.config;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A topic: every message published to it goes to each subscription whose filter
 * it passes. A subscription either pushes to a service ({@link Push}), fans out
 * into a queue ({@link IntoQueue}) or is pulled ({@link Pull}) like a queue. Push
 * and pull subscriptions keep their messages in a queue of their own, named
 * {@code TOPIC:SUBSCRIPTION}, whose settings (lease, attempts, backoff, dead
 * letters) are the subscription's {@code delivery}.
 */
public record TopicConfig(String name, Map<String, Subscription> subscriptions) {
    public TopicConfig {
        subscriptions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(subscriptions));
    }

    /** One subscription of a topic. */
    public record Subscription(
            String topic, String name, Target target, Optional<MessageFilter> filter, QueueConfig delivery) {
        /** The queue this subscription's messages wait in: its own, or the one it fans out into. */
        public String queue() {
            return target instanceof IntoQueue q ? q.queue() : ownQueue(topic, name);
        }
    }

    /** The name of a push or pull subscription's own queue; no declared queue can have it (':' is not allowed). */
    public static String ownQueue(String topic, String subscription) {
        return topic + ":" + subscription;
    }

    /** Where a subscription's messages go. */
    public sealed interface Target {}

    /**
     * POSTs each message to {@code path} of {@code service}, through its balancer and
     * breaker, at most {@code concurrency} at once; an answer in 2xx within {@code
     * timeout} acknowledges it.
     */
    public record Push(String service, String path, Duration timeout, int concurrency) implements Target {
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
        public static final int DEFAULT_CONCURRENCY = 8;
    }

    /**
     * POSTs each message to {@code url} itself (no service, balancer or breaker), signed
     * with {@code secret} when given ({@link dev.baton.security.WebhookSignature}): what
     * a webhook of {@code events:} becomes on the events topic with {@code
     * events.persist}. Every answer but a 2xx, and every connection that fails, is a
     * failed attempt.
     */
    public record PushUrl(java.net.URI url, Optional<String> secret, Duration timeout) implements Target {
        @Override
        public String toString() {
            return "PushUrl[" + url + (secret.isPresent() ? ", signed" : "") + ", " + timeout + "]";
        }
    }

    /** Puts each message into the queue {@code queue}, whose consumers take it from there. */
    public record IntoQueue(String queue) implements Target {}

    /** Keeps messages for consumers that receive them as from a queue. */
    public record Pull() implements Target {}
}
