package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.store.Postgres;
import dev.baton.store.Store;
import dev.baton.store.StoreBackend;
import dev.baton.testing.Ports;
import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batons on one PostgreSQL store ({@code store:}), each with a data directory of its
 * own: what one registers at run time, the next one that starts on the store serves.
 */
class SharedStoreTest {
    static Vertx vertx;
    static TestUpstream upstream;

    @TempDir
    Path dir;

    StoreBackend.Fresh fresh;

    @BeforeAll
    static void upstream() {
        vertx = Vertx.vertx();
        upstream = TestUpstream.start(vertx, req -> req.response().end("search"));
    }

    @AfterAll
    static void close() throws Exception {
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void fresh() {
        fresh = StoreBackend.POSTGRESQL.fresh(dir);
    }

    @AfterEach
    void drop() {
        fresh.close();
    }

    /** A Baton whose data directory is {@code dir/name}, on the test's PostgreSQL store. */
    Baton baton(String name) {
        Postgres server = fresh.server().orElseThrow();
        return Baton.builder().config(config(server.url(), name)).watch(false).build();
    }

    Config config(String storeUrl, String name) {
        return new ConfigLoader(Map.of())
                .parse("""
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: "%s" }
                store: { url: "%s", user: %s }
                """.formatted(dir.resolve(name), storeUrl, StoreBackend.USER), "baton.yaml");
    }

    @Test
    void aRegistrationAndARouteOnOneBatonAreServedByTheNextOnTheSameStore() throws Exception {
        try (Baton first = baton("first").start()) {
            HttpResponse<String> r =
                    Calls.send(first.adminPort(), "POST", "/services/register", """
                    {"id": "search", "instances": ["%s"]}
                    """.formatted(upstream.url()));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            assertThat(Calls.get(first.proxyPort(), "/orchestrator/search/").body())
                    .isEqualTo("search");
            HttpResponse<String> route = Calls.send(first.adminPort(), "POST", "/routes", """
                    {"id": "find", "path": "/find/**", "service": "search"}
                    """);
            assertThat(route.statusCode()).as(route.body()).isEqualTo(201);
        }
        // The first Baton's data directory holds no store of its own: its state went to PostgreSQL.
        assertThat(Store.exists(dir.resolve("first"))).isFalse();

        try (Baton second = baton("second").start()) {
            HttpResponse<String> s = Calls.get(second.adminPort(), "/services/search");
            assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
            assertThat(new JsonObject(s.body()).getString("source")).isEqualTo("registration");
            assertThat(Calls.get(second.proxyPort(), "/orchestrator/search/").body())
                    .isEqualTo("search");
            assertThat(Calls.get(second.proxyPort(), "/find/x").body()).isEqualTo("search");
            JsonObject config =
                    new JsonObject(Calls.get(second.adminPort(), "/config").body());
            assertThat(config.getJsonObject("store").getString("user")).isEqualTo(StoreBackend.USER);
        }
        // Closed with its Baton: the pool's threads too.
        assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(Thread::isAlive)
                .extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("baton-store"));
    }

    @Test
    void aStoreThatCannotBeReachedFailsTheStartInOneLineAndLeavesNothingBehind() {
        int closed = Ports.free();
        String url = "postgresql://127.0.0.1:" + closed + "/test";
        Baton baton = Baton.builder().config(config(url, "down")).watch(false).build();
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        try {
            assertThatThrownBy(baton::start)
                    .isInstanceOf(BatonException.class)
                    .hasMessage("cannot connect to the store at " + url + ": Connection refused");
        } finally {
            baton.close();
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .filteredOn(t -> !before.contains(t) && t.isAlive())
                .extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("baton-store"));
    }
}
