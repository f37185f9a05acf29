package dev.baton.store;

import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** The durable store could not be opened, read or written; the message says which and why. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * Why {@code e} happened, in one line: the message of its deepest cause. A pool
     * or a driver wraps what went wrong ("Connection refused", an authentication
     * the server refused) in its own words and a stack of advice; the cause at the
     * bottom is what an operator can act on.
     */
    static String why(Throwable e) {
        Throwable root = e;
        for (Throwable c = e.getCause(); c != null && c != root; c = c.getCause()) {
            root = c;
        }
        String message = root.getMessage();
        if (root instanceof UnknownHostException && message != null) {
            return "unknown host " + message; // its message is only the name
        }
        if (message == null || message.isBlank()) {
            return root.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message).strip();
    }
}
