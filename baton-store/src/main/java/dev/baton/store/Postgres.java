package dev.baton.store;

import java.util.Optional;

/**
 * Where a PostgreSQL store is and how Baton signs in to it: {@code url} is {@code
 * postgresql://host[:port]/database}, optionally with driver parameters after a
 * {@code ?} (such as {@code sslmode=require} or {@code currentSchema=baton}), and
 * holds neither the user nor the password, which come apart so that the URL can be
 * shown in messages. {@code maxConnections} caps the connections this Baton holds;
 * several Batons may share one server and database, so it is a share of the
 * server's own limit, not all of it.
 */
public record Postgres(String url, String user, Optional<String> password, int maxConnections) {
    public Postgres {
        if (!url.startsWith("postgresql://")) {
            throw new IllegalArgumentException("not a postgresql:// URL: " + shown(url));
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, not " + maxConnections);
        }
    }

    /** The URL as the PostgreSQL JDBC driver takes it. */
    public String jdbcUrl() {
        return "jdbc:" + url;
    }

    /** The URL for messages: without its parameters, which are no business of a reader's. */
    public String shown() {
        return shown(url);
    }

    private static String shown(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** Never the password, whatever prints this. */
    @Override
    public String toString() {
        return "Postgres[" + shown() + ", user " + user + (password.isPresent() ? ", a password" : "") + ", at most "
                + maxConnections + " connections]";
    }
}
