package dev.baton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.Ports;
import dev.baton.testing.RequiredServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a PostgreSQL store has: a server that may not answer, and other Batons
 * on the same rows (cluster mode), which this store must never assume away.
 */
class PostgresStoreTest {
    @TempDir
    Path dir;

    StoreBackend.Fresh fresh;
    ExecutorService pool = Executors.newFixedThreadPool(2);

    @BeforeEach
    void fresh() {
        fresh = StoreBackend.POSTGRESQL.fresh(dir);
    }

    @AfterEach
    void drop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        fresh.close();
    }

    @Test
    void aServerThatDoesNotAnswerIsOneLine() {
        int closed = Ports.free();
        Postgres nowhere =
                new Postgres("postgresql://127.0.0.1:" + closed + "/test", "baton", Optional.of("s3cret"), 2);
        assertThatThrownBy(() -> Store.open(nowhere))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot connect to the store at postgresql://127.0.0.1:" + closed
                        + "/test: Connection refused");
        assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("baton-store"));
        assertThat(nowhere.toString()).doesNotContain("s3cret");
    }

    @Test
    void aDatabaseThatIsNotThereIsNamed() {
        RequiredServer.POSTGRESQL.require();
        Postgres missing = new Postgres(
                "postgresql://" + RequiredServer.POSTGRESQL.address() + "/baton_no_such_db?connectTimeout=3",
                StoreBackend.USER,
                Optional.empty(),
                2);
        assertThatThrownBy(() -> Store.open(missing))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot connect to the store at postgresql://" + RequiredServer.POSTGRESQL.address()
                        + "/baton_no_such_db: FATAL: database \"baton_no_such_db\" does not exist");
    }

    @Test
    void aServerThatGoesAwaySaysSoInOneLineAndIsUsedAgainOnceBack() throws Exception {
        Postgres direct = fresh.server().orElseThrow();
        try (TcpRelay relay = TcpRelay.to("127.0.0.1", 5432)) {
            Postgres relayed = new Postgres(
                    direct.url().replace(RequiredServer.POSTGRESQL.address(), "127.0.0.1:" + relay.port()),
                    direct.user(),
                    direct.password(),
                    2);
            Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
            try (Store store = Store.open(relayed)) {
                store.routes().put("before", "{}", t0);
                relay.cut();
                // Refused, or the connection in hand broken, as the pool finds it: either way one line, in seconds.
                assertThatThrownBy(() -> store.routes().put("during", "{}", t0))
                        .isInstanceOf(StoreException.class)
                        .message()
                        .startsWith("cannot store route 'during': ")
                        .doesNotContain("\n");
                relay.resume();
                // The pool drops each broken connection as it meets it and opens new ones.
                await().atMost(Duration.ofSeconds(30))
                        .ignoreException(StoreException.class)
                        .untilAsserted(() -> store.routes().put("after", "{}", t0.plusSeconds(1)));
                assertThat(store.routes().all()).extracting(Documents.Row::id).containsExactly("before", "after");
            }
        }
    }

    @Test
    void aRoleTheServerDoesNotKnowIsNamed() {
        Postgres stranger = new Postgres(StoreBackend.URL, "baton_no_such_role", Optional.empty(), 2);
        assertThatThrownBy(() -> Store.open(stranger))
                .isInstanceOf(StoreException.class)
                .hasMessage("cannot connect to the store at " + StoreBackend.URL
                        + ": FATAL: role \"baton_no_such_role\" does not exist");
    }

    @Test
    void batonsThatStartTogetherMigrateTheSchemaOnce() throws Exception {
        CyclicBarrier together = new CyclicBarrier(2);
        List<Future<Store>> opening = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            opening.add(pool.submit(() -> {
                together.await();
                return fresh.open();
            }));
        }
        try (Store a = opening.get(0).get(30, TimeUnit.SECONDS);
                Store b = opening.get(1).get(30, TimeUnit.SECONDS)) {
            a.registrations().put("orders", "{}", Instant.parse("2026-12-05T10:00:00Z"));
            assertThat(b.registrations().all()).extracting(Documents.Row::id).containsExactly("orders");
        }
    }

    @Test
    void batonsWritingTheSameIdsAtOnceEachSucceed() throws Exception {
        Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
        int ids = 100;
        try (Store a = fresh.open();
                Store b = fresh.open()) {
            CyclicBarrier together = new CyclicBarrier(2);
            List<Future<?>> writers = new ArrayList<>();
            for (Store store : List.of(a, b)) {
                String who = store == a ? "a" : "b";
                writers.add(pool.submit(() -> {
                    together.await();
                    // Both insert the same new ids in the same order, so they meet on most of them.
                    for (int i = 0; i < ids; i++) {
                        store.routes().put("r" + i, "{\"by\":\"" + who + "\"}", t0.plusSeconds(i));
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) {
                w.get(60, TimeUnit.SECONDS); // a unique violation that got out would fail it here
            }
            List<Documents.Row> rows = a.routes().all();
            assertThat(rows).hasSize(ids);
            assertThat(rows).allSatisfy(r -> assertThat(r.body()).isIn("{\"by\":\"a\"}", "{\"by\":\"b\"}"));
            assertThat(b.routes().all()).isEqualTo(rows);
        }
    }
}
