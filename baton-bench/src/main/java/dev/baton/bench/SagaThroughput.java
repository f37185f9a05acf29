package dev.baton.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.control.DataStore;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.saga.Saga;
import dev.baton.saga.SagaState;
import dev.baton.saga.Sagas;
import dev.baton.time.Ticker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sagas per second and recovery time, on the embedded store (not a JMH benchmark:
 * a saga's cost is store writes and calls, which JMH's loops would only blur).
 * {@code SagaThroughput SAGAS IN_FLIGHT [PG-URL PG-USER]}: runs SAGAS three-step sagas against an
 * in-process upstream that answers at once, IN_FLIGHT at a time, and prints
 * sagas/s; then leaves SAGAS sagas unfinished (their upstream silent), stops the
 * engine, and times a new one resuming them all and bringing them to their end.
 * Run it with {@code bench/sagas.sh}, which pins it to its own core.
 */
public final class SagaThroughput {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SagaThroughput() {}

    public static void main(String[] args) throws Exception {
        int sagas = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        Vertx vertx = Vertx.vertx();
        AtomicBoolean silent = new AtomicBoolean();
        HttpServer upstream = vertx.createHttpServer()
                .requestHandler(req -> {
                    if (!silent.get()) {
                        req.response().setStatusCode(201).end("{\"id\":\"x\"}");
                    }
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get();
        String url = "http://127.0.0.1:" + upstream.actualPort();
        Config config = new ConfigLoader(Map.of()).parse("""
                services:
                  a: { instances: [ "%1$s" ] }
                  b: { instances: [ "%1$s" ] }
                  c: { instances: [ "%1$s" ] }
                sagas:
                  three:
                    steps:
                      - { id: one, call: { service: a, path: /one, body: { n: "{{input.n}}" } },
                          compensate: { service: a, method: DELETE, path: "/one/{{saga.id}}" } }
                      - { id: two, call: { service: b, path: /two }, compensate: { service: b, method: DELETE, path: /two } }
                      - { id: three, call: { service: c, path: /three }, timeout: 2m }
                """.formatted(url), "bench.yaml");
        Snapshot snapshot = Snapshot.compile(config);
        Path dir = Files.createTempDirectory("baton-saga-bench");
        // A fourth and fifth argument: a PostgreSQL store (its URL and user) instead of the embedded one.
        Optional<dev.baton.config.StoreConfig> server = args.length > 3
                ? Optional.of(new dev.baton.config.StoreConfig(args[2], args[3], Optional.empty(), 8))
                : Optional.empty();
        DataStore data = new DataStore(dir, server);
        Sagas engine = sagas(vertx, data, snapshot);

        run(engine, Math.min(200, sagas), inFlight); // warm-up: JIT, pools, the store's caches
        long t0 = System.nanoTime();
        run(engine, sagas, inFlight);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(
                "throughput: %d sagas of 3 steps, %d in flight: %.1f s, %.0f sagas/s%n",
                sagas, inFlight, seconds, sagas / seconds);

        // Unfinished: the third step's call is out when the engine stops.
        silent.set(true);
        AtomicInteger started = new AtomicInteger();
        for (int i = 0; i < sagas; i++) {
            engine.start("three", JSON.createObjectNode().put("n", i), Optional.empty())
                    .thenRun(started::incrementAndGet);
        }
        while (started.get() < sagas) {
            Thread.sleep(10); // a benchmark driver waiting for its own submissions, not a test's clock
        }
        Thread.sleep(2000); // let each reach its silent call
        engine.close();
        silent.set(false);

        long r0 = System.nanoTime();
        Sagas next = sagas(vertx, data, snapshot);
        double resumed = (System.nanoTime() - r0) / 1e9;
        while (next.list(Optional.of("three"), Optional.of(SagaState.RUNNING), 1)
                        .toCompletableFuture()
                        .get()
                        .size()
                > 0) {
            Thread.sleep(50);
        }
        double done = (System.nanoTime() - r0) / 1e9;
        System.out.printf(
                "recovery: %d unfinished sagas read back and driving in %.2f s, all ended in %.2f s%n",
                sagas, resumed, done);
        next.close();
        data.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Sagas sagas(Vertx vertx, DataStore data, Snapshot snapshot) {
        Sagas s = new Sagas(
                vertx,
                data,
                () -> snapshot,
                EventSink.NONE,
                Clock.systemUTC(),
                Ticker.system(),
                dev.baton.control.Timers.of(vertx));
        s.start();
        s.apply(snapshot);
        return s;
    }

    /** Runs {@code n} sagas, at most {@code inFlight} at once, and waits for them all to end. */
    private static void run(Sagas engine, int n, int inFlight) throws Exception {
        Semaphore window = new Semaphore(inFlight);
        CompletableFuture<?>[] all = new CompletableFuture<?>[n];
        for (int i = 0; i < n; i++) {
            window.acquire();
            all[i] = engine.start("three", JSON.createObjectNode().put("n", i), Optional.empty())
                    .thenCompose(s -> engine.await(s.id(), java.time.Duration.ofMinutes(2)))
                    .whenComplete((Saga s, Throwable e) -> {
                        window.release();
                        if (e != null || s.state() != SagaState.COMPLETED) {
                            System.err.println("a saga did not complete: " + (e != null ? e : s.reason()));
                        }
                    })
                    .toCompletableFuture();
        }
        CompletableFuture.allOf(all).get(10, TimeUnit.MINUTES);
    }
}
