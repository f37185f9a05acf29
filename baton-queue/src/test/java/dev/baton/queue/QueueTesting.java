package dev.baton.queue;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** What the queue tests share: waiting for a stage, and the refusal it failed with. */
final class QueueTesting {
    private QueueTesting() {}

    /** The stage's result, within 10 seconds. */
    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The QueueRefused the stage failed with; an AssertionError when it did not. */
    static QueueRefused refused(CompletionStage<?> stage) {
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof QueueRefused r) {
                return r;
            }
            throw e;
        }
        throw new AssertionError("not refused");
    }
}
