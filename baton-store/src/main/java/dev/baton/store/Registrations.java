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
 * The table of run-time registrations: one row per service id holding the JSON
 * body that was accepted. Writes are whole rows in one transaction, so a crash
 * leaves either the old registration or the new one, never half of each.
 */
public final class Registrations {
    /** One stored registration. */
    public record Row(String id, String body, Instant registeredAt, Instant updatedAt) {}

    private final DataSource dataSource;

    Registrations(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Every registration, oldest first, which is the order they were made in. */
    public List<Row> all() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "SELECT id, body, registered_at, updated_at FROM registrations ORDER BY registered_at, id");
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
            throw new StoreException("cannot read registrations: " + e.getMessage(), e);
        }
    }

    /** Stores {@code body} as the registration of {@code id}, replacing any before it. */
    public void put(String id, String body, Instant now) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Timestamp registered = Timestamp.from(now);
                try (PreparedStatement q =
                        c.prepareStatement("SELECT registered_at FROM registrations WHERE id = ? FOR UPDATE")) {
                    q.setString(1, id);
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            registered = rs.getTimestamp(1);
                        }
                    }
                }
                try (PreparedStatement d = c.prepareStatement("DELETE FROM registrations WHERE id = ?")) {
                    d.setString(1, id);
                    d.executeUpdate();
                }
                try (PreparedStatement i = c.prepareStatement(
                        "INSERT INTO registrations (id, body, registered_at, updated_at) VALUES (?, ?, ?, ?)")) {
                    i.setString(1, id);
                    i.setString(2, body);
                    i.setTimestamp(3, registered);
                    i.setTimestamp(4, Timestamp.from(now));
                    i.executeUpdate();
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store registration '" + id + "': " + e.getMessage(), e);
        }
    }

    /** Removes the registration of {@code id}; false if there was none. */
    public boolean delete(String id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement d = c.prepareStatement("DELETE FROM registrations WHERE id = ?")) {
            d.setString(1, id);
            return d.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new StoreException("cannot delete registration '" + id + "': " + e.getMessage(), e);
        }
    }
}
