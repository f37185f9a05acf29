package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DependencyGraphTest {
    final DependencyGraph graph = DependencyGraph.of(
            Map.of(
                    "web", List.of("orders", "auth"),
                    "orders", List.of("db", "inventory"),
                    "inventory", List.of("db"),
                    "auth", List.of(),
                    "db", List.of(),
                    "reports", List.of("db", "ghost")),
            Map.of("auth", -1));

    @Test
    void startsInWavesDependenciesFirstPeersByPriority() {
        assertThat(graph.levels())
                .containsExactly(
                        List.of("auth", "db"), List.of("inventory", "reports"), List.of("orders"), List.of("web"));
        assertThat(graph.dependencies("reports")).containsExactly("db"); // not a service: left out
        assertThat(graph.allDependencies("web")).containsExactlyInAnyOrder("orders", "auth", "db", "inventory");
        assertThat(graph.allDependents("db")).containsExactlyInAnyOrder("orders", "inventory", "reports", "web");
        assertThat(graph.cycles()).isEmpty();
    }

    @Test
    void drawsATreeFromWhatNothingDependsOn() {
        assertThat(graph.tree()).isEqualTo("""
                        reports
                        └── db
                        web
                        ├── orders
                        │   ├── db
                        │   └── inventory
                        │       └── db
                        └── auth
                        """);
    }

    @Test
    void findsEachCycleOnceAndStillOrdersTheRest() {
        DependencyGraph g = DependencyGraph.of(
                Map.of("a", List.of("b"), "b", List.of("a"), "c", List.of("a"), "d", List.of()), Map.of());
        assertThat(g.cycles()).containsExactly(List.of("a", "b", "a"));
        assertThat(g.levels()).containsExactly(List.of("d"), List.of("a", "b", "c"));
        assertThat(g.tree()).contains("c\n└── a\n    └── b\n        └── a  (cycle)\n");
    }
}
