package dev.baton.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jspecify.annotations.Nullable;

/**
 * Baton's durable state: an H2 file database in the data
 * directory whose schema Flyway migrates on open. Every method blocks on JDBC, so
 * callers on an event loop hand the work to a worker thread. One Baton owns a data
 * directory at a time; a second one opening it gets a clear error, not a corrupt file.
 */
public final class Store implements AutoCloseable {
    static final String FILE = "baton";

    private final FileChannel lockFile;
    private final JdbcConnectionPool pool;
    private final Documents registrations;
    private final Documents routes;
    private final DeadLetters deadLetters;
    private final SagaRecords sagas;

    private Store(FileChannel lockFile, JdbcConnectionPool pool) {
        this.lockFile = lockFile;
        this.pool = pool;
        this.registrations = new Documents(pool, "registrations", "registration");
        this.routes = new Documents(pool, "routes", "route");
        this.deadLetters = new DeadLetters(pool);
        this.sagas = new SagaRecords(pool);
    }

    /** Whether {@code dataDir} holds a store already (without opening or creating one). */
    public static boolean exists(Path dataDir) {
        return Files.exists(dataDir.resolve(FILE + ".mv.db"));
    }

    /** Opens (creating if needed) the store under {@code dataDir} and brings its schema up to date. */
    public static Store open(Path dataDir) {
        Path dir = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        FileChannel lock = lock(dir);
        // H2 shares one open database between connections of a JVM; our own lock above is
        // what keeps a second Baton, in this process or another, out of the directory.
        String url = "jdbc:h2:file:" + dir.resolve(FILE) + ";DB_CLOSE_ON_EXIT=FALSE";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "baton", "");
        pool.setMaxConnections(4);
        try (Connection c = pool.getConnection()) {
            c.isValid(1);
            migrate(pool);
        } catch (SQLException | FlywayException e) {
            pool.dispose();
            closeQuietly(lock);
            String message = e.getMessage();
            String why =
                    message == null ? e.toString() : message.lines().findFirst().orElse(e.toString());
            throw new StoreException("cannot open the store in " + dir + ": " + why, e);
        }
        return new Store(lock, pool);
    }

    private static FileChannel lock(Path dir) {
        FileChannel channel = null;
        try {
            channel =
                    FileChannel.open(dir.resolve(FILE + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() == null) {
                throw new OverlappingFileLockException();
            }
            return channel;
        } catch (OverlappingFileLockException e) {
            closeQuietly(channel);
            throw new StoreException(
                    "cannot open the store in " + dir + ": another Baton is using this data directory", e);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock the store in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(@Nullable FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    /** Run-time service registrations. */
    public Documents registrations() {
        return registrations;
    }

    /** Routes added through the admin API. */
    public Documents routes() {
        return routes;
    }

    /** Webhook deliveries that failed every attempt. */
    public DeadLetters deadLetters() {
        return deadLetters;
    }

    /** Sagas, each with its whole state, and the definitions registered at run time. */
    public SagaRecords sagas() {
        return sagas;
    }

    @Override
    public void close() {
        pool.dispose();
        closeQuietly(lockFile);
    }
}
