package dev.baton.queue.internal;

import dev.baton.queue.Delivery;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Hands a queue's messages to one handler, at most {@code concurrency} at a time,
 * on one Vert.x context: a Java consumer's callback, or a push to a service. A
 * handler's success acknowledges the message; its failure gives it back with the
 * error, to come again after the queue's backoff (or the handler's own wait, from
 * a Retry-After). While {@code holdBack} names a reason (the service's breaker is
 * open), or after a delivery found no one to take it (no healthy instance), it
 * claims nothing: messages wait in the queue without spending attempts, and on
 * each tick it tries one message again, resuming in full once one goes through.
 */
public final class Deliverer {
    /** How one delivery ended. */
    public sealed interface Outcome {}

    /** Done: acknowledge it. */
    public record Done() implements Outcome {}

    /** Failed with {@code error}; {@code after}, when given, replaces the queue's backoff. */
    public record Failed(String error, Optional<Duration> after) implements Outcome {}

    /**
     * Not delivered, and not the message's fault: nothing could take it (no instance,
     * an open breaker). It goes back uncounted, and delivery pauses until the next tick.
     */
    public record Unavailable(String reason) implements Outcome {}

    /** Settles a delivery: ack on Done, nack with the error on Failed, give back uncounted on Unavailable. */
    @FunctionalInterface
    public interface Settle {
        Future<Void> settle(Delivery d, Outcome o);
    }

    /** A change of whether delivery is held back: a reason, or empty when it resumes. */
    @FunctionalInterface
    public interface Paused {
        void changed(Optional<String> reason);
    }

    private final Context context;
    private final String queue;
    private final int concurrency;
    private final Waiters.Claim claim;
    private final Settle settle;
    private final Function<Delivery, Future<Outcome>> handler;
    private final Supplier<Optional<String>> holdBack;
    private final Paused paused;
    private int inFlight; // on the context only
    private boolean claiming; // on the context only
    private boolean again; // on the context only
    private Optional<String> pausedFor = Optional.empty(); // as last told; on the context only
    private Optional<String> unavailable = Optional.empty(); // until the next tick; on the context only
    private boolean probing; // after a pause, one message at a time until one goes through
    private boolean probeDue; // the tick's probe, which goes even while the hold says no
    private boolean closed; // on the context only

    public Deliverer(
            Context context,
            String queue,
            int concurrency,
            Waiters.Claim claim,
            Settle settle,
            Function<Delivery, Future<Outcome>> handler,
            Supplier<Optional<String>> holdBack,
            Paused paused) {
        this.context = context;
        this.queue = queue;
        this.concurrency = concurrency;
        this.claim = claim;
        this.settle = settle;
        this.handler = handler;
        this.holdBack = holdBack;
        this.paused = paused;
    }

    public String queue() {
        return queue;
    }

    /** Something may be there, or the hold may have lifted: look again. */
    public void signal() {
        context.runOnContext(v -> pump());
    }

    /** The poll tick: a pause for want of an instance ends, and delivery tries again. */
    public void tick() {
        context.runOnContext(v -> {
            if (unavailable.isPresent() || pausedFor.isPresent()) {
                // Paused: one message goes through the service's client, whose breaker lets a
                // trial call through once its wait is over (reading its state would not).
                unavailable = Optional.empty();
                probing = true;
                probeDue = true;
            }
            pump();
        });
    }

    /** Stops claiming; deliveries out finish and are settled. */
    public void close() {
        context.runOnContext(v -> closed = true);
    }

    private void pump() {
        if (closed || inFlight >= concurrency) {
            return;
        }
        if (claiming) {
            again = true;
            return;
        }
        Optional<String> hold = holdBack.get();
        if (unavailable.isPresent() || (hold.isPresent() && !probeDue)) {
            report(unavailable.isPresent() ? unavailable : hold);
            return;
        }
        if (!probing) {
            report(Optional.empty()); // the hold lifted
        } else if (inFlight > 0) {
            return; // one probe at a time
        }
        probeDue = false;
        int room = probing ? 1 : concurrency - inFlight;
        claiming = true;
        again = false;
        claim.claim(queue, room).onComplete(ar -> {
            claiming = false;
            if (ar.failed()) {
                return; // the store is down: the next tick tries again
            }
            List<Delivery> got = ar.result();
            for (Delivery d : got) {
                inFlight++;
                Future<Outcome> outcome;
                try {
                    outcome = handler.apply(d);
                } catch (RuntimeException e) {
                    outcome = Future.succeededFuture(new Failed(why(e), Optional.empty()));
                }
                outcome.recover(e -> Future.succeededFuture(new Failed(why(e), Optional.empty())))
                        .onComplete(o -> context.runOnContext(v -> {
                            if (o.result() instanceof Unavailable u) {
                                unavailable = Optional.of(u.reason());
                            } else if (probing) {
                                probing = false;
                                report(Optional.empty());
                            }
                            settle.settle(d, o.result()).onComplete(s -> {
                                inFlight--;
                                pump();
                            });
                        }));
            }
            if (got.size() == room || again) {
                pump();
            }
        });
    }

    /** Tells of a pause or its end, once per change. */
    private void report(Optional<String> reason) {
        if (!reason.equals(pausedFor)) {
            pausedFor = reason;
            paused.changed(reason);
        }
    }

    private static String why(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
