package dev.baton.balance;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A hash ring (ketama style): every endpoint owns points on a 64-bit ring in
 * proportion to its weight, placed by hashing its id, and a request goes to the
 * owner of the first point at or after its key's hash. An endpoint that leaves or
 * becomes unavailable hands only its own keys to the next points' owners; every
 * other key keeps its endpoint. Requests without a key get a round-robin pick.
 */
final class ConsistentHash implements Balancer {
    static final int POINTS_PER_WEIGHT = 160;
    private static final int MAX_POINTS = 1 << 20;

    private final HashKey key;
    private final Endpoint[] endpoints;
    private final long[] points;
    private final int[] owners;
    private final WeightedRoundRobin keyless;

    ConsistentHash(List<Endpoint> endpoints, HashKey key) {
        this.key = key;
        this.endpoints = endpoints.toArray(new Endpoint[0]);
        this.keyless = new WeightedRoundRobin(endpoints);
        long total = endpoints.stream()
                .mapToLong(e -> (long) e.weight() * POINTS_PER_WEIGHT)
                .sum();
        double scale = total > MAX_POINTS ? (double) MAX_POINTS / total : 1.0;
        long[][] pairs = new long[(int) Math.min(total, MAX_POINTS) + endpoints.size()][];
        int n = 0;
        for (int i = 0; i < this.endpoints.length; i++) {
            Endpoint e = this.endpoints[i];
            int count = e.weight() == 0 ? 0 : Math.max(1, (int) (e.weight() * POINTS_PER_WEIGHT * scale));
            for (int p = 0; p < count; p++) {
                pairs[n++] = new long[] {hash(e.id() + "#" + p), i};
            }
        }
        long[][] used = Arrays.copyOf(pairs, n);
        Arrays.sort(used, (a, b) -> Long.compare(a[0], b[0]));
        this.points = new long[n];
        this.owners = new int[n];
        for (int i = 0; i < n; i++) {
            points[i] = used[i][0];
            owners[i] = (int) used[i][1];
        }
    }

    @Override
    public @Nullable Endpoint pick(RequestKey request) {
        String k = key.of(request);
        if (k == null || points.length == 0) {
            return keyless.pick(request);
        }
        int at = Arrays.binarySearch(points, hash(k));
        if (at < 0) {
            at = -at - 1;
        }
        // Walk on from the key's point to the first available owner; give up after a
        // full turn (every endpoint down).
        for (int i = 0; i < points.length; i++) {
            Endpoint e = endpoints[owners[(at + i) % points.length]];
            if (e.available()) {
                return e;
            }
        }
        return null;
    }

    /** 64-bit FNV-1a with a murmur3 finaliser, so similar ids spread over the whole ring. */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
