package dev.baton.queue.internal;

import dev.baton.queue.Delivery;
import dev.baton.time.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Receives that wait for messages (long polls), on one Vert.x context. A queue has
 * at most one claim in the store at a time for its waiters, made for the one that
 * waited longest; a publish, a nack or the poll tick makes it try again, so a
 * hundred waiting consumers do not become a hundred queries per message. A receive
 * that ends (its wait ran out, or its caller went away) before a claim made for it
 * returns gives what was claimed back, uncounted.
 */
public final class Waiters {
    /** Claims up to {@code max} messages of a queue for a consumer. */
    @FunctionalInterface
    public interface Claim {
        Future<List<Delivery>> claim(String queue, int max);
    }

    /** Gives back deliveries that no one took. */
    @FunctionalInterface
    public interface Release {
        void release(List<Delivery> unwanted);
    }

    private record Waiter(String queue, int max, CompletableFuture<List<Delivery>> result) {}

    private final Context context;
    private final Scheduler scheduler;
    private final Claim claim;
    private final Release release;
    private final Map<String, ArrayDeque<Waiter>> waiting = new HashMap<>(); // on the context only
    private final Set<String> claiming = new HashSet<>(); // on the context only
    private final Set<String> again = new HashSet<>(); // signalled while claiming; on the context only

    public Waiters(Context context, Scheduler scheduler, Claim claim, Release release) {
        this.context = context;
        this.scheduler = scheduler;
        this.claim = claim;
        this.release = release;
    }

    /**
     * Receives up to {@code max} messages of {@code queue}, waiting up to {@code wait}
     * for the first; an empty list when none came. Cancelling the future gives up.
     */
    public CompletableFuture<List<Delivery>> receive(String queue, int max, Duration wait) {
        CompletableFuture<List<Delivery>> result = new CompletableFuture<>();
        Waiter w = new Waiter(queue, max, result);
        context.runOnContext(v -> {
            if (wait.isZero()) {
                claim.claim(queue, max).onComplete(ar -> {
                    if (ar.failed()) {
                        result.completeExceptionally(ar.cause());
                    } else {
                        hand(w, ar.result());
                    }
                });
                return;
            }
            waiting.computeIfAbsent(queue, k -> new ArrayDeque<>()).add(w);
            Scheduler.Cancellable timer =
                    scheduler.after(wait, () -> context.runOnContext(t -> result.complete(List.of())));
            result.whenComplete((r, e) -> timer.cancel());
            pump(queue);
        });
        return result;
    }

    /** Something may be there for {@code queue}'s waiters. */
    public void signal(String queue) {
        context.runOnContext(v -> pump(queue));
    }

    /** Every queue with waiters tries again: what the tick does, for messages no one signalled. */
    public void signalAll() {
        context.runOnContext(v -> List.copyOf(waiting.keySet()).forEach(this::pump));
    }

    private void pump(String queue) {
        if (claiming.contains(queue)) {
            again.add(queue);
            return;
        }
        ArrayDeque<Waiter> q = waiting.get(queue);
        while (q != null && !q.isEmpty() && q.peek().result().isDone()) {
            q.poll();
        }
        if (q == null || q.isEmpty()) {
            waiting.remove(queue);
            return;
        }
        Waiter w = q.peek();
        claiming.add(queue);
        again.remove(queue);
        claim.claim(queue, w.max()).onComplete(ar -> {
            claiming.remove(queue);
            if (ar.failed()) {
                q.remove(w);
                w.result().completeExceptionally(ar.cause());
                return;
            }
            List<Delivery> got = ar.result();
            if (!got.isEmpty()) {
                q.remove(w);
                hand(w, got);
                pump(queue); // there may be more, for the next waiter
            } else if (again.remove(queue)) {
                pump(queue);
            }
        });
    }

    private void hand(Waiter w, List<Delivery> got) {
        if (!w.result().complete(got) && !got.isEmpty()) {
            release.release(got);
        }
    }
}
