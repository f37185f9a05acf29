package dev.baton.bench;

import dev.baton.routing.PathPattern;
import dev.baton.routing.RouteDefinition;
import dev.baton.routing.RouteMatch;
import dev.baton.routing.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route matching over 10 and 10,000 routes: the trie should make the two cost about
 * the same. Each operation matches one request from a fixed mix of exact paths,
 * {@code {param}} paths, {@code /**} prefixes, host routes, 405s and 404s, so neither
 * table is favoured by a single lucky path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBenchmark {
    @Param({"10", "10000"})
    int routes;

    Router<String> router;
    String[][] requests;
    int next;

    @Setup
    public void setUp() {
        List<RouteDefinition<String>> defs = new ArrayList<>();
        // Five shapes of route per "service"; the request mix hits routes from the whole table.
        int services = routes / 5;
        for (int i = 0; i < services; i++) {
            defs.add(route("/api/svc" + i + "/items", null, Set.of("GET")));
            defs.add(route("/api/svc" + i + "/items/{id}", null, Set.of("GET", "PUT")));
            defs.add(route("/api/svc" + i + "/**", null, Set.of()));
            defs.add(route("/v" + i + "/*/status", null, Set.of()));
            defs.add(route("/**", "svc" + i + ".example.com", Set.of()));
        }
        router = Router.build(defs);
        int last = services - 1;
        int mid = services / 2;
        requests = new String[][] {
            {"a.example.com", "GET", "/api/svc" + mid + "/items"},
            {"a.example.com", "PUT", "/api/svc" + last + "/items/42"},
            {"a.example.com", "POST", "/api/svc0/orders/7/lines"},
            {"a.example.com", "GET", "/v" + mid + "/eu/status"},
            {"svc" + last + ".example.com:8080", "GET", "/anything/at/all"},
            {"a.example.com", "DELETE", "/api/svc" + mid + "/items"},
            {"a.example.com", "GET", "/nowhere/at/all"},
            {"a.example.com", "GET", "/api/svc" + last + "/items/42"},
        };
    }

    private static RouteDefinition<String> route(String path, @Nullable String host, Set<String> methods) {
        return new RouteDefinition<>(PathPattern.parse(path), Optional.ofNullable(host), methods, path);
    }

    @Benchmark
    public RouteMatch<String> match() {
        String[] r = requests[next++ & 7];
        return router.match(r[0], r[1], r[2]);
    }
}
