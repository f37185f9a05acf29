package dev.baton.store;

import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** The durable store could not be opened, read or written; the message says which and why. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /**
     * Why {@code e} happened, in one line: the message of its deepest cause that has
     * one. A pool or a driver wraps what went wrong ("Connection refused", a sign-in
     * the server refused) in its own words and a stack of advice; the cause at the
     * bottom is what an operator can act on, unless it is a bare EOFException, when
     * the driver's "An I/O error occurred" above it says more.
     */
    static String why(Throwable e) {
        @Nullable String why = null;
        Throwable root = e;
        // At most 20 deep: a chain of causes can be made to loop.
        @Nullable Throwable c = e;
        for (int depth = 0; c != null && depth < 20; c = c.getCause(), depth++) {
            root = c;
            String message = c.getMessage();
            if (message != null && !message.isBlank()) {
                String line = message.lines().findFirst().orElse(message).strip();
                why = c instanceof UnknownHostException ? "unknown host " + line : line; // its message is only the name
            }
        }
        return why != null ? why : root.getClass().getSimpleName();
    }
}
