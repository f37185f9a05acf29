package dev.baton.balance;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the endpoint for one request. Every balancer skips endpoints that are not
 * {@link Endpoint#available() available} and returns null when none is, so the
 * caller can answer 503. Balancers are immutable apart from their endpoints' live
 * state and a counter, and are called from every event loop at once.
 */
public interface Balancer {
    @Nullable
    Endpoint pick(RequestKey request);

    /**
     * The balancer a service's config names: {@code round-robin} and
     * {@code weighted} (both smooth weighted round-robin: equal weights rotate),
     * {@code least-connections}, {@code p2c}, {@code ip-hash}, {@code consistent-hash}
     * (keyed by {@code hashKey}, by path when absent) and {@code sticky} (by the
     * {@code stickyCookie} cookie).
     */
    static Balancer create(String kind, List<Endpoint> endpoints, Optional<HashKey> hashKey, String stickyCookie) {
        return switch (kind) {
            case "round-robin", "weighted" -> new WeightedRoundRobin(endpoints);
            case "least-connections" -> new LeastConnections(endpoints);
            case "p2c" -> new PowerOfTwoChoices(endpoints);
            case "ip-hash" -> new ConsistentHash(endpoints, new HashKey(HashKey.Source.IP, null));
            case "consistent-hash" ->
                new ConsistentHash(endpoints, hashKey.orElse(new HashKey(HashKey.Source.PATH, null)));
            case "sticky" -> new Sticky(endpoints, stickyCookie);
            default -> throw new IllegalArgumentException("unknown load balancer: " + kind);
        };
    }
}
