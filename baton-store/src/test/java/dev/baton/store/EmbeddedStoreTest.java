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

/** What only the embedded store has: a file in the data directory, its lock, and stores older versions left. */
class EmbeddedStoreTest {
    @TempDir
    Path dir;

    @Test
    void theStoreIsAFileInTheDataDirectory() {
        assertThat(Store.exists(dir)).isFalse();
        try (Store store = Store.open(dir)) {
            store.registrations().put("orders", "{}", Instant.parse("2026-11-23T10:00:00Z"));
        }
        assertThat(Files.exists(dir.resolve(Store.FILE + ".mv.db"))).isTrue();
        assertThat(Store.exists(dir)).isTrue();
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
