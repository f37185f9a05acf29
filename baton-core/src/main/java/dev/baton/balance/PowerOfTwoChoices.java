package dev.baton.balance;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * Power of two choices: two endpoints at random, the one with fewer requests in
 * flight per unit of weight wins, and on a tie the one with the lower latency
 * average (EWMA). Nearly as good as least-connections at a constant cost, and
 * without the herd that a global minimum attracts.
 */
final class PowerOfTwoChoices implements Balancer {
    private static final int TRIES = 4;

    private final Endpoint[] endpoints;
    private final LeastConnections fallback;

    PowerOfTwoChoices(List<Endpoint> endpoints) {
        this.endpoints = endpoints.toArray(new Endpoint[0]);
        this.fallback = new LeastConnections(endpoints);
    }

    @Override
    public @Nullable Endpoint pick(RequestKey request) {
        int n = endpoints.length;
        if (n < 2) {
            return fallback.pick(request);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int t = 0; t < TRIES; t++) {
            int i = random.nextInt(n);
            int j = random.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            Endpoint a = endpoints[i];
            Endpoint b = endpoints[j];
            if (a.available() && b.available()) {
                return better(a, b);
            }
            if (a.available() != b.available()) {
                return a.available() ? a : b;
            }
        }
        return fallback.pick(request); // most are unavailable: scan
    }

    private static Endpoint better(Endpoint a, Endpoint b) {
        double la = (a.outstanding() + 1.0) / a.weight();
        double lb = (b.outstanding() + 1.0) / b.weight();
        if (la != lb) {
            return la < lb ? a : b;
        }
        return a.latencyNanos() <= b.latencyNanos() ? a : b;
    }
}
