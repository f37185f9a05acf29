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
 * Sagas and their definitions as rows: a saga's state is one JSON body, written
 * whole in one statement, so a crash leaves the state before a change or after it.
 * A write names the revision it read and fails when another write came between
 * ({@link #update} returns false), so two writers cannot both advance one saga.
 */
public final class SagaRecords {
    /** A saga's row: the body is its state as JSON; {@code idempotencyKey} is empty when the start gave none. */
    public record Row(
            String id,
            String name,
            int version,
            String state,
            Optional<String> idempotencyKey,
            String body,
            long revision,
            Instant createdAt,
            Instant updatedAt) {}

    /** A stored definition: one version of a saga's steps, as JSON. */
    public record Definition(String name, int version, String body, Instant createdAt) {}

    private static final String COLUMNS =
            "id, name, version, state, idempotency_key, body, revision, created_at, updated_at";

    private final DataSource dataSource;

    SagaRecords(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores a new saga; when one of the same name already has its idempotency key,
     * stores nothing and returns that one instead. The returned row is the saga that
     * exists now.
     */
    public Row insert(Row row) {
        try (Connection c = dataSource.getConnection()) {
            if (row.idempotencyKey().isPresent()) {
                Optional<Row> existing =
                        byKey(c, row.name(), row.idempotencyKey().get());
                if (existing.isPresent()) {
                    return existing.get();
                }
            }
            try (PreparedStatement st =
                    c.prepareStatement("INSERT INTO sagas (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                st.setString(1, row.id());
                st.setString(2, row.name());
                st.setInt(3, row.version());
                st.setString(4, row.state());
                st.setString(5, row.idempotencyKey().orElse(null));
                st.setString(6, row.body());
                st.setLong(7, row.revision());
                st.setObject(8, Times.utc(row.createdAt()));
                st.setObject(9, Times.utc(row.updatedAt()));
                st.executeUpdate();
                return row;
            } catch (SQLException e) {
                // Two starts with one key at once: the other one's insert won.
                if (row.idempotencyKey().isPresent()) {
                    Optional<Row> winner =
                            byKey(c, row.name(), row.idempotencyKey().get());
                    if (winner.isPresent()) {
                        return winner.get();
                    }
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot store saga " + row.id() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the saga's state and body if its revision is still {@code expected}
     * (the new revision is {@code expected + 1}); false when another write came first.
     */
    public boolean update(String id, long expected, String state, String body, Instant now) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement("UPDATE sagas SET state = ?, body = ?, revision = ?,"
                        + " updated_at = ? WHERE id = ? AND revision = ?")) {
            st.setString(1, state);
            st.setString(2, body);
            st.setLong(3, expected + 1);
            st.setObject(4, Times.utc(now));
            st.setString(5, id);
            st.setLong(6, expected);
            return st.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new StoreException("cannot store saga " + id + ": " + e.getMessage(), e);
        }
    }

    public Optional<Row> get(String id) {
        return one("SELECT " + COLUMNS + " FROM sagas WHERE id = ?", id);
    }

    /**
     * Sagas newest first, at most {@code limit}; {@code name} and {@code state}
     * filter when present.
     */
    public List<Row> list(Optional<String> name, Optional<String> state, int limit) {
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM sagas WHERE 1 = 1");
        List<String> args = new ArrayList<>();
        name.ifPresent(n -> {
            sql.append(" AND name = ?");
            args.add(n);
        });
        state.ifPresent(s -> {
            sql.append(" AND state = ?");
            args.add(s);
        });
        sql.append(" ORDER BY created_at DESC, id DESC");
        return rows(sql.toString(), args, limit);
    }

    /** Every saga in one of {@code states}, oldest first: what a restart resumes. */
    public List<Row> inStates(List<String> states) {
        String marks = String.join(", ", states.stream().map(s -> "?").toList());
        return rows(
                "SELECT " + COLUMNS + " FROM sagas WHERE state IN (" + marks + ") ORDER BY created_at, id",
                states,
                Integer.MAX_VALUE);
    }

    /** Stores one version of a definition. */
    public void putDefinition(Definition d) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "INSERT INTO saga_definitions (name, version, body, created_at) VALUES (?, ?, ?, ?)")) {
            st.setString(1, d.name());
            st.setInt(2, d.version());
            st.setString(3, d.body());
            st.setObject(4, Times.utc(d.createdAt()));
            st.executeUpdate();
        } catch (SQLException e) {
            throw new StoreException(
                    "cannot store version " + d.version() + " of saga '" + d.name() + "': " + e.getMessage(), e);
        }
    }

    /** Every stored version of every definition, by name then version. */
    public List<Definition> definitions() {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "SELECT name, version, body, created_at FROM saga_definitions ORDER BY name, version");
                ResultSet rs = st.executeQuery()) {
            List<Definition> out = new ArrayList<>();
            while (rs.next()) {
                out.add(new Definition(rs.getString(1), rs.getInt(2), rs.getString(3), Times.instant(rs, 4)));
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("cannot read saga definitions: " + e.getMessage(), e);
        }
    }

    private Optional<Row> byKey(Connection c, String name, String key) throws SQLException {
        try (PreparedStatement st =
                c.prepareStatement("SELECT " + COLUMNS + " FROM sagas WHERE name = ? AND idempotency_key = ?")) {
            st.setString(1, name);
            st.setString(2, key);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private Optional<Row> one(String sql, String arg) {
        List<Row> found = rows(sql, List.of(arg), 1);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
    }

    private List<Row> rows(String sql, List<String> args, int limit) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < args.size(); i++) {
                st.setString(i + 1, args.get(i));
            }
            if (limit < Integer.MAX_VALUE) {
                st.setMaxRows(limit);
            }
            try (ResultSet rs = st.executeQuery()) {
                List<Row> out = new ArrayList<>();
                while (rs.next() && out.size() < limit) {
                    out.add(row(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new StoreException("cannot read sagas: " + e.getMessage(), e);
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(
                rs.getString(1),
                rs.getString(2),
                rs.getInt(3),
                rs.getString(4),
                Optional.ofNullable(rs.getString(5)),
                rs.getString(6),
                rs.getLong(7),
                Times.instant(rs, 8),
                Times.instant(rs, 9));
    }
}
