package dev.baton.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Queued messages as rows, and the queues and topics declared at run time. Several
 * Batons may share these tables: a receive claims rows with {@code FOR UPDATE SKIP
 * LOCKED}, so two consumers never lease one message and neither waits for the
 * other, and every change of a message is one transaction. A message with a key is
 * only leased while it is the oldest of its key not yet acknowledged or dead, so a
 * key's messages go one at a time, in order. Times come from the caller's clock.
 */
public final class QueueRecords implements QueueBackend {
    /** A message's state, as kept in the {@code state} column. */
    public enum State {
        READY,
        LEASED,
        DEAD;

        static State of(int code) {
            return values()[code];
        }
    }

    /** A message to store; {@code dedupUntil} is when its dedup id may be used again. */
    public record NewMessage(
            String queue,
            String id,
            int priority,
            Optional<String> key,
            Instant dueAt,
            String headers,
            byte[] body,
            boolean json,
            Optional<String> dedupId,
            Instant dedupUntil) {}

    /** A failed attempt of a message. */
    public record Attempt(int attempt, Instant at, String error) {}

    /**
     * A stored message. {@code receipt} is its lease's token (kept after the lease
     * ends, until the next one); {@code dueAt} means what its state says: deliverable
     * from, leased until, or dead since.
     */
    public record Message(
            long seq,
            String id,
            String queue,
            State state,
            int priority,
            Optional<String> key,
            Instant dueAt,
            int attempt,
            Optional<String> receipt,
            String headers,
            byte[] body,
            boolean json,
            Instant createdAt,
            List<Attempt> attempts) {
        public Message {
            attempts = List.copyOf(attempts);
        }
    }

    /** A lease's receipt as the consumer hands it back: the message's id and the lease's token. */
    public record Receipt(String id, String token) {}

    /**
     * How a change by receipts went: done ({@code dead} lists the messages that it
     * made dead letters), or refused as a whole because these receipts' messages were
     * leased again since (their lease ran out).
     */
    public record Settled(int changed, List<Receipt> stale, List<String> dead) {
        public Settled {
            stale = List.copyOf(stale);
            dead = List.copyOf(dead);
        }

        public boolean ok() {
            return stale.isEmpty();
        }
    }

    /** What becomes of a message that failed its attempt: due again at {@code at}, or dead when empty. */
    @FunctionalInterface
    public interface Retry {
        Optional<Instant> after(int attempt);
    }

    /** How many messages a queue holds in a state, and since when the oldest of them has been due. */
    public record Depth(String queue, State state, long count, Optional<Instant> oldestDue) {}

    /** A queue or topic declared at run time, as JSON. */
    public record Declaration(String kind, String name, String body, Instant updatedAt) {}

    private static final String COLUMNS =
            "seq, id, queue, state, priority, msg_key, due_at, attempt, receipt, headers, body, json, created_at";

    private final DataSource dataSource;
    /** Whether to NOTIFY other Batons of what was published (PostgreSQL: several Batons may share it). */
    private final boolean notify;

    QueueRecords(DataSource dataSource, boolean notify) {
        this.dataSource = dataSource;
        this.notify = notify;
    }

    /** Tells listening Batons that {@code queues} have messages, when the transaction commits. */
    private void notify(Connection c, java.util.Collection<String> queues) throws SQLException {
        if (!notify) {
            return;
        }
        try (PreparedStatement st = c.prepareStatement("SELECT pg_notify('" + Notices.CHANNEL + "', ?)")) {
            for (String q : queues) {
                st.setString(1, q);
                st.execute();
            }
        }
    }

