package dev.baton.server;

/** A failure to start or run Baton whose message is fit to show a user as one line. */
public final class BatonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BatonException(String message, Throwable cause) {
        super(message, cause);
    }

    public BatonException(String message) {
        super(message);
    }
}
