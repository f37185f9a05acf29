package dev.baton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path dir;

    @Test
    void registrationsSurviveReopening() {
        Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
        try (Store store = Store.open(dir)) {
            store.registrations().put("orders", "{\"id\":\"orders\"}", t0);
            store.registrations().put("billing", "{\"id\":\"billing\"}", t0.plusSeconds(1));
            store.registrations().put("orders", "{\"id\":\"orders\",\"v\":2}", t0.plusSeconds(2));
            assertThat(store.registrations().delete("nope")).isFalse();
        }
        assertThat(Files.exists(dir.resolve(Store.FILE + ".mv.db"))).isTrue();
        try (Store store = Store.open(dir)) {
            assertThat(store.registrations().all())
                    .containsExactly(
                            new Documents.Row("orders", "{\"id\":\"orders\",\"v\":2}", t0, t0.plusSeconds(2)),
                            new Documents.Row("billing", "{\"id\":\"billing\"}", t0.plusSeconds(1), t0.plusSeconds(1)));
            assertThat(store.registrations().delete("orders")).isTrue();
        }
        try (Store store = Store.open(dir)) {
            assertThat(store.registrations().all())
                    .extracting(Documents.Row::id)
                    .containsExactly("billing");
        }
    }

    @Test
    void routesAreKeptApartFromRegistrations() {
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        try (Store store = Store.open(dir)) {
            store.routes().put("echo", "{\"id\":\"echo\"}", t0);
            store.registrations().put("echo", "{\"id\":\"echo\",\"instances\":[]}", t0);
            assertThat(store.routes().delete("echo")).isTrue();
            assertThat(store.routes().delete("echo")).isFalse();
            store.routes().put("echo", "{\"id\":\"echo\",\"v\":2}", t0.plusSeconds(1));
        }
        try (Store store = Store.open(dir)) {
            assertThat(store.routes().all())
                    .containsExactly(new Documents.Row(
                            "echo", "{\"id\":\"echo\",\"v\":2}", t0.plusSeconds(1), t0.plusSeconds(1)));
            assertThat(store.registrations().all())
                    .extracting(Documents.Row::id)
                    .containsExactly("echo");
        }
    }

    @Test
    void aStoreOfAnEarlierVersionKeepsItsRegistrations() throws Exception {
        // The schema as the release before run-time routes left it.
        String url = "jdbc:h2:file:" + dir.resolve(Store.FILE) + ";DB_CLOSE_ON_EXIT=FALSE";
        JdbcConnectionPool old = JdbcConnectionPool.create(url, "baton", "");
        Flyway.configure()
                .dataSource(old)
                .locations("classpath:db/migration")
                .target("2")
                .load()
                .migrate();
        try (Connection c = old.getConnection();
                Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO registrations (id, body, registered_at, updated_at) VALUES"
                    + " ('orders', '{}', TIMESTAMP WITH TIME ZONE '2026-11-01 10:00:00+00',"
                    + " TIMESTAMP WITH TIME ZONE '2026-11-02 10:00:00+00')");
        }
        old.dispose();

        try (Store store = Store.open(dir)) {
            assertThat(store.registrations().all())
                    .containsExactly(new Documents.Row(
                            "orders",
                            "{}",
                            Instant.parse("2026-11-01T10:00:00Z"),
                            Instant.parse("2026-11-02T10:00:00Z")));
            assertThat(store.routes().all()).isEmpty();
        }
    }

    @Test
    void aSecondOwnerOfTheDataDirectoryIsToldWhy() {
        try (Store first = Store.open(dir)) {
            assertThatThrownBy(() -> Store.open(dir))
                    .isInstanceOf(StoreException.class)
                    .hasMessage("cannot open the store in " + dir.toAbsolutePath()
                            + ": another Baton is using this data directory");
        }
        try (Store again = Store.open(dir)) {
            assertThat(again.registrations().all()).isEmpty();
        }
    }

    @Test
    void anUnwritableDataDirectoryIsToldWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> Store.open(file.resolve("data")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot create data directory");
    }
}
