package dev.baton.proxy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Upstream connections across every event loop's pool: how many are open and idle,
 * and how many were opened, reused and failed to open. Read by the pool metrics.
 */
public final class ConnectionStats {
    private final AtomicLong open = new AtomicLong();
    private final AtomicLong idle = new AtomicLong();
    private final LongAdder opened = new LongAdder();
    private final LongAdder reused = new LongAdder();
    private final LongAdder failed = new LongAdder();

    public void opened() {
        opened.increment();
        open.incrementAndGet();
    }

    public void closed() {
        open.decrementAndGet();
    }

    public void idle(int delta) {
        idle.addAndGet(delta);
    }

    public void reused() {
        reused.increment();
    }

    public void failed() {
        failed.increment();
    }

    public long open() {
        return open.get();
    }

    public long idle() {
        return idle.get();
    }

    public long openedTotal() {
        return opened.sum();
    }

    public long reusedTotal() {
        return reused.sum();
    }

    public long failedTotal() {
        return failed.sum();
    }
}
