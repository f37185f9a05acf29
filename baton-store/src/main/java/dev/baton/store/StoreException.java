package dev.baton.store;

/** The durable store could not be opened, read or written; the message says which and why. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
