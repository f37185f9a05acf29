package dev.baton.config;

import java.time.Duration;

/**
 * The {@code limits:} section: global ceilings that protect the gateway itself.
 *
 * @param maxBodySize largest request body in bytes; larger gets 413
 * @param requestTimeout default time a route waits for an upstream, at most 5 minutes
 * @param maxConcurrentRequests requests in flight over which new ones get 503
 */
public record LimitsConfig(long maxBodySize, Duration requestTimeout, int maxConcurrentRequests) {

    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
}
