package dev.baton.queue.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.baton.store.QueueBackend;
import dev.baton.store.QueueRecords;
import dev.baton.store.StoreException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Queued messages on RabbitMQ, behind the same operations as the store. Each Baton
 * queue is a durable classic queue {@code baton.q.NAME} with priorities 0 to 9, its
 * dead letters a durable queue {@code baton.q.NAME.dead}, and a message that must
 * wait (a delay, a backoff) waits in {@code baton.q.NAME.wait.MS}, whose expired
 * messages RabbitMQ dead-letters back into the queue (one wait queue per power of
 * two of milliseconds, so a wait is late by at most its own length behind a longer
 * one ahead of it). Every publish waits for the broker's confirm. A lease is a
 * message got and not yet acknowledged on this Baton's channel: an ack
 * acknowledges it, a nack or a lease that ran out publishes the next attempt (or the
 * dead letter, with every attempt's error in its headers) and then acknowledges
 * the one out, and a crash leaves it to RabbitMQ to deliver again. What RabbitMQ
 * cannot do, Baton refuses before it gets here: per-key order and dedup ids.
 */
public final class RabbitQueues implements QueueBackend, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "baton.q.";
    private static final Duration CONFIRM = Duration.ofSeconds(10);
    /** Tokens of leases that ran out, remembered so that their receipts are refused as stale. */
    private static final int ENDED = 100_000;

    private record Lease(String queue, Channel channel, long tag, QueueRecords.Message message, Instant until) {}

    private final URI url;
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private final Map<String, Boolean> ended = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > ENDED;
        }
    });
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    private final Map<String, Set<Long>> waits = new ConcurrentHashMap<>(); // wait queues made, by queue
    private final Map<String, Channel> getters = new ConcurrentHashMap<>(); // per queue: leases live on it
    private volatile Set<String> known = Set.of();
    private @Nullable Connection connection; // guarded by this
    private @Nullable Channel publisher; // guarded by this

    private final boolean quorum;

    /** Connects to {@code url} ({@code amqp://user:password@host:port/vhost}); StoreException saying why not. */
    public RabbitQueues(URI url) {
        this(url, false);
    }

    /** As {@link #RabbitQueues(URI)}; {@code quorum}: the queues are quorum queues (replicated, no priorities). */
    public RabbitQueues(URI url, boolean quorum) {
        this.url = url;
        this.quorum = quorum;
        connection();
    }

    /** The queues that exist, for {@link #depths}: RabbitMQ is asked about each. */
    public void known(Collection<String> queues) {
        known = Set.copyOf(queues);
    }

    private synchronized Connection connection() {
        Connection c = connection;
        if (c != null && c.isOpen()) {
            return c;
        }
        ConnectionFactory f = new ConnectionFactory();
        try {
            f.setUri(url);
        } catch (Exception e) {
            throw new StoreException("queues.url is not a RabbitMQ address: " + shown(), e);
        }
        // Baton recovers by itself: a lease on a broken channel is gone (RabbitMQ delivers
        // the message again), and the next call opens a new connection.
        f.setAutomaticRecoveryEnabled(false);
        f.setConnectionTimeout(5000);
        f.setRequestedHeartbeat(30);
        try {
            c = f.newConnection("baton");
        } catch (IOException | TimeoutException e) {
            throw new StoreException("cannot connect to RabbitMQ at " + shown() + ": " + BrokerMessages.why(e), e);
        }
        connection = c;
        publisher = null;
        getters.clear();
        declared.clear();
        waits.clear();
        leases.keySet().forEach(t -> ended.put(t, true));
        leases.clear();
        return c;
    }

    private String shown() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    private synchronized Channel publisher() throws IOException {
        Channel p = publisher;
        if (p == null || !p.isOpen()) {
            p = connection().createChannel();
            p.confirmSelect();
            publisher = p;
        }
        return p;
    }

    private Channel getter(String queue) throws IOException {
        Channel ch = getters.get(queue);
        if (ch == null || !ch.isOpen()) {
            synchronized (this) {
                ch = getters.get(queue);
                if (ch == null || !ch.isOpen()) {
                    ch = connection().createChannel();
                    getters.put(queue, ch);
                }
            }
        }
        return ch;
    }

    private static String main(String queue) {
        return PREFIX + queue;
    }

    private static String dead(String queue) {
        return PREFIX + queue + ".dead";
    }

    private void declare(Channel ch, String queue) throws IOException {
        if (declared.add(queue)) {
            Map<String, Object> type = quorum ? Map.of("x-queue-type", "quorum") : Map.of();
            ch.queueDeclare(main(queue), true, false, false, quorum ? type : Map.of("x-max-priority", 9));
            ch.queueDeclare(dead(queue), true, false, false, type);
        }
    }

    /** The wait queue for {@code millis}: messages expire from it back into the queue. */
    private String wait(Channel ch, String queue, long millis) throws IOException {
        long bucket = Long.highestOneBit(Math.max(1, millis)) << 1;
        String name = PREFIX + queue + ".wait." + bucket;
        if (waits.computeIfAbsent(queue, k -> ConcurrentHashMap.newKeySet()).add(bucket)) {
            ch.queueDeclare(
                    name,
                    true,
                    false,
                    false,
                    Map.of("x-dead-letter-exchange", "", "x-dead-letter-routing-key", main(queue)));
            // No x-expires: RabbitMQ counts a queue only published to as unused, and would
            // delete it with the messages waiting in it. drop() deletes the wait queues.
        }
        return name;
    }

    // ---- publishing ----

    @Override
    public List<String> publish(List<QueueRecords.NewMessage> messages, Instant now) {
        return io("publish", () -> {
            Channel ch = publisher();
            synchronized (ch) {
                // Declared again at each publish (declaring what exists is cheap): a queue another
                // Baton deleted would drop what is sent to it, confirmed all the same.
                for (String q : messages.stream()
                        .map(QueueRecords.NewMessage::queue)
                        .distinct()
                        .toList()) {
                    declared.remove(q);
                    waits.remove(q);
                    declare(ch, q);
                }
                for (QueueRecords.NewMessage m : messages) {
                    long wait = Duration.between(now, m.dueAt()).toMillis();
                    send(ch, m.queue(), wait, props(m, now, 0, JsonNodeFactory.instance.arrayNode(), null), m.body());
                }
                ch.waitForConfirmsOrDie(CONFIRM.toMillis());
            }
            return messages.stream().map(QueueRecords.NewMessage::id).toList();
        });
    }

    private void send(Channel ch, String queue, long waitMillis, AMQP.BasicProperties props, byte[] body)
            throws IOException {
        if (waitMillis > 0) {
            String name = wait(ch, queue, waitMillis);
            ch.basicPublish(
                    "",
                    name,
                    props.builder().expiration(Long.toString(waitMillis)).build(),
                    body);
        } else {
            ch.basicPublish("", main(queue), props, body);
        }
    }

    private static AMQP.BasicProperties props(
            QueueRecords.NewMessage m, Instant now, int attempt, ArrayNode errors, @Nullable Instant deadAt) {
        Map<String, Object> h = new HashMap<>();
        h.put("x-baton-headers", m.headers());
        h.put("x-baton-json", m.json());
        h.put("x-baton-published", now.toString());
        h.put("x-baton-attempt", attempt);
        h.put("x-baton-errors", errors.toString());
        if (deadAt != null) {
            h.put("x-baton-dead-at", deadAt.toString());
        }
        return new AMQP.BasicProperties.Builder()
                .messageId(m.id())
                .priority(m.priority())
                .deliveryMode(2)
                .contentType(m.json() ? "application/json" : "application/octet-stream")
                .headers(h)
                .build();
    }

    /** A message as got back: its attempt and errors from its headers. */
    private static QueueRecords.Message read(
            String queue, GetResponse r, QueueRecords.State state, int attempt, Instant due, Optional<String> receipt) {
        Map<String, Object> h =
                r.getProps().getHeaders() == null ? Map.of() : r.getProps().getHeaders();
        List<QueueRecords.Attempt> attempts = BrokerMessages.attempts(text(h.get("x-baton-errors"), "[]"));
        Integer priority = r.getProps().getPriority();
        return new QueueRecords.Message(
                r.getEnvelope().getDeliveryTag(),
                String.valueOf(r.getProps().getMessageId()),
                queue,
                state,
                priority == null ? 0 : priority,
                Optional.empty(),
                due,
                attempt,
                receipt,
                text(h.get("x-baton-headers"), "{}"),
                r.getBody(),
                Boolean.parseBoolean(text(h.get("x-baton-json"), "false")),
                instant(h.get("x-baton-published")),
                attempts);
    }

    private static String text(@Nullable Object v, String fallback) {
        return v == null ? fallback : v.toString(); // AMQP gives strings back as LongString
    }

    private static Instant instant(@Nullable Object v) {
        try {
            return v == null ? Instant.EPOCH : Instant.parse(v.toString());
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    private static int attempt(GetResponse r) {
        Map<String, Object> h = r.getProps().getHeaders();
        Object a = h == null ? null : h.get("x-baton-attempt");
        return a instanceof Number n ? n.intValue() : 0;
    }

    // ---- consuming ----

    @Override
    public List<QueueRecords.Message> claim(
            String queue, int max, Instant now, Instant until, Supplier<String> tokens) {
        return io("receive from " + queue, () -> {
            Channel ch = getter(queue);
            List<QueueRecords.Message> out = new ArrayList<>();
            synchronized (ch) {
                declare(ch, queue);
                while (out.size() < max) {
                    GetResponse r = ch.basicGet(main(queue), false);
                    if (r == null) {
                        break;
                    }
                    String token = tokens.get();
                    QueueRecords.Message m =
                            read(queue, r, QueueRecords.State.LEASED, attempt(r) + 1, until, Optional.of(token));
                    leases.put(token, new Lease(queue, ch, r.getEnvelope().getDeliveryTag(), m, until));
                    out.add(m);
                }
            }
            return out;
        });
    }

    /** What a change by receipts works on: the leases, or the stale receipts that refuse it. */
    private record Held(List<Lease> leases, List<QueueRecords.Receipt> stale) {}

    /**
     * Takes the leases of {@code receipts} out of the map, so that no other call (a
     * second ack, the tick's expiry) can act on one at the same time; when one is
     * stale, puts back those taken and takes none. A lease on a closed channel is
     * gone: RabbitMQ has delivered its message again.
     */
    private Held take(String queue, List<QueueRecords.Receipt> receipts, boolean ack) {
        List<Lease> held = new ArrayList<>();
        List<QueueRecords.Receipt> stale = new ArrayList<>();
        for (QueueRecords.Receipt r : receipts) {
            Lease l = leases.get(r.token());
            if (l != null && (!l.queue().equals(queue) || !l.message().id().equals(r.id()))) {
                stale.add(r);
            } else if (l != null && !l.channel().isOpen()) {
                leases.remove(r.token());
                ended.put(r.token(), true);
                stale.add(r);
            } else if (l != null && leases.remove(r.token(), l)) {
                held.add(l);
            } else if (!ack || ended.containsKey(r.token()) || l != null) {
                stale.add(r); // an ack of what is gone is fine: it was acknowledged already
            }
        }
        if (!stale.isEmpty()) {
            held.forEach(l -> leases.put(l.message().receipt().orElse(""), l));
            return new Held(List.of(), stale);
        }
        return new Held(held, stale);
    }

    @Override
    public QueueRecords.Settled ack(String queue, List<QueueRecords.Receipt> receipts) {
        Held h = take(queue, receipts, true);
        if (!h.stale().isEmpty()) {
            return new QueueRecords.Settled(0, h.stale(), List.of());
        }
        return io("acknowledge on " + queue, () -> {
            for (Lease l : h.leases()) {
                synchronized (l.channel()) {
                    l.channel().basicAck(l.tag(), false);
                }
                ended.put(l.message().receipt().orElse(""), true);
            }
            return new QueueRecords.Settled(h.leases().size(), List.of(), List.of());
        });
    }

    @Override
    public QueueRecords.Settled nack(
            String queue, List<QueueRecords.Receipt> receipts, Instant now, String error, QueueRecords.Retry retry) {
        Held h = take(queue, receipts, false);
        if (!h.stale().isEmpty()) {
            return new QueueRecords.Settled(0, h.stale(), List.of());
        }
        return io("give back on " + queue, () -> {
            List<String> dead = new ArrayList<>();
            for (int i = 0; i < h.leases().size(); i++) {
                try {
                    if (fail(h.leases().get(i), now, error, retry)) {
                        dead.add(h.leases().get(i).message().id());
                    }
                } catch (IOException | InterruptedException | TimeoutException | RuntimeException e) {
                    // This one and those after it are still leased: they can be given back again.
                    h.leases()
                            .subList(i, h.leases().size())
                            .forEach(l -> leases.put(l.message().receipt().orElse(""), l));
                    throw e;
                }
            }
            return new QueueRecords.Settled(h.leases().size(), List.of(), dead);
        });
    }

    /** Publishes the next attempt of a leased message (or its dead letter), then acknowledges the one out. */
    private boolean fail(Lease l, Instant now, String error, QueueRecords.Retry retry)
            throws IOException, InterruptedException, TimeoutException {
        QueueRecords.Message m = l.message();
        ArrayNode errors = BrokerMessages.failed(m, now, error);
        Optional<Instant> again = retry.after(m.attempt());
        QueueRecords.NewMessage copy = BrokerMessages.copy(m, now);
        Channel ch = publisher();
        synchronized (ch) {
            AMQP.BasicProperties props = props(copy, m.createdAt(), m.attempt(), errors, again.isEmpty() ? now : null);
            if (again.isPresent()) {
                send(ch, m.queue(), Duration.between(now, again.get()).toMillis(), props, m.body());
            } else {
                ch.basicPublish("", dead(m.queue()), props, m.body());
            }
            ch.waitForConfirmsOrDie(CONFIRM.toMillis());
        }
        synchronized (l.channel()) {
            l.channel().basicAck(l.tag(), false);
        }
        ended.put(m.receipt().orElse(""), true);
        return again.isEmpty();
    }

    @Override
    public QueueRecords.Settled extend(String queue, List<QueueRecords.Receipt> receipts, Instant until) {
        Held h = take(queue, receipts, false);
        if (!h.stale().isEmpty()) {
            return new QueueRecords.Settled(0, h.stale(), List.of());
        }
        for (Lease l : h.leases()) {
            leases.put(
                    l.message().receipt().orElse(""), new Lease(l.queue(), l.channel(), l.tag(), l.message(), until));
        }
        return new QueueRecords.Settled(h.leases().size(), List.of(), List.of());
    }

    @Override
    public QueueRecords.Settled release(String queue, List<QueueRecords.Receipt> receipts, Instant now) {
        Held h = take(queue, receipts, false);
        return io("release on " + queue, () -> {
            for (Lease l : h.leases()) {
                synchronized (l.channel()) {
                    l.channel().basicNack(l.tag(), false, true); // back where it was, uncounted
                }
            }
            return new QueueRecords.Settled(h.leases().size(), List.of(), List.of());
        });
    }

    @Override
    public List<QueueRecords.Ended> expire(Instant now, Map<String, Integer> maxAttempts, int max) {
        List<QueueRecords.Ended> out = new ArrayList<>();
        for (Lease l : List.copyOf(leases.values())) {
            if (out.size() >= max || l.until().isAfter(now)) {
                continue;
            }
            Integer limit = maxAttempts.get(l.queue());
            String token = l.message().receipt().orElse("");
            if (limit == null || !leases.remove(token, l)) {
                continue; // not a queue of the catalog's, or settled meanwhile
            }
            if (!l.channel().isOpen()) {
                ended.put(token, true); // RabbitMQ has delivered it again already
                continue;
            }
            try {
                boolean dead = io(
                        "end a lease on " + l.queue(),
                        () -> fail(l, now, "lease expired", a -> a >= limit ? Optional.empty() : Optional.of(now)));
                out.add(new QueueRecords.Ended(l.queue(), l.message().id(), dead));
            } catch (StoreException e) {
                leases.put(token, l); // the next tick tries again; the other leases go on
            }
        }
        return out;
    }

    // ---- dead letters ----

    @Override
    public List<QueueRecords.Message> deadLetters(String queue, int limit) {
        return io("read dead letters of " + queue, () -> {
            // Got on a channel of its own and never acknowledged: closing it puts them all back.
            try (Channel ch = connection().createChannel()) {
                declare(ch, queue);
                List<QueueRecords.Message> out = new ArrayList<>();
                while (out.size() < limit) {
                    GetResponse r = ch.basicGet(dead(queue), false);
                    if (r == null) {
                        break;
                    }
                    Map<String, Object> h = r.getProps().getHeaders();
                    out.add(read(
                            queue,
                            r,
                            QueueRecords.State.DEAD,
                            attempt(r),
                            instant(h == null ? null : h.get("x-baton-dead-at")),
                            Optional.empty()));
                }
                return out;
            }
        });
    }

    @Override
    public int redrive(String queue, Optional<List<String>> ids, Instant now) {
        return moveDead(queue, ids, true, now);
    }

    @Override
    public int purgeDeadLetters(String queue, Optional<List<String>> ids) {
        if (ids.isEmpty()) {
            return io("purge dead letters of " + queue, () -> {
                try (Channel ch = connection().createChannel()) {
                    declare(ch, queue);
                    return ch.queuePurge(dead(queue)).getMessageCount();
                }
            });
        }
        return moveDead(queue, ids, false, Instant.EPOCH);
    }

    /** Takes the dead letters of {@code ids} (or all): back into the queue with fresh attempts, or away. */
    private int moveDead(String queue, Optional<List<String>> ids, boolean back, Instant now) {
        return io((back ? "redrive" : "purge") + " dead letters of " + queue, () -> {
            try (Channel ch = connection().createChannel()) {
                declare(ch, queue);
                ch.confirmSelect();
                int moved = 0;
                while (true) {
                    GetResponse r = ch.basicGet(dead(queue), false);
                    if (r == null) {
                        break;
                    }
                    String id = String.valueOf(r.getProps().getMessageId());
                    if (ids.isPresent() && !ids.get().contains(id)) {
                        continue; // left unacknowledged: back in the dead letters when the channel closes
                    }
                    if (back) {
                        QueueRecords.Message m = read(queue, r, QueueRecords.State.READY, 0, now, Optional.empty());
                        QueueRecords.NewMessage fresh = BrokerMessages.copy(m, now);
                        ch.basicPublish(
                                "",
                                main(queue),
                                props(fresh, m.createdAt(), 0, JsonNodeFactory.instance.arrayNode(), null),
                                m.body());
                        ch.waitForConfirmsOrDie(CONFIRM.toMillis());
                    }
                    ch.basicAck(r.getEnvelope().getDeliveryTag(), false);
                    moved++;
                }
                return moved;
            }
        });
    }

    @Override
    public int drop(String queue) {
        return io("drop queue " + queue, () -> {
            try (Channel ch = connection().createChannel()) {
                int n = ch.queueDelete(main(queue)).getMessageCount();
                n += ch.queueDelete(dead(queue)).getMessageCount();
                for (long bucket : waits.getOrDefault(queue, Set.of())) {
                    n += ch.queueDelete(PREFIX + queue + ".wait." + bucket).getMessageCount();
                }
                declared.remove(queue);
                waits.remove(queue);
                leases.values().removeIf(l -> l.queue().equals(queue));
                return n;
            }
        });
    }

    @Override
    public int forgetDedupIds(Instant now) {
        return 0; // no dedup ids: a message with one is refused before it gets here
    }

    @Override
    public List<QueueRecords.Depth> depths(Instant now) {
        return io("count messages", () -> {
            List<QueueRecords.Depth> out = new ArrayList<>();
            try (Channel ch = connection().createChannel()) {
                for (String q : known) {
                    declare(ch, q);
                    long ready = ch.messageCount(main(q));
                    for (long bucket : waits.getOrDefault(q, Set.of())) {
                        ready += ch.messageCount(PREFIX + q + ".wait." + bucket);
                    }
                    long leased = leases.values().stream()
                            .filter(l -> l.queue().equals(q))
                            .count();
                    out.add(new QueueRecords.Depth(q, QueueRecords.State.READY, ready, Optional.empty()));
                    out.add(new QueueRecords.Depth(q, QueueRecords.State.LEASED, leased, Optional.empty()));
                    out.add(new QueueRecords.Depth(
                            q, QueueRecords.State.DEAD, ch.messageCount(dead(q)), Optional.empty()));
                }
            }
            return out;
        });
    }

    private interface Io<T> {
        T run() throws IOException, InterruptedException, TimeoutException;
    }

    private <T> T io(String what, Io<T> work) {
        try {
            return work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("cannot " + what + " on RabbitMQ: interrupted", e);
        } catch (IOException | TimeoutException | com.rabbitmq.client.ShutdownSignalException e) {
            throw new StoreException("cannot " + what + " on RabbitMQ at " + shown() + ": " + BrokerMessages.why(e), e);
        }
    }

    @Override
    public synchronized void close() {
        Connection c = connection;
        connection = null;
        if (c != null && c.isOpen()) {
            try {
                c.close(5000); // what is leased and not acknowledged goes back to the queues
            } catch (IOException | com.rabbitmq.client.AlreadyClosedException ignored) {
                // gone already
            }
        }
    }
}
