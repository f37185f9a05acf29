package dev.baton.lifecycle;

/**
 * A part of the gateway that runs between a start and a close, following each new
 * snapshot of the config in between: the listeners, the store, the webhook sender,
 * the supervisor, the watchers, the telemetry writers. A {@link Lifecycle} starts
 * components in order, gives each new snapshot to all of them, and closes them in
 * reverse order.
 *
 * <p>A constructor only builds: threads, files, locks and ports are taken in
 * {@link #start}, so that a component that was never started holds nothing. And
 * {@link #close} must work after a start that failed half way (the lifecycle closes
 * the component whose start threw, too), and twice.
 *
 * @param <S> the snapshot this component follows
 */
public interface Component<S> extends AutoCloseable {
    /**
     * Takes what the component runs on and returns once it runs. Throws when it
     * cannot, with a message that says what was tried; {@link #close} then releases
     * whatever was taken before the failure.
     */
    void start();

    /**
     * Follows a new snapshot: called after {@link #start}, in start order, for every
     * snapshot the gateway swaps in. The default does nothing, for components whose
     * settings are fixed at start.
     */
    default void apply(S next) {}

    /** Releases everything {@link #start} took; safe after a failed start, without one, and twice. */
    @Override
    void close();

    /**
     * A component that is ready once made and only needs {@code close} run at the
     * end: for a resource Baton uses but does not own the code of (Vert.x, the event
     * bus).
     */
    static <S> Component<S> closing(Runnable close) {
        return new Component<>() {
            @Override
            public void start() {
                // made ready by its constructor; nothing to take here
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
