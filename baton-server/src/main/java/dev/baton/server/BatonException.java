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

    /** What {@code e} says went wrong: its message, or its class when it has none. */
    static String why(Throwable e) {
        String m = e.getMessage();
        return m != null ? m : e.getClass().getSimpleName();
    }
}
