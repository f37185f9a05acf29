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
    ProxiedRequest request;
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
        request = new ProxiedRequest() {
            long n;

            @Override
            public String requestId() {
                return "r";
            }

            @Override
            public String method() {
                return "GET";
            }

            @Override
            public String path() {
                return "/api/orders";
            }

            @Override
            public RouteTarget route() {
                return route;
            }

            @Override
            public Upstream upstream() {
                return upstream;
            }

            @Override
            public int status() {
                return 200;
            }

            @Override
            public boolean aborted() {
                return false;
            }

            @Override
            public long bytesIn() {
                return 0;
            }

            @Override
            public long bytesOut() {
                return 100;
            }

            @Override
            public long durationNanos() {
                return 300_000 + (n++ & 0xffff) * 10;
            }

            @Override
            public long upstreamNanos() {
                return 200_000;
            }

            @Override
            public int tries() {
                return 1;
            }

            @Override
            public String clientAddress() {
                return "127.0.0.1";
            }

            @Override
            public long startMillis() {
                return start;
            }

            @Override
            public String traceId() {
                return null;
            }

            @Override
            public String spanId() {
                return null;
            }

            @Override
            public String trySpanId() {
                return null;
            }

            @Override
            public String parentSpanId() {
                return null;
            }

            @Override
            public long startNanos() {
                return 0;
            }
        };
    }

    @Benchmark
    public void metrics() {
        metrics.tried(request, upstream, Outcome.ANSWERED, 200, 200_000);
        metrics.completed(request);
    }

    @Benchmark
    public void stats() {
        stats.completed(request);
    }
}
