package dev.baton.bench;

import dev.baton.proxy.internal.http.HopByHop;
import io.vertx.core.MultiMap;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
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
 * Copying a request's headers for the upstream without the hop-by-hop ones: done
 * twice per proxied request (request and response), so it must stay in the tens of
 * nanoseconds per header. One browser-like request, and one whose Connection header
 * names extra headers to drop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderBenchmark {
    MultiMap browser;
    MultiMap withConnectionTokens;

    @Setup
    public void setUp() {
        browser = HeadersMultiMap.httpHeaders()
                .add("Host", "api.example.com")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36")
                .add("Accept", "application/json, text/plain, */*")
                .add("Accept-Language", "en-GB,en;q=0.9")
                .add("Accept-Encoding", "gzip, deflate, br")
                .add("Referer", "https://app.example.com/orders")
                .add("Origin", "https://app.example.com")
                .add("Cookie", "session=3f2a9c1e; theme=dark")
                .add("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl")
                .add("X-Request-ID", "0af7651916cd43dd8448eb211c80319c")
                .add("Connection", "keep-alive")
                .add("Keep-Alive", "timeout=5");
        withConnectionTokens = HeadersMultiMap.httpHeaders()
                .addAll(browser)
                .set("Connection", "keep-alive, X-Internal-Trace, X-Debug")
                .add("X-Internal-Trace", "abc")
                .add("X-Debug", "1")
                .add("TE", "trailers");
    }

    @Benchmark
    public MultiMap copyBrowserRequest() {
        MultiMap out = MultiMap.caseInsensitiveMultiMap(); // as Exchange builds upstream headers
        HopByHop.copy(browser, out, false);
        return out;
    }

    @Benchmark
    public MultiMap copyWithConnectionTokens() {
        MultiMap out = MultiMap.caseInsensitiveMultiMap(); // as Exchange builds upstream headers
        HopByHop.copy(withConnectionTokens, out, false);
        return out;
    }
}
