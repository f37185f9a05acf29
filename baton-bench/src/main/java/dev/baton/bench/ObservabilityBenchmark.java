package dev.baton.bench;

import dev.baton.config.ConfigLoader;
import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.resilience.Outcome;
import dev.baton.telemetry.RequestMetrics;
import dev.baton.telemetry.Stats;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What measuring a proxied request costs the event loop: the request metrics of
 * the README's Metrics (a try and an end), and the rolling stats of a service and a route.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ObservabilityBenchmark {
    RequestMetrics metrics;
    Stats stats;
    ProxiedRequest[] requests;
    int n;
    Upstream upstream;

    @Setup
    public void setup() {
        Snapshot snapshot = Snapshot.compile(new ConfigLoader(Map.of()).parse("""
                        services:
                          orders: { instances: [ "http://10.0.0.1:1" ] }
                        routes:
                          - { id: orders, path: /api/**, service: orders }
                        """, "bench.yaml"));
        RouteTarget route = snapshot.routeTargets().get(0);
        upstream = route.service().instances().get(0);
        metrics = new RequestMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT).getPrometheusRegistry());
        stats = new Stats(Clock.systemUTC());
        long start = System.currentTimeMillis();
        // Durations spread over a histogram's buckets, as live traffic's are.
        requests = new ProxiedRequest[1024];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = new ProxiedRequest(
                    "r",
                    "GET",
                    "/api/orders",
                    route,
                    upstream,
                    200,
                    false,
                    0,
                    100,
                    300_000 + i * 640L,
                    200_000,
                    1,
                    "127.0.0.1",
                    start,
                    "4bf92f3577b34da6a3ce929d0e0e4736", // every request has a trace id
                    null,
                    null,
                    null,
                    0);
        }
    }

    private ProxiedRequest next() {
        return requests[n++ & (requests.length - 1)];
    }

    @Benchmark
    public void metrics() {
        ProxiedRequest request = next();
        metrics.tried(request, upstream, Outcome.ANSWERED, 200, 200_000);
        metrics.completed(request);
    }

    @Benchmark
    public void stats() {
        stats.completed(next());
    }
}
