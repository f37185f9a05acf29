package dev.baton.security;

/** A token that does not verify; the message says why, in words fit for the caller (no key material). */
public final class TokenException extends Exception {
    private final String reason;

    public TokenException(String message) {
        super(message, null, false, false);
        this.reason = message;
    }

    /** Why the token does not verify, never null (unlike Throwable's). */
    @Override
    public String getMessage() {
        return reason;
    }
}
