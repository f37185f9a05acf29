package dev.baton.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code redis:} section: the Redis that Baton nodes share for cluster-wide
 * state (rate limits with {@code store: redis}). {@code timeout} bounds each call;
 * past it, or with Redis down, a limit lets the request through and says so in
 * the log (failing open, as Kong's limiter does by default), unless
 * {@code fail-open: false}.
 */
public record RedisConfig(Optional<URI> url, Duration timeout, boolean failOpen) {
    public static final RedisConfig NONE = new RedisConfig(Optional.empty(), Duration.ofMillis(250), true);
}
