package dev.baton.config;

import java.time.Duration;

/**
 * A durable queue: each message goes to one consumer at a time, leased for {@code
 * visibility}; a message that is not acknowledged in time, or is refused, comes back
 * after a backoff that starts at {@code backoff} and doubles up to {@code
 * maxBackoff}, with jitter. After {@code maxAttempts} deliveries it moves to the
 * queue's dead letters with every attempt's error. A message with a {@code dedup-id}
 * seen within {@code dedupWindow} is accepted and dropped; a body over {@code
 * maxMessageSize} bytes is refused.
 */
public record QueueConfig(
        String name,
        Duration visibility,
        int maxAttempts,
        Duration backoff,
        Duration maxBackoff,
        Duration dedupWindow,
        long maxMessageSize) {
    public static final Duration DEFAULT_VISIBILITY = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
    public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofMinutes(5);
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;
    /** The most a queue may allow: a message is read whole, into memory, and kept in one row. */
    public static final long MAX_MESSAGE_SIZE = 16L * 1024 * 1024;

    /** A queue named {@code name} with every default. */
    public static QueueConfig defaults(String name) {
        return new QueueConfig(
                name,
                DEFAULT_VISIBILITY,
                DEFAULT_MAX_ATTEMPTS,
                DEFAULT_BACKOFF,
                DEFAULT_MAX_BACKOFF,
                DEFAULT_DEDUP_WINDOW,
                DEFAULT_MAX_MESSAGE_SIZE);
    }

    /** The same settings under another name (a subscription's own queue). */
    public QueueConfig named(String other) {
        return new QueueConfig(other, visibility, maxAttempts, backoff, maxBackoff, dedupWindow, maxMessageSize);
    }
}
