package dev.baton.bench;

import dev.baton.config.ConfigLoader;
import dev.baton.config.ServiceConfig;
import dev.baton.resilience.Breakers;
import dev.baton.resilience.Outcome;
import dev.baton.resilience.RateDecision;
import dev.baton.resilience.TokenBuckets;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
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
 * What resilience costs per request: a circuit-breaker permit and its outcome
 * (Resilience4j's count window of 100), and a rate-limit check over 10,000 client
 * keys. The target: each well under a microsecond.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResilienceBenchmark {
    Breakers breakers;
    TokenBuckets buckets;
    String[] keys;
    int next;

    @Setup
    public void setUp() {
        ServiceConfig s = Objects.requireNonNull( // the config below defines s
                new ConfigLoader(Map.of()).parse("""
                        services:
                          s:
                            instances: [ "http://10.0.0.1:1" ]
                            circuit-breaker: { window-size: 100, minimum-calls: 100, failure-rate-threshold: 90 }
                        """, "bench.yaml").services().get("s"));
        breakers = Breakers.of(s, Clock.systemUTC(), dev.baton.events.EventSink.NONE);
        buckets = new TokenBuckets(1e9, 1_000_000, 100_000);
        keys = new String[10_000];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = "10.0." + (i / 256) + "." + (i % 256);
        }
    }

    @Benchmark
    public boolean breakerPermitAndOutcome() {
        boolean permitted = breakers.tryAcquire("s-0");
        breakers.record("s-0", Outcome.ANSWERED, (next++ & 15) == 0 ? 503 : 200, 1_000_000);
        return permitted;
    }

    @Benchmark
    public RateDecision rateLimitCheck() {
        return buckets.check(keys[next++ % keys.length]);
    }
}
