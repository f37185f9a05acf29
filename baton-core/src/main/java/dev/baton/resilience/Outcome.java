package dev.baton.resilience;

/** How one call to an upstream ended, as breakers and retries judge it. */
public enum Outcome {
    /** The upstream answered; its status decides whether that counts as a failure. */
    ANSWERED,
    /** No connection could be made. */
    CONNECT_FAILURE,
    /** The upstream went silent past the timeout. */
    TIMEOUT,
    /** The connection broke before the response was complete. */
    RESET
}
