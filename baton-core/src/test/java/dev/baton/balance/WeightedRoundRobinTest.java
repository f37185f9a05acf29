package dev.baton.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinTest {
    static List<Endpoint> endpoints(int... weights) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            list.add(new Endpoint("e" + i, weights[i]));
        }
        return list;
    }

    @Test
    void equalWeightsAlternate() {
        WeightedRoundRobin rr = new WeightedRoundRobin(endpoints(1, 1, 1));
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            picks.add(rr.pick(RequestKey.NONE).id());
        }
        assertThat(picks).containsExactly("e0", "e1", "e2", "e0");
    }

    @Test
    void weightsAreSmoothAndExact() {
        assertThat(WeightedRoundRobin.schedule(List.of(5, 1, 1))).containsExactly(0, 0, 1, 0, 2, 0, 0);
        WeightedRoundRobin rr = new WeightedRoundRobin(endpoints(3, 0, 1));
        int[] counts = new int[3];
        for (int i = 0; i < 10_000; i++) {
            counts[Integer.parseInt(rr.pick(RequestKey.NONE).id().substring(1))]++;
        }
        assertThat(counts).containsExactly(7500, 0, 2500);
    }

    @Test
    void hugeWeightsStayBounded() {
        assertThat(WeightedRoundRobin.schedule(List.of(1000, 999, 1, 997)).length)
                .isLessThanOrEqualTo(1 << 16);
    }

    @Test
    void allZeroWeightsPickNothing() {
        assertThat(new WeightedRoundRobin(endpoints(0, 0)).pick(RequestKey.NONE))
                .isNull();
    }
}
