package dev.baton.saga;

/**
 * What an operator or a caller asked of a saga that cannot be done, with a code the
 * admin API answers with: {@code not_found} (no such saga or definition),
 * {@code conflict} (not in a state that allows it: cancelling a completed saga,
 * retrying one that is not stuck), {@code invalid} (an input the saga cannot start
 * with).
 */
public final class SagaRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public SagaRefused(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
