package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.events.Event;
import dev.baton.store.Store;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The embedding API end to end: start, proxy, apply, reload from the watched file, stop. */
class BatonTest {
    static Vertx vertx;
    static TestUpstream blue;
    static TestUpstream green;
    static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @TempDir
    static Path data;

    @BeforeAll
    static void upstreams() {
        vertx = Vertx.vertx();
        blue = TestUpstream.start(vertx, req -> {
            if (req.path().equals("/slow")) {
                vertx.setTimer(1500, t -> req.response().end("blue-slow"));
            } else {
                req.response().end("blue");
            }
        });
        green = TestUpstream.start(vertx, req -> req.response().end("green"));
    }

    @AfterAll
    static void close() throws Exception {
        blue.close();
        green.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static String yaml(TestUpstream to, String extraRoutes) {
        return """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, shutdown-grace: 5s, data-dir: %s }
                services:
                  app: { instances: [ "%s" ] }
                routes:
                  - { path: /**, service: app }
                %s
                """.formatted(data, to.url(), extraRoutes);
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Replaces the file the way editors and ConfigMaps do: write aside, then rename. */
    void write(Path file, String content) throws Exception {
        Path tmp = Files.createTempFile(dir, "next", ".yaml");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void startApplyStop() throws Exception {
        var config = new ConfigLoader(Map.of()).parse(yaml(blue, ""), "inline.yaml");
        try (Baton baton = Baton.builder().config(config).build().start()) {
            assertThat(get(baton.proxyPort(), "/x").body()).isEqualTo("blue");
            assertThat(get(baton.adminPort(), "/health").body()).contains("UP");

            java.util.List<dev.baton.events.Event> reloads = new java.util.concurrent.CopyOnWriteArrayList<>();
            baton.events()
                    .subscribeSync(
                            "test",
                            dev.baton.events.EventFilter.of(dev.baton.events.EventType.CONFIG_RELOADED),
                            -1,
                            reloads::add);
            baton.apply(new ConfigLoader(Map.of()).parse(yaml(green, ""), "inline.yaml"));
            assertThat(get(baton.proxyPort(), "/x").body()).isEqualTo("green");
            assertThat(baton.reloadCount()).isEqualTo(1);
            assertThat(reloads)
                    .as("apply says so as a file reload does")
                    .singleElement()
                    .satisfies(e ->
                            assertThat(e.data()).containsEntry("source", "api").containsEntry("reloads", 1L));
            assertThatThrownBy(baton::start).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(baton::reload).isInstanceOf(IllegalStateException.class);
        }
    }

    /**
     * A start that fails on its last steps, the listeners, has started the event
     * loops, the store, the webhook sender, the supervisor and the run-time services
     * before: the lifecycle closes all of them again.
     */
    @ParameterizedTest
    @CsvSource({"listen, proxy", "admin, admin"})
    void aTakenPortIsOneClearErrorAndLeavesNothingBehind(String key, String listener) throws Exception {
        // A store in the data directory, so that the failing start opens it and takes its lock.
        Store.open(data).close();
        int port;
        Baton baton;
        Set<Thread> before;
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            port = taken.getLocalPort();
            String yaml = yaml(blue, "").replace(key + ": 127.0.0.1:0", key + ": 127.0.0.1:" + port);
            baton = Baton.builder()
                    .config(new ConfigLoader(Map.of()).parse(yaml, "inline.yaml"))
                    .build();
            before = Set.copyOf(Thread.getAllStackTraces().keySet());
            assertThatThrownBy(baton::start)
                    .isInstanceOf(BatonException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port + " (" + listener + "): address already in use");
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                                    .filter(t -> t.isAlive() && !before.contains(t))
                                    .filter(t -> !t.getName().startsWith("awaitility")) // the test's own
                                    .map(Thread::getName))
                            .isEmpty());
            // Nothing holds the store's lock: it opens here.
            Store.open(data).close();
        }
        // Nor the supervisor's: the same Baton starts in this JVM, on the port now free, and serves.
        try (baton) {
            baton.start();
            int proxy = key.equals("listen") ? port : baton.proxyPort();
            assertThat(get(proxy, "/x").body()).isEqualTo("blue");
            assertThat(get(baton.adminPort(), "/health").body()).contains("UP");
            if (key.equals("admin")) {
                assertThat(baton.adminPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void anInvalidFileFailsTheBuildWithEveryError() throws Exception {
        Path file = dir.resolve("baton.yaml");
        Files.writeString(file, "services:\n  app: { instances: [] }\nroutes:\n  - { service: app }\n");
        assertThatThrownBy(() -> Baton.builder().configFile(file).build())
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).hasSizeGreaterThanOrEqualTo(2));
    }

    /**
     * Clients hammer the gateway while the file flips between two upstreams, gains and
     * loses a route, and is briefly invalid. Not one request may fail.
     */
    @Test
    void hotReloadUnderLoadFailsNoRequest() throws Exception {
        Path file = dir.resolve("baton.yaml");
        Files.writeString(file, yaml(blue, ""));
        try (Baton baton = Baton.builder().configFile(file).build().start()) {
            List<Event> configEvents = new CopyOnWriteArrayList<>();
            baton.events().subscribe("test", configEvents::add);
            int port = baton.proxyPort();
            AtomicBoolean running = new AtomicBoolean(true);
            List<String> failures = new CopyOnWriteArrayList<>();
            Set<String> bodies = ConcurrentHashMap.newKeySet();
            AtomicInteger answered = new AtomicInteger();
            ExecutorService clients = Executors.newFixedThreadPool(4);
            List<CompletableFuture<Integer>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(CompletableFuture.supplyAsync(
                        () -> {
                            int n = 0;
                            while (running.get()) {
                                try {
                                    HttpResponse<String> r = get(port, "/load");
                                    if (r.statusCode() != 200) {
                                        failures.add(r.statusCode() + " " + r.body());
                                    }
                                    bodies.add(r.body());
                                } catch (Exception e) {
                                    failures.add(e.toString());
                                }
                                n++;
                                answered.incrementAndGet();
                            }
                            return n;
                        },
                        clients));
            }

            // A request in flight finishes on the snapshot it started with, wherever later configs route.
            CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return get(port, "/slow");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> blue.received().stream().anyMatch(r -> r.uri().equals("/slow")));

            long reloads = 0;
            for (int i = 0; i < 6; i++) {
                TestUpstream to = i % 2 == 0 ? green : blue;
                write(file, yaml(to, i % 3 == 0 ? "  - { path: /extra/**, service: app }" : ""));
                long expected = ++reloads;
                await().atMost(Duration.ofSeconds(10)).until(() -> baton.reloadCount() == expected);
                awaitRequests(answered, 20); // each config serves some of the load
            }

            write(file, "services: { app: { instances: [ nope ] } }\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> baton.rejectedReloadCount() == 1);
            awaitRequests(answered, 40); // and the last good one goes on serving
            running.set(false);
            int total = 0;
            for (CompletableFuture<Integer> f : done) {
                total += f.get(30, TimeUnit.SECONDS);
            }
            clients.shutdown();

            assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("blue-slow");
            assertThat(failures).as("of %d requests", total).isEmpty();
            assertThat(total).isGreaterThan(100);
            assertThat(bodies).containsExactlyInAnyOrder("blue", "green");
            assertThat(baton.reloadCount())
                    .as("the invalid file was not applied")
                    .isEqualTo(6);
            assertThat(get(port, "/after").body())
                    .as("last good config still serving")
                    .isEqualTo("blue");
        }
    }

    /** Waits until the load's clients have made {@code more} requests beyond those counted so far. */
    private static void awaitRequests(AtomicInteger answered, int more) {
        int target = answered.get() + more;
        await().atMost(Duration.ofSeconds(30)).until(() -> answered.get() >= target);
    }
}
