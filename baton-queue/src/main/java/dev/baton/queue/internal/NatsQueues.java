package dev.baton.queue.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.baton.config.QueueConfig;
import dev.baton.store.QueueBackend;
import dev.baton.store.QueueRecords;
import dev.baton.store.StoreException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsMessage;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Queued messages on NATS JetStream, behind the same operations as the store. Each
 * Baton queue is a file-backed work-queue stream ({@code BATON_Q_NAME}, subject
 * {@code baton.q.NAME}) read by one durable pull consumer whose ack wait is the
 * queue's visibility, with JetStream's own duplicate window as the queue's dedup
 * window; its dead letters are a stream of their own ({@code BATON_D_NAME}) kept
 * until redriven or purged. A message that must wait (a delay, a backoff) is
 * published at once and, delivered before its time, handed back with {@code
 * nakWithDelay} without counting an attempt. A nack or a lease that ran out
 * publishes the next attempt (or the dead letter) with every attempt's error in its
 * headers, then acknowledges the one out; while a lease is held past the ack wait,
 * Baton tells the server it is in progress. A Baton that crashes leaves its leases
 * to the server, which delivers them again after the ack wait. What JetStream
 * cannot do, Baton refuses before it gets here: priorities and per-key order.
 */
public final class NatsQueues implements QueueBackend, AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONSUMER = "baton";
    private static final Duration FETCH = Duration.ofMillis(20);
    private static final Duration PUBLISH = Duration.ofSeconds(10);
    private static final int ENDED = 100_000;
    /** How many sequence numbers a read of dead letters looks through at most. */
    private static final int SCAN = 20_000;

    private static final class Lease {
        final String queue;
        final Message message;
        final QueueRecords.Message view;
        volatile Instant until;
        volatile Instant touched;

        Lease(String queue, Message message, QueueRecords.Message view, Instant until, Instant now) {
            this.queue = queue;
            this.message = message;
            this.view = view;
            this.until = until;
            this.touched = now;
        }
    }

    private final URI url;
    private final Connection nc;
    private final JetStream js;
    private final JetStreamManagement jsm;
    private final Map<String, QueueConfig> settings = new ConcurrentHashMap<>();
    private final Map<String, JetStreamSubscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, Lease> leases = new ConcurrentHashMap<>();
    private final Map<String, Boolean> ended = java.util.Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > ENDED;
        }
    });

    /** Connects to {@code url} ({@code nats://host:4222}); StoreException saying why not. */
    public NatsQueues(URI url) {
        this.url = url;
        try {
            nc = Nats.connect(Options.builder()
                    .server(url.toString())
                    .connectionName("baton")
                    .connectionTimeout(Duration.ofSeconds(5))
                    .maxReconnects(-1)
                    .build());
            js = nc.jetStream();
            jsm = nc.jetStreamManagement();
            jsm.getAccountStatistics(); // fails at once when the server has no JetStream
        } catch (IOException | JetStreamApiException e) {
            throw new StoreException("cannot use JetStream at " + shown() + ": " + BrokerMessages.why(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("cannot connect to NATS at " + shown() + ": interrupted", e);
        }
    }

    /** The queues that exist, with the settings their streams are made with. */
    public void known(Collection<QueueConfig> queues) {
        Map<String, QueueConfig> now = new LinkedHashMap<>();
        queues.forEach(q -> now.put(q.name(), q));
        settings.keySet().retainAll(now.keySet());
        now.forEach((name, q) -> {
            if (!q.equals(settings.put(name, q))) {
                subscriptions.remove(name); // the next use makes the stream and consumer follow the settings
            }
        });
    }

    private String shown() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    /** A queue's name as a stream name and subject token: what is not a letter, digit, '-' or '_' as _XX. */
    static String token(String queue) {
        StringBuilder out = new StringBuilder();
        for (byte b : queue.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
                out.append(c);
            } else {
                out.append('_').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static String stream(String queue) {
        return "BATON_Q_" + token(queue);
    }

    private static String subject(String queue) {
        return "baton.q." + token(queue);
    }

    private static String deadStream(String queue) {
        return "BATON_D_" + token(queue);
    }

    private static String deadSubject(String queue) {
        return "baton.d." + token(queue);
    }

    /** Makes the queue's streams and consumer when they are not there (or follows changed settings). */
    private JetStreamSubscription ensure(String queue) throws IOException, JetStreamApiException {
        JetStreamSubscription sub = subscriptions.get(queue);
        if (sub != null && sub.isActive()) {
            return sub;
        }
        synchronized (this) {
            sub = subscriptions.get(queue);
            if (sub != null && sub.isActive()) {
                return sub;
            }
            QueueConfig q = settings.getOrDefault(queue, QueueConfig.defaults(queue));
            StreamConfiguration main = StreamConfiguration.builder()
                    .name(stream(queue))
                    .subjects(subject(queue))
                    .retentionPolicy(RetentionPolicy.WorkQueue)
                    .storageType(StorageType.File)
                    .duplicateWindow(q.dedupWindow().isZero() ? Duration.ofMillis(100) : q.dedupWindow())
                    .maxMsgSize(q.maxMessageSize() + 64 * 1024) // its headers too
                    .build();
            StreamConfiguration dead = StreamConfiguration.builder()
                    .name(deadStream(queue))
                    .subjects(deadSubject(queue))
                    .retentionPolicy(RetentionPolicy.Limits)
                    .storageType(StorageType.File)
                    .build();
            for (StreamConfiguration sc : List.of(main, dead)) {
                if (!exists(sc.getName())) {
                    jsm.addStream(sc);
                } else {
                    jsm.updateStream(sc); // a changed dedup window or message size
                }
            }
            jsm.addOrUpdateConsumer(
                    stream(queue),
                    ConsumerConfiguration.builder()
                            .durable(CONSUMER)
                            .ackPolicy(AckPolicy.Explicit)
                            // Past the visibility, so that Baton's own expiry (at the next tick) comes
                            // first; the server's is for a Baton that is gone.
                            .ackWait(q.visibility().plusSeconds(10))
                            .maxDeliver(-1)
                            // Messages handed back with a delay count as pending: no cap to stall on.
                            .maxAckPending(-1)
                            .filterSubject(subject(queue))
                            .build());
            sub = js.subscribe(subject(queue), PullSubscribeOptions.bind(stream(queue), CONSUMER));
            subscriptions.put(queue, sub);
            return sub;
        }
    }

    private boolean exists(String stream) throws IOException, JetStreamApiException {
        try {
            jsm.getStreamInfo(stream);
            return true;
        } catch (JetStreamApiException e) {
            if (e.getErrorCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    // ---- publishing ----

    @Override
    public List<String> publish(List<QueueRecords.NewMessage> messages, Instant now) {
        return io("publish", () -> {
            List<CompletableFuture<PublishAck>> acks = new ArrayList<>();
            for (QueueRecords.NewMessage m : messages) {
                ensure(m.queue());
                Headers h =
                        headers(m.id(), m.headers(), m.json(), now, 0, JsonNodeFactory.instance.arrayNode(), m.dueAt());
                PublishOptions.Builder o = PublishOptions.builder().expectedStream(stream(m.queue()));
                m.dedupId().ifPresent(o::messageId);
                acks.add(js.publishAsync(
                        NatsMessage.builder()
                                .subject(subject(m.queue()))
                                .headers(h)
                                .data(m.body())
                                .build(),
                        o.build()));
            }
            for (CompletableFuture<PublishAck> a : acks) {
                a.get(PUBLISH.toMillis(), TimeUnit.MILLISECONDS); // the server has it on disk
            }
            return messages.stream().map(QueueRecords.NewMessage::id).toList();
        });
    }

    private static Headers headers(
            String id, String headers, boolean json, Instant published, int attempt, ArrayNode errors, Instant due) {
        Base64.Encoder b64 = Base64.getEncoder();
        return new Headers()
                .put("x-baton-id", id)
                .put("x-baton-headers", b64.encodeToString(headers.getBytes(StandardCharsets.UTF_8)))
                .put("x-baton-json", Boolean.toString(json))
                .put("x-baton-published", published.toString())
                .put("x-baton-attempt", Integer.toString(attempt))
                .put("x-baton-errors", b64.encodeToString(errors.toString().getBytes(StandardCharsets.UTF_8)))
                .put("x-baton-due", Long.toString(due.toEpochMilli()));
    }

    private static String header(@Nullable Headers h, String name, String fallback) {
        String v = h == null ? null : h.getFirst(name);
        return v == null ? fallback : v;
    }

    private static String decoded(@Nullable Headers h, String name, String fallback) {
        try {
            String v = header(h, name, "");
            return v.isEmpty() ? fallback : new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
    }

    private static QueueRecords.Message view(
            String queue,
            long seq,
            @Nullable Headers h,
            byte[] body,
            QueueRecords.State state,
            int attempt,
            Instant due,
            Optional<String> receipt) {
        List<QueueRecords.Attempt> attempts = BrokerMessages.attempts(decoded(h, "x-baton-errors", "[]"));
        Instant published;
        try {
            published = Instant.parse(header(h, "x-baton-published", "1970-01-01T00:00:00Z"));
        } catch (RuntimeException e) {
            published = Instant.EPOCH;
        }
        return new QueueRecords.Message(
                seq,
                header(h, "x-baton-id", "seq-" + seq),
                queue,
                state,
                0,
                Optional.empty(),
                due,
                attempt,
                receipt,
                decoded(h, "x-baton-headers", "{}"),
                body,
                Boolean.parseBoolean(header(h, "x-baton-json", "false")),
                published,
                attempts);
    }

    private static int attempt(@Nullable Headers h) {
        try {
            return Integer.parseInt(header(h, "x-baton-attempt", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---- consuming ----

    @Override
    public List<QueueRecords.Message> claim(
            String queue, int max, Instant now, Instant until, Supplier<String> tokens) {
        return io("receive from " + queue, () -> {
            JetStreamSubscription sub = ensure(queue);
            List<QueueRecords.Message> out = new ArrayList<>();
            List<Message> got;
            synchronized (sub) {
                got = sub.fetch(max, FETCH);
            }
            for (Message m : got) {
                if (!m.isJetStream()) {
                    continue;
                }
                long due = Long.parseLong(header(m.getHeaders(), "x-baton-due", "0"));
                if (due > now.toEpochMilli()) {
                    m.nakWithDelay(Duration.ofMillis(due - now.toEpochMilli())); // not yet: no attempt spent
                    continue;
                }
                String token = tokens.get();
                QueueRecords.Message v = view(
                        queue,
                        m.metaData().streamSequence(),
                        m.getHeaders(),
                        m.getData(),
                        QueueRecords.State.LEASED,
                        attempt(m.getHeaders()) + 1,
                        until,
                        Optional.of(token));
                leases.put(token, new Lease(queue, m, v, until, now));
                out.add(v);
            }
            return out;
        });
    }

    private record Held(List<Lease> leases, List<QueueRecords.Receipt> stale) {}

    /**
     * Takes the leases of {@code receipts} out of the map, so that no other call (a
     * second ack, the tick's expiry) acts on one at the same time; when one is stale,
     * puts back those taken and takes none.
     */
    private Held take(String queue, List<QueueRecords.Receipt> receipts, boolean ack) {
        List<Lease> held = new ArrayList<>();
        List<QueueRecords.Receipt> stale = new ArrayList<>();
        for (QueueRecords.Receipt r : receipts) {
            Lease l = leases.get(r.token());
            if (l != null && l.queue.equals(queue) && l.view.id().equals(r.id()) && leases.remove(r.token(), l)) {
                held.add(l);
            } else if (!ack || ended.containsKey(r.token()) || l != null) {
                stale.add(r); // an ack of what is gone is fine: it was acknowledged already
            }
        }
        if (!stale.isEmpty()) {
            held.forEach(l -> leases.put(l.view.receipt().orElse(""), l));
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
                l.message.ackSync(PUBLISH);
                ended.put(l.view.receipt().orElse(""), true);
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
                        dead.add(h.leases().get(i).view.id());
                    }
                } catch (Exception e) {
                    // This one and those after it are still leased: they can be given back again.
                    h.leases()
                            .subList(i, h.leases().size())
                            .forEach(l -> leases.put(l.view.receipt().orElse(""), l));
                    throw e;
                }
            }
            return new QueueRecords.Settled(h.leases().size(), List.of(), dead);
        });
    }

    /** Publishes the next attempt (or the dead letter), then acknowledges the one out. */
    private boolean fail(Lease l, Instant now, String error, QueueRecords.Retry retry) throws Exception {
        QueueRecords.Message m = l.view;
        ArrayNode errors = BrokerMessages.failed(m, now, error);
        Optional<Instant> again = retry.after(m.attempt());
        Headers h = headers(m.id(), m.headers(), m.json(), m.createdAt(), m.attempt(), errors, again.orElse(now));
        String to = again.isPresent() ? subject(l.queue) : deadSubject(l.queue);
        js.publish(NatsMessage.builder().subject(to).headers(h).data(m.body()).build());
        l.message.ackSync(PUBLISH);
        ended.put(m.receipt().orElse(""), true);
        return again.isEmpty();
    }

    @Override
    public QueueRecords.Settled extend(String queue, List<QueueRecords.Receipt> receipts, Instant until) {
        Held h = take(queue, receipts, false);
        if (!h.stale().isEmpty()) {
            return new QueueRecords.Settled(0, h.stale(), List.of());
        }
        for (Lease l : h.leases()) { // taken out: back with the new end
            l.until = until;
            l.message.inProgress();
            leases.put(l.view.receipt().orElse(""), l);
        }
        return new QueueRecords.Settled(h.leases().size(), List.of(), List.of());
    }

    @Override
    public QueueRecords.Settled release(String queue, List<QueueRecords.Receipt> receipts, Instant now) {
        Held h = take(queue, receipts, false);
        for (Lease l : h.leases()) {
            l.message.nak(); // delivered again at once; its attempt, in its headers, unchanged
        }
        return new QueueRecords.Settled(h.leases().size(), List.of(), List.of());
    }

    @Override
    public List<QueueRecords.Ended> expire(Instant now, Map<String, Integer> maxAttempts, int max) {
        List<QueueRecords.Ended> out = new ArrayList<>();
        for (Lease l : List.copyOf(leases.values())) {
            Integer limit = maxAttempts.get(l.queue);
            if (limit == null || !leases.containsKey(l.view.receipt().orElse(""))) {
                continue;
            }
            if (l.until.isAfter(now)) {
                // Held past the server's ack wait (an extended lease): say it is still in progress.
                QueueConfig q = settings.get(l.queue);
                Duration wait = q == null ? QueueConfig.DEFAULT_VISIBILITY : q.visibility();
                if (Duration.between(l.touched, now).compareTo(wait.dividedBy(3)) > 0) {
                    l.message.inProgress();
                    l.touched = now;
                }
                continue;
            }
            String token = l.view.receipt().orElse("");
            if (out.size() >= max || !leases.remove(token, l)) {
                continue;
            }
            try {
                boolean dead = io(
                        "end a lease on " + l.queue,
                        () -> fail(l, now, "lease expired", a -> a >= limit ? Optional.empty() : Optional.of(now)));
                out.add(new QueueRecords.Ended(l.queue, l.view.id(), dead));
            } catch (StoreException e) {
                leases.put(token, l); // the next tick tries again; the other leases go on
            }
        }
        return out;
    }

    // ---- dead letters ----

    /** The dead stream's messages, oldest first, at most {@code limit}, with their sequence numbers. */
    private List<MessageInfo> dead(String queue, int limit) throws IOException, JetStreamApiException {
        ensure(queue);
        StreamInfo info = jsm.getStreamInfo(deadStream(queue));
        long first = info.getStreamState().getFirstSequence();
        long last = info.getStreamState().getLastSequence();
        List<MessageInfo> out = new ArrayList<>();
        for (long seq = first; seq <= last && out.size() < limit && seq - first < SCAN; seq++) {
            try {
                out.add(jsm.getMessage(deadStream(queue), seq));
            } catch (JetStreamApiException e) {
                if (e.getErrorCode() != 404) {
                    throw e;
                }
                // deleted (purged or redriven): go on
            }
        }
        return out;
    }

    @Override
    public List<QueueRecords.Message> deadLetters(String queue, int limit) {
        return io(
                "read dead letters of " + queue,
                () -> dead(queue, limit).stream()
                        .map(mi -> view(
                                queue,
                                mi.getSeq(),
                                mi.getHeaders(),
                                mi.getData() == null ? new byte[0] : mi.getData(),
                                QueueRecords.State.DEAD,
                                attempt(mi.getHeaders()),
                                mi.getTime() == null
                                        ? Instant.EPOCH
                                        : mi.getTime().toInstant(),
                                Optional.empty()))
                        .toList());
    }

    @Override
    public int redrive(String queue, Optional<List<String>> ids, Instant now) {
        return io("redrive dead letters of " + queue, () -> {
            int n = 0;
            for (MessageInfo mi : dead(queue, Integer.MAX_VALUE)) {
                String id = header(mi.getHeaders(), "x-baton-id", "");
                if (ids.isPresent() && !ids.get().contains(id)) {
                    continue;
                }
                QueueRecords.Message m = view(
                        queue,
                        mi.getSeq(),
                        mi.getHeaders(),
                        mi.getData() == null ? new byte[0] : mi.getData(),
                        QueueRecords.State.READY,
                        0,
                        now,
                        Optional.empty());
                Headers h =
                        headers(id, m.headers(), m.json(), m.createdAt(), 0, JsonNodeFactory.instance.arrayNode(), now);
                js.publish(NatsMessage.builder()
                        .subject(subject(queue))
                        .headers(h)
                        .data(m.body())
                        .build());
                jsm.deleteMessage(deadStream(queue), mi.getSeq());
                n++;
            }
            return n;
        });
    }

    @Override
    public int purgeDeadLetters(String queue, Optional<List<String>> ids) {
        return io("purge dead letters of " + queue, () -> {
            if (ids.isEmpty()) {
                ensure(queue);
                return (int) jsm.purgeStream(deadStream(queue)).getPurged();
            }
            int n = 0;
            for (MessageInfo mi : dead(queue, Integer.MAX_VALUE)) {
                if (ids.get().contains(header(mi.getHeaders(), "x-baton-id", ""))) {
                    jsm.deleteMessage(deadStream(queue), mi.getSeq());
                    n++;
                }
            }
            return n;
        });
    }

    @Override
    public int drop(String queue) {
        return io("drop queue " + queue, () -> {
            JetStreamSubscription sub = subscriptions.remove(queue);
            if (sub != null && sub.isActive()) {
                sub.unsubscribe();
            }
            int n = 0;
            for (String s : List.of(stream(queue), deadStream(queue))) {
                if (exists(s)) {
                    n += (int) jsm.getStreamInfo(s).getStreamState().getMsgCount();
                    jsm.deleteStream(s);
                }
            }
            leases.values().removeIf(l -> l.queue.equals(queue));
            return n;
        });
    }

    @Override
    public int forgetDedupIds(Instant now) {
        return 0; // JetStream's duplicate window forgets by itself
    }

    @Override
    public List<QueueRecords.Depth> depths(Instant now) {
        return io("count messages", () -> {
            List<QueueRecords.Depth> out = new ArrayList<>();
            for (String q : settings.keySet()) {
                ensure(q);
                long stored = jsm.getStreamInfo(stream(q)).getStreamState().getMsgCount();
                long leased =
                        leases.values().stream().filter(l -> l.queue.equals(q)).count();
                out.add(new QueueRecords.Depth(
                        q, QueueRecords.State.READY, Math.max(0, stored - leased), Optional.empty()));
                out.add(new QueueRecords.Depth(q, QueueRecords.State.LEASED, leased, Optional.empty()));
                out.add(new QueueRecords.Depth(
                        q,
                        QueueRecords.State.DEAD,
                        jsm.getStreamInfo(deadStream(q)).getStreamState().getMsgCount(),
                        Optional.empty()));
            }
            return out;
        });
    }

    private interface Io<T> {
        T run() throws Exception;
    }

    private <T> T io(String what, Io<T> work) {
        try {
            return work.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("cannot " + what + " on NATS: interrupted", e);
        } catch (ExecutionException e) {
            throw new StoreException(
                    "cannot " + what + " on NATS at " + shown() + ": " + BrokerMessages.why(e.getCause()), e);
        } catch (StoreException e) {
            throw e;
        } catch (Exception e) {
            throw new StoreException("cannot " + what + " on NATS at " + shown() + ": " + BrokerMessages.why(e), e);
        }
    }

    @Override
    public void close() {
        try {
            nc.close(); // what is leased and not acknowledged comes again after its ack wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
