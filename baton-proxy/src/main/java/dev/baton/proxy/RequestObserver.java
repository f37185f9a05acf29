package dev.baton.proxy;

import dev.baton.control.Upstream;
import dev.baton.resilience.Outcome;

/**
 * Hears how proxied requests go: each try of an upstream, and each request's end.
 * Called on the event loop, once per try and once per request: an implementation
 * must be quick and must not block (hand slow work to a queue).
 */
public interface RequestObserver {
    RequestObserver NONE = new RequestObserver() {};

    /**
     * One try ended: the upstream answered with {@code status} ({@code outcome}
     * ANSWERED), or failed ({@code status} 0), {@code nanos} after the try began.
     */
    default void tried(ProxiedRequest request, Upstream upstream, Outcome outcome, int status, long nanos) {}

    /** The request is over: answered, refused, cut off or left by its client. */
    default void completed(ProxiedRequest request) {}
}
