package dev.baton.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A table of what the admin API accepted, one row per id holding the JSON body as
 * it was given: run-time service registrations, run-time routes. Writes are whole
 * rows in one transaction, so a crash leaves either the old body or the new one,
 * never half of each.
 */
public final class Documents {
    /** One stored body: {@code createdAt} is when its id was first stored, kept across replacements. */
    public record Row(String id, String body, Instant createdAt, Instant updatedAt) {}

    private final DataSource dataSource;
    private final String table; // one of ours, never a caller's text
    private final String what; // "registration", "route": for messages

    Documents(DataSource dataSource, String table, String what) {
        this.dataSource = dataSource;
        this.table = table;
        this.what = what;
    }

    /** Every row, oldest first, which is the order they were made in. */
    public List<Row> all() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "SELECT id, body, created_at, updated_at FROM " + table + " ORDER BY created_at, id");
                ResultSet rs = st.executeQuery()) {
            List<Row> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Row(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4).toInstant()));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read " + what + "s: " + e.getMessage(), e);
        }
    }

    /** Stores {@code body} under {@code id}, replacing any before it. */
    public void put(String id, String body, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Timestamp created = Timestamp.from(now);
                try (PreparedStatement q =
                        c.prepareStatement("SELECT created_at FROM " + table + " WHERE id = ? FOR UPDATE")) {
                    q.setString(1, id);
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            created = rs.getTimestamp(1);
                        }
                    }
                }
                try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
                    d.setString(1, id);
                    d.executeUpdate();
                }
                try (PreparedStatement i = c.prepareStatement(
                        "INSERT INTO " + table + " (id, body, created_at, updated_at) VALUES (?, ?, ?, ?)")) {
                    i.setString(1, id);
                    i.setString(2, body);
                    i.setTimestamp(3, created);
                    i.setTimestamp(4, Timestamp.from(now));
                    i.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store " + what + " '" + id + "': " + e.getMessage(), e);
        }
    }

    /** Removes the row of {@code id}; false if there was none. */
    public boolean delete(String id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            d.setString(1, id);
            return d.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StoreException("cannot delete " + what + " '" + id + "': " + e.getMessage(), e);
        }
    }
}
