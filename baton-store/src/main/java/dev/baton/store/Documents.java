package dev.baton.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A table of what the admin API accepted, one row per id holding the JSON body as
 * it was given: run-time service registrations, run-time routes. Each write is one
 * statement on one row, so a crash leaves either the old body or the new one, never
 * half of each, and two Batons writing one id at once leave one of theirs.
 */
public final class Documents {
    /** One stored body: {@code createdAt} is when its id was first stored, kept across replacements. */
    public record Row(String id, String body, Instant createdAt, Instant updatedAt) {}

    /** The SQLSTATE of a duplicate key, in H2 as in PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

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
                out.add(new Row(rs.getString(1), rs.getString(2), Times.instant(rs, 3), Times.instant(rs, 4)));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read " + what + "s: " + StoreException.why(e), e);
        }
    }

    /** Stores {@code body} under {@code id}, replacing any before it. */
    public void put(String id, String body, Instant now) {
        // H2 and PostgreSQL write an upsert differently (MERGE, ON CONFLICT), and another
        // Baton may write the same PostgreSQL row at once. So: update the row; when there
        // is none, insert it; when another writer inserted it in between (the insert's
        // unique violation), update it again. Each statement is atomic on its own.
        try (Connection c = dataSource.getConnection()) {
            for (int tries = 1; ; tries++) {
                if (update(c, id, body, now) > 0) {
                    return;
                }
                try {
                    insert(c, id, body, now);
                    return;
                } catch (SQLException e) {
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState()) || tries == 3) {
                        throw e;
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store " + what + " '" + id + "': " + StoreException.why(e), e);
        }
    }

    /** Replaces the body of an existing row, keeping when it was first stored; the rows changed. */
    private int update(Connection c, String id, String body, Instant now) throws SQLException {
        try (PreparedStatement u =
                c.prepareStatement("UPDATE " + table + " SET body = ?, updated_at = ? WHERE id = ?")) {
            u.setString(1, body);
            u.setObject(2, Times.utc(now));
            u.setString(3, id);
            return u.executeUpdate();
        }
    }

    private void insert(Connection c, String id, String body, Instant now) throws SQLException {
        try (PreparedStatement i = c.prepareStatement(
                "INSERT INTO " + table + " (id, body, created_at, updated_at) VALUES (?, ?, ?, ?)")) {
            i.setString(1, id);
            i.setString(2, body);
            i.setObject(3, Times.utc(now));
            i.setObject(4, Times.utc(now));
            i.executeUpdate();
        }
    }

    /** Removes the row of {@code id}; false if there was none. */
    public boolean delete(String id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            d.setString(1, id);
            return d.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StoreException("cannot delete " + what + " '" + id + "': " + StoreException.why(e), e);
        }
    }
}
