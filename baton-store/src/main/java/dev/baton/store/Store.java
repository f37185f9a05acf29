package dev.baton.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.jspecify.annotations.Nullable;

/**
 * Baton's durable state: an H2 file database in the data directory, or a PostgreSQL
 * database that several Batons may share, with one schema that the same Flyway
 * migrations bring up to date on open, and the same SQL on both. Every method blocks
 * on JDBC, so callers on an event loop hand the work to a worker thread. One Baton
 * owns a data directory at a time (a second one opening it gets a clear error, not
 * a corrupt file); a PostgreSQL store has no owner, so nothing here assumes that
 * this Baton is the only writer of its rows.
 */
public final class Store implements AutoCloseable {
    static final String FILE = "baton";

    /** How long a caller waits for a PostgreSQL connection, and a new one to open, before it is told why not. */
    private static final int CONNECT_SECONDS = 5;

    private static final String POSTGRES_DRIVER = "org.postgresql.Driver";

    private final Runnable release;
    /** Where to listen for other Batons' queue notices: empty for the embedded store, which no one else writes. */
    private final @Nullable Listening listening;

    private final java.util.List<Notices> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Documents registrations;
    private final Documents routes;
    private final DeadLetters deadLetters;
    private final SagaRecords sagas;
    private final QueueRecords queues;
    private final EventLog events;

    private record Listening(Postgres server, Properties props) {}

    private Store(DataSource dataSource, Runnable release, @Nullable Listening listening) {
        this.release = release;
        this.listening = listening;
        this.registrations = new Documents(dataSource, "registrations", "registration");
        this.routes = new Documents(dataSource, "routes", "route");
        this.deadLetters = new DeadLetters(dataSource);
        this.sagas = new SagaRecords(dataSource);
        this.queues = new QueueRecords(dataSource, listening != null);
        this.events = new EventLog(dataSource);
    }

    /** Whether {@code dataDir} holds an embedded store already (without opening or creating one). */
    public static boolean exists(Path dataDir) {
        return Files.exists(dataDir.resolve(FILE + ".mv.db"));
    }

    /** Opens (creating if needed) the embedded store under {@code dataDir} and brings its schema up to date. */
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
        String url = "jdbc:h2:file:" + dir.resolve(FILE) + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "baton", "");
        pool.setMaxConnections(4);
        try (Connection c = pool.getConnection()) {
            c.isValid(1);
            migrate(pool);
        } catch (SQLException | FlywayException e) {
            pool.dispose();
            closeQuietly(lock);
            throw new StoreException("cannot open the store in " + dir + ": " + StoreException.why(e), e);
        }
        return new Store(
                pool,
                () -> {
                    pool.dispose();
                    closeQuietly(lock);
                },
                null);
    }

    /**
     * Opens the store in a PostgreSQL database and brings its schema up to date.
     * Other Batons may have it open too: Flyway holds a lock in the database while it
     * migrates, so two that start at once do not both migrate. StoreException, with
     * the server's address and why, when it cannot be reached or migrated.
     */
    public static Store open(Postgres server) {
        Properties props = new Properties();
        props.setProperty("user", server.user());
        server.password().ifPresent(p -> props.setProperty("password", p));
        props.setProperty("connectTimeout", Integer.toString(CONNECT_SECONDS));
        props.setProperty("ApplicationName", "baton");
        // One connection of our own first, so that a server that cannot be reached (or
        // refuses the sign-in) is the driver's one-line reason, and no pool starts: the
        // pool would log that failure again, with its stack. The driver itself, not
        // DriverManager, which finds only the drivers that the thread's class loader sees
        // (not so in every application that embeds Baton).
        try (Connection probe = postgresDriver().connect(server.jdbcUrl(), props)) {
            if (probe == null) {
                throw new SQLException("the PostgreSQL driver does not take this URL");
            }
            probe.isValid(CONNECT_SECONDS);
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot connect to the store at " + server.shown() + ": " + StoreException.why(e), e);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("baton-store");
        config.setDriverClassName(POSTGRES_DRIVER);
        config.setJdbcUrl(server.jdbcUrl());
        config.setDataSourceProperties(props); // the sign-in and timeouts the probe had
        config.setMaximumPoolSize(server.maxConnections());
        // One kept open, the rest opened as work comes and closed when idle: the server's
        // connections are shared with every other Baton and program that uses it.
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECT_SECONDS * 1000L);
        config.setInitializationFailTimeout(-1); // the probe above was the check
        HikariDataSource pool = new HikariDataSource(config);
        try {
            migrate(pool);
        } catch (FlywayException e) {
            pool.close();
            throw new StoreException("cannot open the store at " + server.shown() + ": " + StoreException.why(e), e);
        }
        return new Store(pool, pool::close, new Listening(server, props));
    }

    /**
     * PostgreSQL's JDBC driver, found by name: its classes carry Checker Framework
     * annotations that javac would warn of at every compile if this class named them.
     */
    private static Driver postgresDriver() {
        try {
            return (Driver) Class.forName(POSTGRES_DRIVER, true, Store.class.getClassLoader())
                    .getDeclaredConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new StoreException("cannot load the PostgreSQL driver: " + StoreException.why(e), e);
        }
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

    /** The last lifecycle events, with {@code events.persist}. */
    public EventLog events() {
        return events;
    }

    /** Queued messages, their attempts and dedup ids, and the queues and topics declared at run time. */
    public QueueRecords queues() {
        return queues;
    }

    /**
     * Calls {@code onQueue} with a queue's name whenever another Baton on this store
     * publishes to it (PostgreSQL's LISTEN/NOTIFY, on a connection of its own); the
     * embedded store has no other writer, and this does nothing. Close the result to
     * stop.
     */
    public AutoCloseable listen(java.util.function.Consumer<String> onQueue) {
        Listening l = listening;
        if (l == null) {
            return () -> {};
        }
        Notices n = new Notices(postgresDriver(), l.server(), l.props(), onQueue);
        notices.add(n);
        return () -> {
            notices.remove(n);
            n.close();
        };
    }

    @Override
    public void close() {
        notices.forEach(Notices::close);
        notices.clear();
        release.run();
    }
}
