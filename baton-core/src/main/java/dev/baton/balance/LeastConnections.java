package dev.baton.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The available endpoint with the fewest requests in flight per unit of weight. The
 * scan starts at a rotating offset, so ties spread instead of always going to the
 * first endpoint.
 */
final class LeastConnections implements Balancer {
    private final Endpoint[] endpoints;
    private final AtomicLong next = new AtomicLong();

    LeastConnections(List<Endpoint> endpoints) {
        this.endpoints = endpoints.toArray(new Endpoint[0]);
    }

    @Override
    public @Nullable Endpoint pick(RequestKey request) {
        int n = endpoints.length;
        if (n == 0) {
            return null;
        }
        int start = (int) Long.remainderUnsigned(next.getAndIncrement(), n);
        Endpoint best = null;
        long bestLoad = 0; // (outstanding + 1) of best; compared across weights by cross-multiplying
        for (int k = 0; k < n; k++) {
            int i = start + k;
            Endpoint e = endpoints[i < n ? i : i - n];
            if (e.available()) {
                long load = e.outstanding() + 1L;
                if (best == null || load * best.weight() < bestLoad * e.weight()) {
                    best = e;
                    bestLoad = load;
                }
            }
        }
        return best;
    }
}
