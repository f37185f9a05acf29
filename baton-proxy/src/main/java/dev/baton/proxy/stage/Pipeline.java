package dev.baton.proxy.stage;

import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The stages a route's requests pass, compiled from its policies: IP lists, head
 * validation, the token, the body rules, header rewrites, CORS and rate limits. The
 * request side runs them in that order, up to the first that answers; the response
 * side runs them in the same order. A route without policies has the empty pipeline
 * and pays for none. Immutable.
 */
public final class Pipeline {
    private static final Pipeline EMPTY = new Pipeline(List.of());

    private final List<Stage> stages;

    private Pipeline(List<Stage> stages) {
        this.stages = List.copyOf(stages);
    }

    /** The pipeline of {@code route}'s policies. */
    public static Pipeline of(RouteTarget route) {
        List<Stage> stages = new ArrayList<>();
        if (!route.ip().open()) {
            stages.add(new IpStage(route.ip()));
        }
        route.validation().ifPresent(v -> stages.add(new ValidationStage(v)));
        route.auth().ifPresent(a -> stages.add(new TokenStage(a)));
        BodyStage.of(route.validation(), route.hmac(), route.transform()).ifPresent(stages::add);
        route.transform().ifPresent(t -> stages.add(new TransformStage(t)));
        route.cors().ifPresent(c -> stages.add(new CorsStage(c)));
        if (!route.limits().isEmpty()) {
            stages.add(new RateLimitStage(route.limits()));
        }
        return stages.isEmpty() ? EMPTY : new Pipeline(stages);
    }

    /** Whether the route has no stages at all. */
    public boolean isEmpty() {
        return stages.isEmpty();
    }

    /** The stages, in order. */
    public List<Stage> stages() {
        return stages;
    }

    /**
     * The pipelines of one event loop's current snapshot, compiled once per route when
     * the loop first meets a new snapshot's route; confined to that loop, so it needs
     * no lock. The old snapshot's pipelines go with it.
     */
    public static final class Cache {
        private @Nullable Snapshot snapshot; // until the loop meets its first
        private final Map<RouteTarget, Pipeline> pipelines = new IdentityHashMap<>();

        /** {@code route}'s pipeline in {@code snapshot}. */
        public Pipeline of(Snapshot snapshot, RouteTarget route) {
            if (snapshot != this.snapshot) {
                this.snapshot = snapshot;
                pipelines.clear();
            }
            return pipelines.computeIfAbsent(route, Pipeline::of);
        }
    }
}
