package dev.baton.time;

import dev.baton.testing.FakeClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A scheduler on a fake clock: {@link #advance} moves the clock and runs what has come due, in order. */
public final class ManualScheduler implements Scheduler {
    private record Task(Instant at, long seq, Runnable run) {}

    private final FakeClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private long seq;

    public ManualScheduler(FakeClock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized Cancellable after(Duration delay, Runnable task) {
        Task t = new Task(clock.instant().plus(delay), seq++, task);
        tasks.add(t);
        return () -> {
            synchronized (this) {
                tasks.remove(t);
            }
        };
    }

    /** Moves the clock by {@code d}, running each task as its time comes. */
    public void advance(Duration d) {
        Instant end = clock.instant().plus(d);
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream()
                        .filter(t -> !t.at().isAfter(end))
                        .min(Comparator.comparing(Task::at).thenComparing(Task::seq))
                        .orElse(null);
                if (next != null) {
                    tasks.remove(next);
                }
            }
            if (next == null) {
                break;
            }
            if (next.at().isAfter(clock.instant())) {
                clock.advance(Duration.between(clock.instant(), next.at()));
            }
            next.run().run();
        }
        if (end.isAfter(clock.instant())) {
            clock.advance(Duration.between(clock.instant(), end));
        }
    }

    /** How many tasks wait. */
    public synchronized int pending() {
        return tasks.size();
    }
}
