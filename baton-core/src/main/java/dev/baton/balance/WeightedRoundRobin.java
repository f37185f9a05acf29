package dev.baton.balance;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round-robin (as in nginx): instances are interleaved in proportion
 * to their weights rather than in bursts, so weights 5,1,1 give a,a,b,a,c,a,a. The
 * schedule is computed once; a pick is one atomic increment and an array read.
 */
public final class WeightedRoundRobin {
    private static final int MAX_SCHEDULE = 1 << 16;

    private final int[] schedule;
    private final AtomicLong next = new AtomicLong();

    /** Weights must be non-negative with at least one above zero; zero takes no traffic. */
    public WeightedRoundRobin(List<Integer> weights) {
        this.schedule = schedule(weights);
    }

    /** The index of the next instance. */
    public int pick() {
        return schedule[(int) Long.remainderUnsigned(next.getAndIncrement(), schedule.length)];
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
