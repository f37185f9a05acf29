package dev.baton.bench;

import dev.baton.balance.Balancer;
import dev.baton.balance.Endpoint;
import dev.baton.balance.HashKey;
import dev.baton.balance.RequestKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
 * One pick over 100 instances for each balancer, with a tenth of them unavailable
 * so the skipping path is measured too. The target: well under a microsecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BalancerBenchmark {
    @Param({"round-robin", "least-connections", "p2c", "consistent-hash", "sticky"})
    String kind;

    Balancer balancer;
    RequestKey[] requests;
    int next;

    @Setup
    public void setUp() {
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Endpoint e = new Endpoint("svc-" + i, 1 + i % 3);
            e.setAvailable(i % 10 != 0);
            endpoints.add(e);
        }
        balancer = Balancer.create(kind, endpoints, Optional.of(HashKey.parse("header:X-User")), "route");
        requests = new RequestKey[64];
        for (int i = 0; i < requests.length; i++) {
            String user = "user-" + i;
            String sticky = "svc-" + (i * 7 % 100);
            requests[i] = new RequestKey() {
                @Override
                public String clientIp() {
                    return "10.0.0." + user.length();
                }

                @Override
                public String header(String name) {
                    return user;
                }

                @Override
                public String cookie(String name) {
                    return sticky;
                }

                @Override
                public String path() {
                    return "/api";
                }
            };
        }
    }

    @Benchmark
    public @Nullable Endpoint pick() {
        return balancer.pick(requests[next++ & 63]);
    }
}
