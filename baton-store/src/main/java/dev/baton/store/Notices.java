package dev.baton.store;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's {@code LISTEN} for the queues: another Baton that publishes to a
 * queue on the shared store notifies channel {@link #CHANNEL} with the queue's
 * name, and this Baton's waiting receives wake at once instead of at their next
 * poll. One thread holds one connection of its own (outside the pool, which would
 * otherwise lose a connection to it for good) and waits on it; when the connection
 * breaks it opens another, a second later, and the poll covers the gap. The
 * driver's notification API is reached by reflection, as {@link Store} reaches the
 * driver itself.
 */
final class Notices implements AutoCloseable {
    static final String CHANNEL = "baton_queues";
    private static final Logger log = LoggerFactory.getLogger(Notices.class);
    private static final int WAIT_MILLIS = 500;

    private final Thread thread;
    private volatile boolean closed;
    private volatile @Nullable Connection connection;

    Notices(Driver driver, Postgres server, Properties props, Consumer<String> onQueue) {
        thread = new Thread(() -> run(driver, server, props, onQueue), "baton-store-notices");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(Driver driver, Postgres server, Properties props, Consumer<String> onQueue) {
        boolean warned = false;
        while (!closed) {
            try (Connection c = driver.connect(server.jdbcUrl(), props)) {
                if (c == null) {
                    throw new SQLException("the PostgreSQL driver does not take this URL");
                }
                connection = c;
                try (Statement st = c.createStatement()) {
                    st.execute("LISTEN " + CHANNEL);
                }
                if (warned) {
                    log.info("listening for queue notices on {} again", server.shown());
                    warned = false;
                }
                Object pg = c.unwrap(Class.forName("org.postgresql.PGConnection"));
                Method get = pg.getClass().getMethod("getNotifications", int.class);
                while (!closed) {
                    Object[] got = (Object[]) get.invoke(pg, WAIT_MILLIS);
                    if (got == null) {
                        continue;
                    }
                    for (Object n : got) {
                        Object queue = n.getClass().getMethod("getParameter").invoke(n);
                        if (queue instanceof String q && !q.isEmpty()) {
                            onQueue.accept(q);
                        }
                    }
                }
            } catch (Exception e) {
                if (closed) {
                    return;
                }
                if (!warned) {
                    log.warn(
                            "cannot listen for queue notices on {} ({}): other Batons' messages are seen at the"
                                    + " next poll; trying again",
                            server.shown(),
                            StoreException.why(e));
                    warned = true;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } finally {
                connection = null;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        Connection c = connection;
        if (c != null) {
            try {
                c.close(); // ends a wait in getNotifications
            } catch (SQLException ignored) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
