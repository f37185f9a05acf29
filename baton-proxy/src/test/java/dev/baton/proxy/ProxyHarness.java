package dev.baton.proxy;

import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.testing.FakeClock;
import dev.baton.time.Ticker;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A proxy on port 0 over a YAML config, plus a JDK HTTP client pointed at it. */
final class ProxyHarness implements AutoCloseable {
    final Vertx vertx;
    final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
    final ProxyServer proxy;
    private final Clock clock;
    private final Ticker ticker;
    final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ProxyHarness(Vertx vertx, String yaml) {
        this(vertx, yaml, Duration.ofSeconds(5));
    }

    ProxyHarness(Vertx vertx, String yaml, Duration shutdownGrace) {
        this(vertx, yaml, shutdownGrace, Clock.systemUTC());
    }

    /**
     * On {@code clock}: what breakers, JWKS refreshes, dates and, when it is a
     * {@link FakeClock}, the ticker too (of the data plane, ejections, local rate
     * limits, fallback caches and HMAC replays) tell time by, so a test need not sleep.
     */
    ProxyHarness(Vertx vertx, String yaml, Clock clock) {
        this(vertx, yaml, Duration.ofSeconds(5), clock);
    }

    private ProxyHarness(Vertx vertx, String yaml, Duration shutdownGrace, Clock clock) {
        this.vertx = vertx;
        this.clock = clock;
        this.ticker = clock instanceof FakeClock fake ? fake::nanos : Ticker.system();
        apply(yaml);
        proxy = new ProxyServer(
                vertx,
                snapshot::get,
                snapshot.get().config().server().listen(),
                2,
                shutdownGrace,
                RequestObserver.NONE,
                ticker,
                clock);
        await(proxy.start().toCompletionStage().toCompletableFuture());
    }

    static Config config(String yaml) {
        // Listens on any free port; a test's own server: section (which must then say so) replaces this one.
        String server = yaml.startsWith("server:") ? "" : "server: { listen: 127.0.0.1:0 }\n";
        return new ConfigLoader(Map.of()).parse(server + yaml, "test.yaml");
    }

    void apply(String yaml) {
        // As the gateway does: services whose definition did not change keep their live state.
        snapshot.set(Snapshot.compile(config(yaml), snapshot.get(), clock, ticker));
    }

    /** The instances of a service in the current snapshot, with their live state. */
    java.util.List<Upstream> instances(String service) {
        return snapshot.get().services().get(service).instances();
    }

    /** Makes every instance of a service unavailable, as failing health checks would. */
    void takeDown(String service) {
        instances(service).forEach(u -> u.endpoint().setAvailable(false));
    }

    int port() {
        return proxy.port();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        await(proxy.stop().toCompletionStage().toCompletableFuture());
    }
}
