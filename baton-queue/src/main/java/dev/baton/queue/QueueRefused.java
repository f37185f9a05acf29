package dev.baton.queue;

/**
 * What a producer, a consumer or an operator asked of a queue that cannot be done,
 * with a code the admin API answers with: {@code not_found} (no such queue, topic or
 * subscription), {@code conflict} (a receipt whose lease was taken over, a queue the
 * config file declares), {@code invalid} (a message or setting that is not valid),
 * {@code too_large} (a body over the queue's {@code max-message-size}).
 */
public final class QueueRefused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public QueueRefused(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
