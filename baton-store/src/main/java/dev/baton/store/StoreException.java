package dev.baton.store;

import org.jspecify.annotations.Nullable;

/** The durable store could not be opened, read or written; the message says which and why. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
