package dev.baton.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinTest {
    @Test
    void equalWeightsAlternate() {
        WeightedRoundRobin rr = new WeightedRoundRobin(List.of(1, 1, 1));
        assertThat(List.of(rr.pick(), rr.pick(), rr.pick(), rr.pick())).containsExactly(0, 1, 2, 0);
    }

    @Test
    void weightsAreSmoothAndExact() {
        assertThat(WeightedRoundRobin.schedule(List.of(5, 1, 1))).containsExactly(0, 0, 1, 0, 2, 0, 0);
        WeightedRoundRobin rr = new WeightedRoundRobin(List.of(3, 0, 1));
        int[] counts = new int[3];
        for (int i = 0; i < 10_000; i++) {
            counts[rr.pick()]++;
        }
        assertThat(counts).containsExactly(7500, 0, 2500);
    }

    @Test
    void hugeWeightsStayBounded() {
        assertThat(WeightedRoundRobin.schedule(List.of(1000, 999, 1, 997)).length)
                .isLessThanOrEqualTo(1 << 16);
    }

    @Test
    void rejectsAllZero() {
        assertThatThrownBy(() -> new WeightedRoundRobin(List.of(0, 0))).hasMessageContaining("at least one > 0");
    }
}
