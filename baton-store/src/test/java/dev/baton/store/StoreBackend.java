package dev.baton.store;

import dev.baton.testing.RequiredServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The store's backends, for tests that must hold on both: the embedded H2 and
 * PostgreSQL. Each {@link #fresh} is a store of its own that no other test sees: H2
 * in the test's directory, PostgreSQL in a new schema of the database {@code test}
 * on 127.0.0.1:5432, dropped again on close (so runs can repeat, and the
 * developers' runs on one server keep apart). A whole class runs once per backend
 * with JUnit's {@code @ParameterizedClass}:
 *
 * <pre>{@code
 * @ParameterizedClass
 * @EnumSource(StoreBackend.class)
 * class SagaLogTest {
 *     @Parameter StoreBackend backend;
 *     @TempDir Path dir;
 *
 *     @Test
 *     void keepsASaga() {
 *         try (StoreBackend.Fresh fresh = backend.fresh(dir); Store store = fresh.open()) { ... }
 *     }
 * }
 * }</pre>
 *
 * Other modules have it through {@code baton-store}'s test-jar. With PostgreSQL down,
 * {@link #fresh} fails at once with one line that says how to start it.
 */
public enum StoreBackend {
    /** The embedded H2 file database, in the test's directory. */
    H2 {
        @Override
        public Fresh fresh(Path dir) {
            return new Fresh(dir, Optional.empty(), () -> {});
        }
    },
    /** The PostgreSQL on 127.0.0.1:5432 (database {@code test}, trust auth), in a schema of the test's own. */
    POSTGRESQL {
        @Override
        public Fresh fresh(Path dir) {
            RequiredServer.POSTGRESQL.require();
            byte[] random = new byte[6];
            ThreadLocalRandom.current().nextBytes(random);
            String schema = "baton_test_" + HexFormat.of().formatHex(random);
            admin("CREATE SCHEMA " + schema);
            Postgres server = new Postgres(URL + "?currentSchema=" + schema, USER, Optional.empty(), 4);
            return new Fresh(dir, Optional.of(server), () -> admin("DROP SCHEMA " + schema + " CASCADE"));
        }
    };

    /** The test server's database, as a store's {@code url}. */
    public static final String URL = "postgresql://" + RequiredServer.POSTGRESQL.address() + "/test";

    /** The role the tests sign in as: the superuser every PostgreSQL installation has. */
    public static final String USER = "postgres";

    /** A store of this backend's that only this test uses; {@code dir} is the test's own directory. */
    public abstract Fresh fresh(Path dir);

    /** Runs one statement of the tests' own (never a caller's text) on the test server's database. */
    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:" + URL, USER, "");
                Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " on " + URL + ": " + e.getMessage(), e);
        }
    }

    /**
     * One test's store: {@link #open} opens it (again after a close, to test what
     * survives), {@link #close} removes what the test left on a server.
     */
    public static final class Fresh implements AutoCloseable {
        private final Path dir;
        private final Optional<Postgres> server;
        private final Runnable drop;

        private Fresh(Path dir, Optional<Postgres> server, Runnable drop) {
            this.dir = dir;
            this.server = server;
            this.drop = drop;
        }

        /** Opens the store: each call another {@link Store} on the same rows. */
        public Store open() {
            return server.map(Store::open).orElseGet(() -> Store.open(dir));
        }

        /** The PostgreSQL store's address and sign-in, for a test that configures a Baton with it; empty for H2. */
        public Optional<Postgres> server() {
            return server;
        }

        /** The data directory: the embedded store's home, and where a Baton on a server store keeps its other files. */
        public Path dir() {
            return dir;
        }

        @Override
        public void close() {
            drop.run();
        }
    }
}
