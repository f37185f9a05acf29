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
 * The last lifecycle events, kept with {@code events.persist}: each as the JSON the
 * event stream sends, by its id, so that a client that comes back with {@code
 * Last-Event-ID} after a restart gets what it missed. Bounded: {@link #append}
 * keeps the newest {@code keep}.
 */
public final class EventLog {
    /** One event: its id and its JSON. */
    public record Entry(long id, String body, Instant at) {}

    private final DataSource dataSource;

    EventLog(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Stores {@code entries} (an id already kept is left as it is) and keeps the newest {@code keep}. */
    public void append(List<Entry> entries, int keep) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                // Several Batons may share the store: an id one of them wrote already stays as it is.
                try (PreparedStatement st = c.prepareStatement("INSERT INTO event_log (id, body, at)"
                        + " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM event_log WHERE id = ?)")) {
                    for (Entry e : entries) {
                        st.setLong(1, e.id());
                        st.setString(2, e.body());
                        st.setObject(3, Times.utc(e.at()));
                        st.setLong(4, e.id());
                        st.addBatch();
                    }
                    st.executeBatch();
                }
                try (PreparedStatement st = c.prepareStatement("DELETE FROM event_log WHERE id < (SELECT MIN(id)"
                        + " FROM (SELECT id FROM event_log ORDER BY id DESC LIMIT ?) newest)")) {
                    st.setInt(1, keep);
                    st.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot keep events: " + StoreException.why(e), e);
        }
    }

    /**
     * What a client that last saw {@code afterId} missed: the kept events after it,
     * oldest first, at most {@code limit}; {@code complete} when the log still reaches
     * back to that id (it keeps an event at or before it), so nothing was lost between.
     */
    public record Since(boolean complete, List<Entry> entries) {
        public Since {
            entries = List.copyOf(entries);
        }
    }

    /** See {@link Since}. */
    public Since since(long afterId, int limit) {
        List<Entry> entries = after(afterId, limit);
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("SELECT 1 FROM event_log WHERE id <= ? LIMIT 1")) {
            st.setLong(1, afterId);
            try (ResultSet rs = st.executeQuery()) {
                return new Since(rs.next(), entries);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read events: " + StoreException.why(e), e);
        }
    }

    /** The kept events after {@code afterId}, oldest first, at most {@code limit}. */
    public List<Entry> after(long afterId, int limit) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st =
                        c.prepareStatement("SELECT id, body, at FROM event_log WHERE id > ? ORDER BY id LIMIT ?")) {
            st.setLong(1, afterId);
            st.setInt(2, limit);
            try (ResultSet rs = st.executeQuery()) {
                List<Entry> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getString(2), Times.instant(rs, 3)));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read events: " + StoreException.why(e), e);
        }
    }
}
