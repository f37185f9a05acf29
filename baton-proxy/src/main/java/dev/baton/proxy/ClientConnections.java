package dev.baton.proxy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The client connections open on the proxy port across every event loop, in all and
 * per client address, so that {@code limits.max-connections} and
 * {@code limits.max-connections-per-client} hold for the whole listener; and the
 * connections closed by a limit or a timeout, by reason, for the metrics.
 */
public final class ClientConnections {
    /** Why a connection was closed by Baton rather than by its client. */
    public enum Closed {
        MAX_CONNECTIONS,
        MAX_CONNECTIONS_PER_CLIENT,
        HEADER_TIMEOUT,
        KEEP_ALIVE_TIMEOUT,
        UNSUPPORTED_VERSION,
        HTTP2_FLOOD
    }

    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
    private final LongAdder[] closed = new LongAdder[Closed.values().length];

    public ClientConnections() {
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
    }

    /**
     * Counts a new connection from {@code client} in; empty when it may stay, else
     * the limit it is over (and it is not counted).
     */
    public java.util.Optional<Closed> open(String client, int max, int maxPerClient) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            closed(Closed.MAX_CONNECTIONS);
            return java.util.Optional.of(Closed.MAX_CONNECTIONS);
        }
        if (maxPerClient > 0) {
            AtomicInteger n = perClient.computeIfAbsent(client, k -> new AtomicInteger());
            if (n.incrementAndGet() > maxPerClient) {
                release(client);
                open.decrementAndGet();
                closed(Closed.MAX_CONNECTIONS_PER_CLIENT);
                return java.util.Optional.of(Closed.MAX_CONNECTIONS_PER_CLIENT);
            }
        }
        return java.util.Optional.empty();
    }

    /** A connection counted by {@link #open} has closed; {@code perClientCounted} as it was opened. */
    public void close(String client, boolean perClientCounted) {
        open.decrementAndGet();
        if (perClientCounted) {
            release(client);
        }
    }

    private void release(String client) {
        // Remove the entry once it drops to zero, so the map holds only addresses with connections.
        perClient.computeIfPresent(client, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** Counts a connection Baton closed for {@code why}. */
    public void closed(Closed why) {
        closed[why.ordinal()].increment();
    }

    /** Client connections open now. */
    public int open() {
        return open.get();
    }

    /** Connections Baton closed for {@code why} since it started. */
    public long closedTotal(Closed why) {
        return closed[why.ordinal()].sum();
    }
}
