package dev.baton.proxy.internal;

import dev.baton.time.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Idle timeouts for one event loop's exchanges without a scheduled task per request.
 * Arming links an entry into a list and disarming unlinks it, both O(1) and with
 * no timer-queue work; a sweep every {@link #TICK_MILLIS} walks the armed entries
 * and fires those idle for their whole timeout. What is armed is what is in flight,
 * so the walk is short, and timeouts fire at most one tick late.
 *
 * <p>Confined to its event loop: no locks.
 */
final class Deadlines {
    static final long TICK_MILLIS = 50;

    /** Something that can go idle for too long. */
    interface Idle {
        long lastActivityNanos();

        long timeoutNanos();

        void idleTimeout();
    }

    /** One armed deadline; give it back to {@link #disarm}. */
    static final class Entry {
        private final Idle owner;
        // Null once disarmed (or fired). NullAway cannot see that an entry's links are
        // set while it is in the ring, which is why arm, disarm and sweep are exempt.
        private @Nullable Entry prev;
        private @Nullable Entry next;

        private Entry(Idle owner) {
            this.owner = owner;
        }
    }

    // The ring's sentinel: never armed, so it has no owner and its owner is never read.
    @SuppressWarnings("NullAway")
    private final Entry head = new Entry(null);

    private int size;

    private final Ticker ticker;

    Deadlines(Ticker ticker) {
        this.ticker = ticker;
        head.prev = head;
        head.next = head;
    }

    @SuppressWarnings("NullAway") // a ring's links are never null while in it (see Entry)
    Entry arm(Idle owner) {
        Entry e = new Entry(owner);
        e.prev = head.prev;
        e.next = head;
        head.prev.next = e;
        head.prev = e;
        size++;
        return e;
    }

    @SuppressWarnings("NullAway") // a ring's links are never null while in it (see Entry)
    void disarm(Entry e) {
        if (e.next == null) {
            return; // already fired or disarmed
        }
        e.prev.next = e.next;
        e.next.prev = e.prev;
        e.prev = null;
        e.next = null;
        size--;
    }

    /** Fires every entry idle for its whole timeout; called by the loop's periodic timer. */
    @SuppressWarnings("NullAway") // a ring's links are never null while in it (see Entry)
    void sweep() {
        long now = ticker.nanos();
        Entry e = head.next;
        while (e != head) {
            Entry next = e.next;
            Idle owner = e.owner;
            if (now - owner.lastActivityNanos() >= owner.timeoutNanos()) {
                disarm(e);
                owner.idleTimeout();
            }
            // A timeout may end other exchanges (their client connection closes); if it
            // unlinked `next`, start over: only disarms restart the walk, so it ends.
            e = next != head && next.next == null ? head.next : next;
        }
    }

    int size() {
        return size;
    }
}
