package dev.baton.config;

import java.util.Optional;

/**
 * The {@code store:} section: a PostgreSQL database for Baton's durable state
 * (run-time registrations and routes, webhook dead letters) in place of the
 * embedded H2 in {@code server.data-dir}. Several Batons may name one database and
 * share what is in it. Without the section, {@link Config#store()} is empty and the
 * embedded store is used.
 *
 * @param url {@code postgresql://host[:port]/database}, optionally with driver
 *     parameters after a {@code ?}; a {@code jdbc:} prefix in the file is dropped, and
 *     neither the user nor a password is ever in it
 * @param user the role Baton signs in as
 * @param password empty for a server that trusts the connection without one
 * @param maxConnections the most connections this Baton opens to the server at once
 */
public record StoreConfig(String url, String user, Optional<String> password, int maxConnections) {
    /** Enough for the admin API's writes and the webhooks' dead letters, and little of a shared server's limit. */
    public static final int DEFAULT_MAX_CONNECTIONS = 8;

    /** The URL as messages show it: without its parameters. */
    public String shown() {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /** Never the password, whatever prints this. */
    @Override
    public String toString() {
        return "StoreConfig[" + shown() + ", user " + user + (password.isPresent() ? ", a password" : "") + ", at most "
                + maxConnections + " connections]";
    }
}
