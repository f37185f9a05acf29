package dev.baton.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Webhook deliveries that failed every attempt: the event's JSON as it was sent, the
 * webhook's URL, how often it was tried and why the last try failed. Kept until
 * replayed successfully or removed, and capped at {@link #MAX} rows (oldest go first)
 * so that an endpoint that is down for days cannot fill the disk.
 */
public final class DeadLetters {
    /** The most dead letters kept. */
    public static final int MAX = 100_000;

    /** One dead letter. */
    public record Row(
            long id,
            String webhook,
            long eventId,
            String eventType,
            String body,
            int attempts,
            String lastError,
            Instant failedAt) {}

    private static final String SELECT =
            "SELECT id, webhook, event_id, event_type, body, attempts, last_error, failed_at FROM dead_letters";

    private final DataSource dataSource;

    DeadLetters(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Keeps a failed delivery; returns its id. */
    public long add(
            String webhook, long eventId, String eventType, String body, int attempts, String error, Instant at) {
        try (Connection c = dataSource.getConnection()) {
            long id;
            try (PreparedStatement i = c.prepareStatement(
                    "INSERT INTO dead_letters (webhook, event_id, event_type, body, attempts, last_error, failed_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    new String[] {"id"})) {
                i.setString(1, webhook);
                i.setLong(2, eventId);
                i.setString(3, eventType);
                i.setString(4, body);
                i.setInt(5, attempts);
                i.setString(6, error.length() > 1024 ? error.substring(0, 1024) : error);
                i.setObject(7, Times.utc(at));
                i.executeUpdate();
                try (ResultSet keys = i.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong(1);
                }
            }
            try (PreparedStatement d =
                    c.prepareStatement("DELETE FROM dead_letters WHERE id <= (SELECT MAX(id) FROM dead_letters) - ?")) {
                d.setLong(1, MAX);
                d.executeUpdate();
            }
            return id;
        } catch (SQLException e) {
            throw new StoreException("cannot keep a dead letter: " + StoreException.why(e), e);
        }
    }

    /** The newest {@code limit} dead letters, newest first. */
    public List<Row> recent(int limit) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(SELECT + " ORDER BY id DESC LIMIT ?")) {
            st.setInt(1, limit);
            try (ResultSet rs = st.executeQuery()) {
                List<Row> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read dead letters: " + StoreException.why(e), e);
        }
    }

    public Optional<Row> get(long id) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(SELECT + " WHERE id = ?")) {
            st.setLong(1, id);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read dead letter " + id + ": " + StoreException.why(e), e);
        }
    }

    /** Records another failed try of a dead letter. */
    public void failedAgain(long id, String error, Instant at) {
        update("UPDATE dead_letters SET attempts = attempts + 1, last_error = ?, failed_at = ? WHERE id = ?", st -> {
            st.setString(1, error.length() > 1024 ? error.substring(0, 1024) : error);
            st.setObject(2, Times.utc(at));
            st.setLong(3, id);
        });
    }

    /** Removes a dead letter (delivered at last); false if there was none. */
    public boolean delete(long id) {
        return update("DELETE FROM dead_letters WHERE id = ?", st -> st.setLong(1, id)) > 0;
    }

    private interface Binder {
        void bind(PreparedStatement st) throws SQLException;
    }

    private int update(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(sql)) {
            binder.bind(st);
            return st.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException("cannot update dead letters: " + StoreException.why(e), e);
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(
                rs.getLong(1),
                rs.getString(2),
                rs.getLong(3),
                rs.getString(4),
                rs.getString(5),
                rs.getInt(6),
                rs.getString(7),
                Times.instant(rs, 8));
    }
}