    /**
     * Stores {@code messages} in one transaction; a message whose dedup id its queue
     * saw within the window is dropped. The ids returned are the stored messages', or
     * for a dropped one the id of the message that had its dedup id first.
     */
    @Override
    public List<String> publish(List<NewMessage> messages, Instant now) {
        return transaction("publish to " + queues(messages), c -> {
            List<String> ids = new ArrayList<>(messages.size());
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO queue_messages (id, queue, state, priority,"
                    + " msg_key, due_at, attempt, receipt, headers, body, json, created_at)"
                    + " VALUES (?, ?, 0, ?, ?, ?, 0, NULL, ?, ?, ?, ?)")) {
                for (NewMessage m : messages) {
                    if (m.dedupId().isPresent()) {
                        Optional<String> first = dedup(c, m, now);
                        if (first.isPresent()) {
                            ids.add(first.get());
                            continue;
                        }
                    }
                    insert.setString(1, m.id());
                    insert.setString(2, m.queue());
                    insert.setInt(3, m.priority());
                    insert.setString(4, m.key().orElse(null));
                    insert.setObject(5, Times.utc(m.dueAt()));
                    insert.setString(6, m.headers());
                    insert.setBytes(7, m.body());
                    insert.setBoolean(8, m.json());
                    insert.setObject(9, Times.utc(now));
                    insert.addBatch();
                    ids.add(m.id());
                }
                insert.executeBatch();
            }
            notify(c, messages.stream().map(NewMessage::queue).distinct().toList());
            return ids;
        });
    }

    /** The id of the message that has {@code m}'s dedup id within the window, or empty after recording it for {@code m}. */
    private static Optional<String> dedup(Connection c, NewMessage m, Instant now) throws SQLException {
        String dedupId = m.dedupId().orElseThrow();
        // A savepoint: on PostgreSQL a failed insert would end the whole transaction.
        Savepoint before = c.setSavepoint();
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO queue_dedup (queue, dedup_id, message_id, expires_at) VALUES (?, ?, ?, ?)")) {
            st.setString(1, m.queue());
            st.setString(2, dedupId);
            st.setString(3, m.id());
            st.setObject(4, Times.utc(m.dedupUntil()));
            st.executeUpdate();
            c.releaseSavepoint(before);
            return Optional.empty();
        } catch (SQLException taken) {
            c.rollback(before);
        }
        try (PreparedStatement st = c.prepareStatement(
                "SELECT message_id, expires_at FROM queue_dedup" + " WHERE queue = ? AND dedup_id = ? FOR UPDATE")) {
            st.setString(1, m.queue());
            st.setString(2, dedupId);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("dedup id " + dedupId + " is neither new nor taken");
                }
                if (Times.instant(rs, 2).isAfter(now)) {
                    return Optional.of(rs.getString(1));
                }
            }
        }
        try (PreparedStatement st = c.prepareStatement(
                "UPDATE queue_dedup SET message_id = ?, expires_at = ? WHERE queue = ? AND dedup_id = ?")) {
            st.setString(1, m.id());
            st.setObject(2, Times.utc(m.dedupUntil()));
            st.setString(3, m.queue());
            st.setString(4, dedupId);
            st.executeUpdate();
        }
        return Optional.empty();
    }

    /**
     * Leases up to {@code max} messages of {@code queue} that are due by {@code now},
     * highest priority first and oldest first within one, until {@code until}; each
     * gets its own receipt token from {@code tokens}. Messages another consumer is
     * claiming at the same moment are skipped, not waited for.
     */
    @Override
    public List<Message> claim(
            String queue, int max, Instant now, Instant until, java.util.function.Supplier<String> tokens) {
        return transaction("receive from " + queue, c -> {
            List<Message> found = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM queue_messages m"
                    + " WHERE m.queue = ? AND m.state = 0 AND m.due_at <= ?"
                    + " AND (m.msg_key IS NULL OR NOT EXISTS (SELECT 1 FROM queue_messages o"
                    + " WHERE o.queue = m.queue AND o.msg_key = m.msg_key AND o.seq < m.seq AND o.state <> 2))"
                    + " ORDER BY m.priority DESC, m.seq LIMIT ? FOR UPDATE SKIP LOCKED")) {
                st.setString(1, queue);
                st.setObject(2, Times.utc(now));
                st.setInt(3, max);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        found.add(message(rs, List.of()));
                    }
                }
            }
            if (found.isEmpty()) {
                return found;
            }
            List<Message> leased = new ArrayList<>(found.size());
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE queue_messages SET state = 1, receipt = ?, due_at = ?, attempt = ? WHERE seq = ?")) {
                for (Message m : found) {
                    String token = tokens.get();
                    st.setString(1, token);
                    st.setObject(2, Times.utc(until));
                    st.setInt(3, m.attempt() + 1);
                    st.setLong(4, m.seq());
                    st.addBatch();
                    leased.add(new Message(
                            m.seq(),
                            m.id(),
                            m.queue(),
                            State.LEASED,
                            m.priority(),
                            m.key(),
                            until,
                            m.attempt() + 1,
                            Optional.of(token),
                            m.headers(),
                            m.body(),
                            m.json(),
                            m.createdAt(),
                            List.of()));
                }
                st.executeBatch();
            }
            return leased;
        });
    }

    /**
     * Acknowledges the messages of these receipts: they are deleted. A receipt whose
     * message is gone (acknowledged already) is fine; one whose message was leased
     * again since makes the whole call change nothing.
     */
    @Override
    public Settled ack(String queue, List<Receipt> receipts) {
        return settle("acknowledge on " + queue, queue, receipts, (c, m) -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM queue_messages WHERE seq = ?")) {
                st.setLong(1, m.seq());
                st.executeUpdate();
            }
            return false;
        });
    }

    /**
     * Gives leased messages back as failed attempts with {@code error}: each is due
     * again when {@code retry} says, or becomes a dead letter. A receipt whose message
     * is not leased to it any more makes the whole call change nothing.
     */
    @Override
    public Settled nack(String queue, List<Receipt> receipts, Instant now, String error, Retry retry) {
        return settle("give back on " + queue, queue, receipts, (c, m) -> fail(c, m, now, error, retry));
    }

    /**
     * Gives leased messages back as if never delivered (the receive that leased them
     * had no one left to hand them to): due at {@code now}, the attempt not counted.
     */
    @Override
    public Settled release(String queue, List<Receipt> receipts, Instant now) {
        return settle("release on " + queue, queue, receipts, (c, m) -> {
            try (PreparedStatement st =
                    c.prepareStatement("UPDATE queue_messages SET state = 0, due_at = ?, attempt = ? WHERE seq = ?")) {
                st.setObject(1, Times.utc(now));
                st.setInt(2, Math.max(0, m.attempt() - 1));
                st.setLong(3, m.seq());
                st.executeUpdate();
            }
            return false;
        });
    }

    /** Moves the leases of these receipts to end at {@code until}; refused as a whole as {@link #nack} is. */
    @Override
    public Settled extend(String queue, List<Receipt> receipts, Instant until) {
        return settle("extend on " + queue, queue, receipts, (c, m) -> {
            try (PreparedStatement st = c.prepareStatement("UPDATE queue_messages SET due_at = ? WHERE seq = ?")) {
                st.setObject(1, Times.utc(until));
                st.setLong(2, m.seq());
                st.executeUpdate();
            }
            return false;
        });
    }

    /** A change of one message; true when it made the message a dead letter. */
    private interface Change {
        boolean apply(Connection c, Message m) throws SQLException;
    }

    /**
     * Applies {@code change} to each receipt's message that is still leased to it.
     * An ack may also take a message whose lease ran out but that no one leased since:
     * the work was done. Anything else refuses the whole call.
     */
    private Settled settle(String what, String queue, List<Receipt> receipts, Change change) {
        boolean ack = what.startsWith("acknowledge");
        return transaction(what, c -> {
            List<Receipt> stale = new ArrayList<>();
            List<Message> held = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM queue_messages WHERE id = ? AND queue = ? FOR UPDATE")) {
                for (Receipt r : receipts) {
                    st.setString(1, r.id());
                    st.setString(2, queue);
                    try (ResultSet rs = st.executeQuery()) {
                        if (!rs.next()) {
                            if (!ack) {
                                stale.add(r);
                            }
                            continue;
                        }
                        Message m = message(rs, List.of());
                        boolean mine = m.receipt().filter(r.token()::equals).isPresent();
                        if (mine && (m.state() == State.LEASED || (ack && m.state() == State.READY))) {
                            if (held.stream().noneMatch(h -> h.seq() == m.seq())) {
                                held.add(m);
                            }
                        } else {
                            stale.add(r);
                        }
                    }
                }
            }
            if (!stale.isEmpty()) {
                c.rollback();
                return new Settled(0, stale, List.of());
            }
            List<String> dead = new ArrayList<>();
            for (Message m : held) {
                if (change.apply(c, m)) {
                    dead.add(m.id());
                }
            }
            return new Settled(held.size(), List.of(), dead);
        });
    }

    /** Records a failed attempt of a leased message and makes it due again, or dead (then true). */
    private static boolean fail(Connection c, Message m, Instant now, String error, Retry retry) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "INSERT INTO queue_attempts (message_seq, attempt, failed_at, error) VALUES (?, ?, ?, ?)")) {
            st.setLong(1, m.seq());
            st.setInt(2, m.attempt());
            st.setObject(3, Times.utc(now));
            st.setString(4, error.length() > 1000 ? error.substring(0, 1000) : error);
            st.executeUpdate();
        }
        Optional<Instant> again = retry.after(m.attempt());
        try (PreparedStatement st =
                c.prepareStatement("UPDATE queue_messages SET state = ?, due_at = ? WHERE seq = ?")) {
            st.setInt(1, again.isPresent() ? State.READY.ordinal() : State.DEAD.ordinal());
            st.setObject(2, Times.utc(again.orElse(now)));
            st.setLong(3, m.seq());
            st.executeUpdate();
        }
        return again.isEmpty();
    }

    /** A lease that ran out: its message is due again, or {@code dead}. */
    public record Ended(String queue, String id, boolean dead) {}

    /**
     * Ends leases that ran out by {@code now}, at most {@code max}, as failed
     * attempts: each message is due again at once, or dead past its queue's {@code
     * maxAttempts} (a queue it does not name keeps its messages leased).
     */
    @Override
    public List<Ended> expire(Instant now, Map<String, Integer> maxAttempts, int max) {
        return transaction("end leases", c -> {
            List<Message> due = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM queue_messages"
                    + " WHERE state = 1 AND due_at <= ? ORDER BY due_at LIMIT ? FOR UPDATE SKIP LOCKED")) {
                st.setObject(1, Times.utc(now));
                st.setInt(2, max);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        due.add(message(rs, List.of()));
                    }
                }
            }
            List<Ended> ended = new ArrayList<>();
            for (Message m : due) {
                Integer limit = maxAttempts.get(m.queue());
                if (limit != null) {
                    boolean dead = fail(
                            c,
                            m,
                            now,
                            "lease expired",
                            attempt -> attempt >= limit ? Optional.empty() : Optional.of(now));
                    ended.add(new Ended(m.queue(), m.id(), dead));
                }
            }
            return ended;
        });
    }

    /** The dead letters of {@code queue}, oldest death first, at most {@code limit}, each with its attempts. */
    @Override
    public List<Message> deadLetters(String queue, int limit) {
        return transaction("read dead letters of " + queue, c -> {
            List<Message> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM queue_messages WHERE queue = ? AND state = 2 ORDER BY due_at, seq LIMIT ?")) {
                st.setString(1, queue);
                st.setInt(2, limit);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(message(rs, List.of()));
                    }
                }
            }
            if (out.isEmpty()) {
                return out;
            }
            Map<Long, List<Attempt>> attempts = new HashMap<>();
            String marks = String.join(", ", out.stream().map(m -> "?").toList());
            try (PreparedStatement st = c.prepareStatement("SELECT message_seq, attempt, failed_at, error"
                    + " FROM queue_attempts WHERE message_seq IN (" + marks + ") ORDER BY message_seq, attempt")) {
                for (int i = 0; i < out.size(); i++) {
                    st.setLong(i + 1, out.get(i).seq());
                }
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        attempts.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                                .add(new Attempt(rs.getInt(2), Times.instant(rs, 3), rs.getString(4)));
                    }
                }
            }
            List<Message> full = new ArrayList<>(out.size());
            for (Message m : out) {
                full.add(new Message(
                        m.seq(),
                        m.id(),
                        m.queue(),
                        m.state(),
                        m.priority(),
                        m.key(),
                        m.dueAt(),
                        m.attempt(),
                        m.receipt(),
                        m.headers(),
                        m.body(),
                        m.json(),
                        m.createdAt(),
                        attempts.getOrDefault(m.seq(), List.of())));
            }
            return full;
        });
    }

    /**
     * Puts dead letters of {@code queue} back, due at {@code now} with fresh attempts:
     * those of {@code ids}, or all when empty. How many went back.
     */
    @Override
    public int redrive(String queue, Optional<List<String>> ids, Instant now) {
        return transaction("redrive dead letters of " + queue, c -> {
            String which = " WHERE queue = ? AND state = 2"
                    + ids.map(QueueRecords::idsIn).orElse("");
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM queue_attempts WHERE message_seq IN (SELECT seq FROM queue_messages" + which + ")")) {
                bind(st, queue, ids);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement(
                    "UPDATE queue_messages SET state = 0, attempt = 0, receipt = NULL, due_at = ?" + which)) {
                st.setObject(1, Times.utc(now));
                st.setString(2, queue);
                List<String> given = ids.orElse(List.of());
                for (int i = 0; i < given.size(); i++) {
                    st.setString(i + 3, given.get(i));
                }
                int n = st.executeUpdate();
                if (n > 0) {
                    notify(c, List.of(queue));
                }
                return n;
            }
        });
    }

    /** Deletes the dead letters of {@code queue} (those of {@code ids}, or all); how many. */
    @Override
    public int purgeDeadLetters(String queue, Optional<List<String>> ids) {
        return transaction("purge dead letters of " + queue, c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM queue_messages WHERE queue = ? AND state = 2"
                    + ids.map(QueueRecords::idsIn).orElse(""))) {
                bind(st, queue, ids);
                return st.executeUpdate();
            }
        });
    }

    /** Deletes every message of {@code queue}, whatever its state (the queue is gone); how many. */
    @Override
    public int drop(String queue) {
        return transaction("drop queue " + queue, c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM queue_dedup WHERE queue = ?")) {
                st.setString(1, queue);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM queue_messages WHERE queue = ?")) {
                st.setString(1, queue);
                return st.executeUpdate();
            }
        });
    }

    /**
     * Lets PostgreSQL reuse the space of the rows that acknowledged and retried
     * messages left dead ({@code VACUUM}, which holds no lock that stops receives):
     * a queue's table is all churn, and autovacuum, which wakes once a minute and
     * waits for a fifth of the table to be dead, lets it grow to every message that
     * passed in between. Nothing to do on H2. Whether it ran.
     */
    public boolean vacuum() {
        if (!notify) {
            return false;
        }
        try (Connection c = dataSource.getConnection();
                java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(true); // VACUUM cannot run in a transaction
            st.execute("VACUUM (ANALYZE) queue_messages, queue_attempts, queue_dedup");
            return true;
        } catch (SQLException e) {
            throw new StoreException("cannot vacuum the queue tables: " + StoreException.why(e), e);
        }
    }

    /** Forgets dedup ids whose window ended by {@code now}; how many. */
    @Override
    public int forgetDedupIds(Instant now) {
        return transaction("forget dedup ids", c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM queue_dedup WHERE expires_at <= ?")) {
                st.setObject(1, Times.utc(now));
                return st.executeUpdate();
            }
        });
    }

    /** Every queue's message counts by state; {@code oldestDue} is for ready messages due by {@code now}. */
    @Override
    public List<Depth> depths(Instant now) {
        return transaction("count messages", c -> {
            List<Depth> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT queue, state, COUNT(*),"
                    + " MIN(CASE WHEN state = 0 AND due_at <= ? THEN due_at END)"
                    + " FROM queue_messages GROUP BY queue, state")) {
                st.setObject(1, Times.utc(now));
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        java.time.OffsetDateTime oldest = rs.getObject(4, java.time.OffsetDateTime.class);
                        out.add(new Depth(
                                rs.getString(1),
                                State.of(rs.getInt(2)),
                                rs.getLong(3),
                                Optional.ofNullable(oldest).map(java.time.OffsetDateTime::toInstant)));
                    }
                }
            }
            return out;
        });
    }

    /** One message of {@code queue} by id, with its attempts. */
    public Optional<Message> get(String queue, String id) {
        return transaction("read message " + id, c -> {
            try (PreparedStatement st =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM queue_messages WHERE queue = ? AND id = ?")) {
                st.setString(1, queue);
                st.setString(2, id);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    long seq = rs.getLong(1);
                    List<Attempt> attempts = new ArrayList<>();
                    try (PreparedStatement a = c.prepareStatement("SELECT attempt, failed_at, error FROM queue_attempts"
                            + " WHERE message_seq = ? ORDER BY attempt")) {
                        a.setLong(1, seq);
                        try (ResultSet ar = a.executeQuery()) {
                            while (ar.next()) {
                                attempts.add(new Attempt(ar.getInt(1), Times.instant(ar, 2), ar.getString(3)));
                            }
                        }
                    }
                    return Optional.of(message(rs, attempts));
                }
            }
        });
    }

    /** Stores (or replaces) a run-time declaration. */
    public void declare(Declaration d) {
        transaction("declare " + d.kind() + " " + d.name(), c -> {
            try (PreparedStatement del =
                    c.prepareStatement("DELETE FROM queue_declarations WHERE kind = ? AND name = ?")) {
                del.setString(1, d.kind());
                del.setString(2, d.name());
                del.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO queue_declarations (kind, name, body, updated_at) VALUES (?, ?, ?, ?)")) {
                st.setString(1, d.kind());
                st.setString(2, d.name());
                st.setString(3, d.body());
                st.setObject(4, Times.utc(d.updatedAt()));
                st.executeUpdate();
            }
            return true;
        });
    }

    /** Removes a run-time declaration; whether there was one. */
    public boolean undeclare(String kind, String name) {
        return transaction("remove " + kind + " " + name, c -> {
            try (PreparedStatement st =
                    c.prepareStatement("DELETE FROM queue_declarations WHERE kind = ? AND name = ?")) {
                st.setString(1, kind);
                st.setString(2, name);
                return st.executeUpdate() == 1;
            }
        });
    }

    /** Every run-time declaration, by kind then name. */
    public List<Declaration> declarations() {
        return transaction("read queue declarations", c -> {
            List<Declaration> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(
                            "SELECT kind, name, body, updated_at FROM queue_declarations ORDER BY kind, name");
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(new Declaration(rs.getString(1), rs.getString(2), rs.getString(3), Times.instant(rs, 4)));
                }
            }
            return out;
        });
    }

    private static String idsIn(List<String> ids) {
        return ids.isEmpty()
                ? " AND 1 = 0"
                : " AND id IN (" + String.join(", ", ids.stream().map(i -> "?").toList()) + ")";
    }

    private static void bind(PreparedStatement st, String queue, Optional<List<String>> ids) throws SQLException {
        st.setString(1, queue);
        List<String> given = ids.orElse(List.of());
        for (int i = 0; i < given.size(); i++) {
            st.setString(i + 2, given.get(i));
        }
    }

    private static String queues(List<NewMessage> messages) {
        return String.join(
                ", ", messages.stream().map(NewMessage::queue).distinct().toList());
    }

    private static Message message(ResultSet rs, List<Attempt> attempts) throws SQLException {
        return new Message(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                State.of(rs.getInt(4)),
                rs.getInt(5),
                Optional.ofNullable(rs.getString(6)),
                Times.instant(rs, 7),
                rs.getInt(8),
                Optional.ofNullable(rs.getString(9)),
                rs.getString(10),
                rs.getBytes(11),
                rs.getBoolean(12),
                Times.instant(rs, 13),
                attempts);
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    private <T> T transaction(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("cannot " + what + ": " + StoreException.why(e), e);
        }
    }
}
