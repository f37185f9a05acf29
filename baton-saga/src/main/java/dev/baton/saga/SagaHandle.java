package dev.baton.saga;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A saga an application started through the Java API ({@code baton.sagas().start}):
 * its id, and ways to follow and act on it without going through the admin API.
 */
public final class SagaHandle {
    private final Sagas sagas;
    private final Saga started;

    SagaHandle(Sagas sagas, Saga started) {
        this.sagas = sagas;
        this.started = started;
    }

    public String id() {
        return started.id();
    }

    /** The saga as it was when it started. */
    public Saga started() {
        return started;
    }

    /** The saga as it is now. */
    public CompletionStage<Saga> current() {
        return sagas.get(id()).thenApply(s -> s.orElse(started));
    }

    /** The saga once it has ended, or as it is after {@code timeout} (then its state has not ended). */
    public CompletionStage<Saga> ended(Duration timeout) {
        return sagas.await(id(), timeout);
    }

    /** Cancels it (see {@link Sagas#cancel}). */
    public CompletionStage<Saga> cancel() {
        return sagas.cancel(id());
    }
}
