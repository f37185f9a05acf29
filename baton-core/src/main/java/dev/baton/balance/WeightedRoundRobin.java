package dev.baton.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Smooth weighted round-robin (as in nginx): endpoints are interleaved in proportion
 * to their weights rather than in bursts, so weights 5,1,1 give a,a,b,a,c,a,a. The
 * schedule is computed once; a pick is one atomic increment and an array read. An
 * unavailable endpoint's turn passes to the next one in the schedule.
 */
final class WeightedRoundRobin implements Balancer {
    private static final int MAX_SCHEDULE = 1 << 16;

    private final Endpoint[] endpoints;
    private final int[] schedule;
    private final AtomicLong next = new AtomicLong();

    WeightedRoundRobin(List<Endpoint> endpoints) {
        this.endpoints = endpoints.toArray(new Endpoint[0]);
        boolean anyWeight = endpoints.stream().anyMatch(e -> e.weight() > 0);
        this.schedule =
                anyWeight ? schedule(endpoints.stream().map(Endpoint::weight).toList()) : new int[0];
    }

    @Override
    public @Nullable Endpoint pick(RequestKey request) {
        if (!anyAvailable()) {
            return null;
        }
        long start = next.getAndIncrement();
        for (int i = 0; i < schedule.length; i++) {
            Endpoint e = endpoints[schedule[(int) Long.remainderUnsigned(start + i, schedule.length)]];
            if (e.available()) {
                return e;
            }
        }
        return null;
    }

    /** Checked first so that a service with every endpoint down costs n, not the schedule's length. */
    private boolean anyAvailable() {
        for (Endpoint e : endpoints) {
            if (e.available()) {
                return true;
            }
        }
        return false;
    }

    static int[] schedule(List<Integer> weights) {
        int gcd = 0;
        long total = 0;
        for (int w : weights) {
            if (w < 0) {
                throw new IllegalArgumentException("weight: " + w + " (expected: >= 0)");
            }
            gcd = gcd(gcd, w);
            total += w;
        }
        if (total == 0) {
            throw new IllegalArgumentException("weights: " + weights + " (expected: at least one > 0)");
        }
        int divisor = gcd;
        int[] reduced = weights.stream().mapToInt(w -> w / divisor).toArray();
        long length = total / gcd;
        // Very uneven large weights would make a huge schedule; scale them down keeping
        // every positive weight positive.
        if (length > MAX_SCHEDULE) {
            double scale = (double) MAX_SCHEDULE / length;
            for (int i = 0; i < reduced.length; i++) {
                reduced[i] = reduced[i] == 0 ? 0 : Math.max(1, (int) (reduced[i] * scale));
            }
            length = 0;
            for (int w : reduced) {
                length += w;
            }
        }
        int[] current = new int[reduced.length];
        List<Integer> order = new ArrayList<>((int) length);
        for (long n = 0; n < length; n++) {
            int best = -1;
            for (int i = 0; i < reduced.length; i++) {
                current[i] += reduced[i];
                if (reduced[i] > 0 && (best < 0 || current[i] > current[best])) {
                    best = i;
                }
            }
            current[best] -= (int) length;
            order.add(best);
        }
        return order.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
