package dev.baton.security;

/** A token that does not verify; the message says why, in words fit for the caller (no key material). */
public final class TokenException extends Exception {
    public TokenException(String message) {
        super(message, null, false, false);
    }
}
