package dev.baton.queue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.config.ConfigException;
import dev.baton.config.QueueConfig;
import dev.baton.config.QueueDefinitions;
import dev.baton.config.QueuesConfig;
import dev.baton.config.TopicConfig;
import dev.baton.control.DataStore;
import dev.baton.control.ServiceCalls;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.http.FieldSyntax;
import dev.baton.lifecycle.Component;
import dev.baton.queue.internal.Deliverer;
import dev.baton.queue.internal.NatsQueues;
import dev.baton.queue.internal.RabbitQueues;
import dev.baton.queue.internal.Waiters;
import dev.baton.resilience.Backoff;
import dev.baton.store.QueueBackend;
import dev.baton.store.QueueRecords;
import dev.baton.time.Scheduler;
import dev.baton.time.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's durable queues and topics, on the store. Queues and topics come
 * from the config file and from the admin API (kept in the store, read back at
 * start). A queue hands each message to one consumer at a time under a lease;
 * a topic copies each message it is given into every subscription whose filter it
 * passes: into a queue, into the subscription's own queue for consumers to pull,
 * or into its own queue from which Baton pushes it to a service. Every method
 * that touches the store runs its JDBC on Vert.x's worker pool and answers with a
 * stage; what waits (long polls, push loops, the poll tick) lives on one Vert.x
 * context. Time passes through the {@link Scheduler}, so that tests move a clock.
 */
public final class Queues implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(Queues.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> HEADERS = new TypeReference<>() {};

    /** The topic every lifecycle event goes to with {@code events.persist}: there unless the config or the API declares it. */
    public static final String EVENTS_TOPIC = "baton.events";

    /** How often a Baton looks in the store for what no one told it: delays that passed, leases that ran out, other Batons' messages. */
    public static final Duration POLL = Duration.ofMillis(500);

    public static final int MAX_RECEIVE = 100;
    public static final Duration MAX_WAIT = Duration.ofSeconds(60);
    public static final Duration MAX_DELAY = Duration.ofDays(30);
    public static final int MAX_BATCH = 100;
    public static final int MAX_HEADERS = 64;
    public static final int MAX_HEADER_VALUE = 4096;
    public static final int MAX_KEY = 200;
    /** Leases ended in one go by a tick. */
    private static final int EXPIRE_BATCH = 500;
    /** Ticks between readings of the queues' depths, and between sweeps of old dedup ids. */
    private static final int DEPTH_TICKS = 10;

    private static final int DEDUP_TICKS = 120;
    /** Rows left dead (acks, retries) after which a tick has PostgreSQL reuse their space. */
    private static final long VACUUM_AFTER = 20_000;

    /**
     * Message headers that would break a push's HTTP framing, and those that say who
     * a request came from, which a publisher must not forge for the service pushed to.
     */
    private static final Set<String> RESERVED = Set.of(
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "upgrade",
            "te",
            "trailer",
            "proxy-connection",
            "proxy-authorization",
            "proxy-authenticate",
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-host",
            "x-forwarded-proto",
            "x-real-ip");

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A queue or topic as declared, and by whom: {@code config} (the file) or {@code api}. */
    public record Declared<T>(T config, String source) {}

    private record Catalog(Map<String, Declared<QueueConfig>> queues, Map<String, Declared<TopicConfig>> topics) {
        static final Catalog EMPTY = new Catalog(Map.of(), Map.of());

        /** The queue {@code name}: a declared one, or a push or pull subscription's own. */
        Optional<QueueConfig> queue(String name) {
            Declared<QueueConfig> q = queues.get(name);
            if (q != null) {
                return Optional.of(q.config());
            }
            return subscription(name).map(TopicConfig.Subscription::delivery);
        }

        Optional<TopicConfig.Subscription> subscription(String ownQueue) {
            int colon = ownQueue.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            Declared<TopicConfig> t = topics.get(ownQueue.substring(0, colon));
            return t == null
                    ? Optional.empty()
                    : Optional.ofNullable(t.config().subscriptions().get(ownQueue.substring(colon + 1)))
                            .filter(s -> !(s.target() instanceof TopicConfig.IntoQueue));
        }

        /** Every queue's {@code max-attempts}, own queues of subscriptions included. */
        Map<String, Integer> maxAttempts() {
            Map<String, Integer> out = new HashMap<>();
            queues.forEach((n, q) -> out.put(n, q.config().maxAttempts()));
            topics.values()
                    .forEach(t -> t.config().subscriptions().values().stream()
                            .filter(s -> !(s.target() instanceof TopicConfig.IntoQueue))
                            .forEach(s -> out.put(s.queue(), s.delivery().maxAttempts())));
            return out;
        }

        boolean isEmpty() {
            return queues.isEmpty() && topics.isEmpty();
        }
    }

    private final Vertx vertx;
    private final DataStore data;
    private final Supplier<Snapshot> snapshots;
    private final EventSink events;
    private final Clock clock;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final QueueMeters meters = new QueueMeters();
    private final Map<String, QueueConfig> apiQueues = new LinkedHashMap<>(); // guarded by this
    private final Map<String, TopicConfig> apiTopics = new LinkedHashMap<>(); // guarded by this
    private final Map<String, Deliverer> pushes = new java.util.concurrent.ConcurrentHashMap<>(); // changed under this
    private final Map<String, TopicConfig.Target> pushConfigs = new HashMap<>(); // guarded by this
    private final List<Deliverer> consumers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Catalog catalog = Catalog.EMPTY;
    private @Nullable Context context;
    private @Nullable Waiters waiters;
    private @Nullable ServiceCalls calls;
    private io.vertx.core.http.@Nullable HttpClient webhooks; // for the events topic's webhook subscriptions
    private Scheduler.@Nullable Cancellable tick;
    private volatile @Nullable AutoCloseable notices; // other Batons' publishes, on a shared PostgreSQL store
    private volatile @Nullable QueueBackend broker; // when queues.broker names one; else the store
    private volatile String brokerKind = "store";
    private volatile boolean brokerPriorities = true;
    private long ticks; // on the context only
    private volatile boolean closed;
    private final int[] busy = new int[1]; // store or broker calls out; guarded by itself
    private final java.util.concurrent.atomic.LongAdder churn = new java.util.concurrent.atomic.LongAdder();

    /** {@code scheduler} lets time pass (leases, backoff, long polls, the poll tick); see {@link dev.baton.control.Timers}. */
    public Queues(
            Vertx vertx,
            DataStore data,
            Supplier<Snapshot> snapshots,
            EventSink events,
            Clock clock,
            Ticker ticker,
            Scheduler scheduler) {
        this.vertx = vertx;
        this.data = data;
        this.snapshots = snapshots;
        this.events = events;
        this.clock = clock;
        this.ticker = ticker;
        this.scheduler = scheduler;
    }

    @Override
    public void start() {
        Context c = vertx.getOrCreateContext();
        context = c;
        calls = new ServiceCalls(vertx, snapshots, ticker, clock);
        webhooks = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions()
                .setConnectTimeout(5000)
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(32 * 1024));
        QueuesConfig.Broker b = snapshots.get().config().queues().broker();
        if (!b.store()) {
            // Read at start: a change of broker needs a restart, as a change of store does.
            URI url = b.url().orElseThrow();
            broker = b.kind().equals("nats") ? new NatsQueues(url) : new RabbitQueues(url, b.quorum());
            brokerKind = b.kind();
            brokerPriorities = !b.kind().equals("nats") && !b.quorum();
        }
        waiters = new Waiters(c, scheduler, this::claim, this::release);
        if (data.exists()) {
            synchronized (this) {
                readDeclarations();
            }
        }
        apply(snapshots.get());
        scheduleTick();
    }

    /** What the admin API declared in an earlier run; one that no longer reads is logged and left out. */
    private void readDeclarations() {
        List<QueueRecords.Declaration> all = declarationStore().declarations();
        for (QueueRecords.Declaration d : all) {
            if (d.kind().equals("queue")) {
                try {
                    apiQueues.put(d.name(), QueueDefinitions.queue(d.name(), d.body()));
                } catch (ConfigException e) {
                    log.error("queue {} as declared no longer reads: {}", d.name(), e.getMessage());
                }
            }
        }
        for (QueueRecords.Declaration d : all) {
            if (d.kind().equals("topic")) {
                try {
                    apiTopics.put(
                            d.name(),
                            QueueDefinitions.topic(
                                    d.name(),
                                    d.body(),
                                    // the catalog is not built yet
                                    n -> apiQueues.containsKey(n)
                                            || snapshots
                                                    .get()
                                                    .config()
                                                    .queues()
                                                    .queues()
                                                    .containsKey(n),
                                    snapshots.get().config().services()));
                } catch (ConfigException e) {
                    log.error("topic {} as declared no longer reads: {}", d.name(), e.getMessage());
                }
            }
        }
    }

    /** Takes the config file's queues and topics; one the admin API declared too is the file's from now on. */
    @Override
    public synchronized void apply(Snapshot next) {
        Map<String, Declared<QueueConfig>> queues = new LinkedHashMap<>();
        Map<String, Declared<TopicConfig>> topics = new LinkedHashMap<>();
        next.config().queues().queues().forEach((n, q) -> queues.put(n, new Declared<>(q, "config")));
        apiQueues.forEach((n, q) -> queues.putIfAbsent(n, new Declared<>(q, "api")));
        next.config().queues().topics().forEach((n, t) -> topics.put(n, new Declared<>(t, "config")));
        apiTopics.forEach((n, t) -> topics.putIfAbsent(n, new Declared<>(t, "api")));
        var events = next.config().observability().events();
        if (events.persist()) {
            // Subscriptions added through the API make it the API's (kept in the store).
            topics.putIfAbsent(EVENTS_TOPIC, new Declared<>(new TopicConfig(EVENTS_TOPIC, Map.of()), "events"));
            Declared<TopicConfig> t = topics.get(EVENTS_TOPIC);
            Map<String, TopicConfig.Subscription> subs =
                    new LinkedHashMap<>(t.config().subscriptions());
            for (int i = 0; i < events.webhooks().size(); i++) {
                subs.putIfAbsent("webhook-" + i, webhook(i, events.webhooks().get(i)));
            }
            topics.put(EVENTS_TOPIC, new Declared<>(new TopicConfig(EVENTS_TOPIC, subs), t.source()));
        }
        catalog = new Catalog(queues, topics);
        if (broker instanceof RabbitQueues r) {
            r.known(catalog.maxAttempts().keySet());
        } else if (broker instanceof NatsQueues n) {
            n.known(catalog.maxAttempts().keySet().stream()
                    .map(name -> catalog.queue(name).orElseThrow())
                    .toList());
        }
        syncPushes();
    }

    /**
     * Webhook {@code i} of {@code events:} as a subscription of the events topic: the
     * types it takes as a filter on the {@code type} header, its attempts and backoff
     * as its queue's, its dead letters in that queue.
     */
    private static TopicConfig.Subscription webhook(int i, dev.baton.config.EventsConfig.Webhook w) {
        String name = "webhook-" + i;
        List<dev.baton.config.MessageFilter.Value> types = w.types().types().stream()
                .map(t -> new dev.baton.config.MessageFilter.Value(t.name(), false))
                .toList();
        Optional<dev.baton.config.MessageFilter> filter = types.size() == EventType.values().length
                ? Optional.empty()
                : Optional.of(new dev.baton.config.MessageFilter.In(
                        new dev.baton.config.MessageFilter.Field("headers.type", true, List.of("type")), types));
        QueueConfig delivery = new QueueConfig(
                TopicConfig.ownQueue(EVENTS_TOPIC, name),
                w.timeout().plusSeconds(5),
                w.maxAttempts(),
                w.backoff(),
                w.maxBackoff(),
                Duration.ZERO,
                QueueConfig.DEFAULT_MAX_MESSAGE_SIZE);
        return new TopicConfig.Subscription(
                EVENTS_TOPIC, name, new TopicConfig.PushUrl(w.url(), w.secret(), w.timeout()), filter, delivery);
    }

    // ---- declarations ----

    /** Every queue by name: the config file's, then the admin API's. */
    public Map<String, Declared<QueueConfig>> queues() {
        return catalog.queues();
    }

    /** Every topic by name. */
    public Map<String, Declared<TopicConfig>> topics() {
        return catalog.topics();
    }

    /** The queue {@code name} as it is now (a subscription's own queue too), or QueueRefused not_found. */
    public QueueConfig queue(String name) {
        return catalog.queue(name).orElseThrow(() -> notFound("queue", name));
    }

    /** Declares (or changes) queue {@code name} from JSON in the config's shape; kept in the store. */
    public CompletionStage<QueueConfig> declareQueue(String name, String json) {
        return blocking(() -> {
            synchronized (this) {
                fromFile("queue", name, catalog.queues().get(name));
                QueueConfig q = QueueDefinitions.queue(name, json);
                declarationStore()
                        .declare(new QueueRecords.Declaration(
                                "queue", name, QueueDefinitions.json(q).toString(), clock.instant()));
                apiQueues.put(name, q);
                apply(snapshots.get());
                events.publish(EventType.QUEUE_DECLARED, Map.of("queue", name));
                return q;
            }
        });
    }

    /** Deletes queue {@code name} and every message in it; refused while a subscription fans out into it. */
    public CompletionStage<Integer> deleteQueue(String name) {
        return blocking(() -> {
            synchronized (this) {
                Declared<QueueConfig> q = catalog.queues().get(name);
                if (q == null) {
                    throw notFound("queue", name);
                }
                fromFile("queue", name, q);
                for (Declared<TopicConfig> t : catalog.topics().values()) {
                    for (TopicConfig.Subscription s : t.config().subscriptions().values()) {
                        if (s.target() instanceof TopicConfig.IntoQueue i
                                && i.queue().equals(name)) {
                            throw new QueueRefused(
                                    "conflict",
                                    "subscription '" + s.name() + "' of topic '"
                                            + t.config().name() + "' fans out into queue '" + name
                                            + "': remove it first");
                        }
                    }
                }
                declarationStore().undeclare("queue", name);
                int dropped = backend().drop(name);
                apiQueues.remove(name);
                apply(snapshots.get());
                // A publish that read the catalog before it changed may have stored rows since.
                dropped += backend().drop(name);
                events.publish(EventType.QUEUE_DELETED, Map.of("queue", name, "messages", dropped));
                return dropped;
            }
        });
    }

    /** Declares (or changes) topic {@code name} with its subscriptions; kept in the store. */
    public CompletionStage<TopicConfig> declareTopic(String name, String json) {
        return blocking(() -> {
            synchronized (this) {
                fromFile("topic", name, catalog.topics().get(name));
                TopicConfig t = QueueDefinitions.topic(
                        name,
                        json,
                        this::queueDeclared,
                        snapshots.get().config().services());
                putTopic(t, Optional.ofNullable(apiTopics.get(name)));
                return t;
            }
        });
    }

    /** Adds (or changes) subscription {@code name} of the topic {@code topic}, which the admin API declared. */
    public CompletionStage<TopicConfig.Subscription> declareSubscription(String topic, String name, String json) {
        return blocking(() -> {
            synchronized (this) {
                TopicConfig t = apiTopic(topic);
                TopicConfig.Subscription s = QueueDefinitions.subscription(
                        topic,
                        name,
                        json,
                        this::queueDeclared,
                        snapshots.get().config().services());
                Map<String, TopicConfig.Subscription> subs = new LinkedHashMap<>(t.subscriptions());
                subs.put(name, s);
                putTopic(new TopicConfig(topic, subs), Optional.of(t));
                return s;
            }
        });
    }

    /** Removes subscription {@code name} of {@code topic}, with the messages in its own queue. */
    public CompletionStage<Integer> deleteSubscription(String topic, String name) {
        return blocking(() -> {
            synchronized (this) {
                TopicConfig t = apiTopic(topic);
                if (!t.subscriptions().containsKey(name)) {
                    throw notFound("subscription", topic + "/" + name);
                }
                Map<String, TopicConfig.Subscription> subs = new LinkedHashMap<>(t.subscriptions());
                subs.remove(name);
                return putTopic(new TopicConfig(topic, subs), Optional.of(t));
            }
        });
    }

    /** Deletes topic {@code name} and the messages in its subscriptions' own queues. */
    public CompletionStage<Integer> deleteTopic(String name) {
        return blocking(() -> {
            synchronized (this) {
                TopicConfig t = apiTopic(name);
                int dropped = 0;
                for (TopicConfig.Subscription s : t.subscriptions().values()) {
                    if (!(s.target() instanceof TopicConfig.IntoQueue)) {
                        dropped += backend().drop(s.queue());
                    }
                }
                declarationStore().undeclare("topic", name);
                apiTopics.remove(name);
                apply(snapshots.get());
                events.publish(EventType.TOPIC_DELETED, Map.of("topic", name, "messages", dropped));
                return dropped;
            }
        });
    }

    /** Stores {@code t}, dropping the own queues of subscriptions it no longer has (or no longer owns); how many messages went. */
    private int putTopic(TopicConfig t, Optional<TopicConfig> before) {
        declarationStore()
                .declare(new QueueRecords.Declaration(
                        "topic", t.name(), QueueDefinitions.json(t).toString(), clock.instant()));
        int dropped = 0;
        if (before.isPresent()) {
            for (TopicConfig.Subscription old : before.get().subscriptions().values()) {
                TopicConfig.Subscription now = t.subscriptions().get(old.name());
                boolean owned = !(old.target() instanceof TopicConfig.IntoQueue);
                if (owned && (now == null || now.target() instanceof TopicConfig.IntoQueue)) {
                    dropped += backend().drop(old.queue());
                }
            }
        }
        apiTopics.put(t.name(), t);
        apply(snapshots.get());
        events.publish(
                EventType.TOPIC_DECLARED,
                Map.of("topic", t.name(), "subscriptions", t.subscriptions().size()));
        return dropped;
    }

    private TopicConfig apiTopic(String name) {
        Declared<TopicConfig> t = catalog.topics().get(name);
        if (t == null) {
            throw notFound("topic", name);
        }
        fromFile("topic", name, t);
        // The webhooks' subscriptions come from events: at every apply; they are not the API's to keep.
        Map<String, TopicConfig.Subscription> own = new LinkedHashMap<>();
        t.config().subscriptions().forEach((n, sub) -> {
            if (!(sub.target() instanceof TopicConfig.PushUrl)) {
                own.put(n, sub);
            }
        });
        return new TopicConfig(name, own);
    }

    private static void fromFile(String kind, String name, @Nullable Declared<?> d) {
        if (d != null && d.source().equals("config")) {
            throw new QueueRefused(
                    "conflict", kind + " '" + name + "' is declared in the config file: change it there");
        }
    }

    private boolean queueDeclared(String name) {
        return catalog.queues().containsKey(name);
    }

    // ---- producing ----

    /** Publishes {@code messages} to queue {@code queue} in one transaction; their ids, in order. */
    public CompletionStage<List<String>> publish(String queue, List<Message> messages) {
        QueueConfig q;
        List<QueueRecords.NewMessage> rows = new ArrayList<>();
        try {
            q = queue(queue);
            batch(messages);
            Instant now = clock.instant();
            for (int i = 0; i < messages.size(); i++) {
                rows.add(row(q, UUID.randomUUID().toString(), check(messages.get(i), q, i, messages.size()), now));
            }
            brokerCan(messages);
        } catch (QueueRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return store(rows, messages.size());
    }

    /**
     * Publishes {@code messages} to topic {@code topic}: each goes, with one id, to
     * every subscription whose filter it passes, all in one transaction; a message no
     * subscription takes is counted and dropped. Their ids, in order.
     */
    public CompletionStage<List<String>> publishToTopic(String topic, List<Message> messages) {
        List<QueueRecords.NewMessage> rows = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try {
            Catalog cat = catalog;
            Declared<TopicConfig> t = cat.topics().get(topic);
            if (t == null) {
                throw notFound("topic", topic);
            }
            batch(messages);
            brokerCan(messages);
            Instant now = clock.instant();
            for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                String id = UUID.randomUUID().toString();
                ids.add(id);
                Optional<com.fasterxml.jackson.databind.JsonNode> body = parsed(m.body());
                boolean taken = false;
                for (TopicConfig.Subscription s : t.config().subscriptions().values()) {
                    if (s.filter().isPresent() && !s.filter().get().matches(m.headers(), body)) {
                        continue;
                    }
                    QueueConfig q = cat.queue(s.queue()).orElseThrow(() -> notFound("queue", s.queue()));
                    rows.add(row(q, id, check(m, q, i, messages.size()), now));
                    taken = true;
                }
                if (!taken) {
                    meters.count(topic, "unrouted");
                }
            }
        } catch (QueueRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        if (rows.isEmpty()) {
            return CompletableFuture.completedFuture(ids);
        }
        // A message's rows (one per subscription) share its id; a dropped duplicate's row
        // comes back with the id of the message that had its dedup id first.
        return store(rows, rows.size()).thenApply(stored -> {
            List<String> out = new ArrayList<>(ids);
            for (int r = 0; r < rows.size(); r++) {
                int m = ids.indexOf(rows.get(r).id());
                if (m >= 0 && !stored.get(r).equals(rows.get(r).id())) {
                    out.set(m, stored.get(r));
                }
            }
            return out;
        });
    }

    private CompletionStage<List<String>> store(List<QueueRecords.NewMessage> rows, int published) {
        Instant now = clock.instant();
        return blocking(() -> backend().publish(rows, now)).thenApply(ids -> {
            for (int i = 0; i < rows.size(); i++) {
                QueueRecords.NewMessage r = rows.get(i);
                meters.count(r.queue(), ids.get(i).equals(r.id()) ? "published" : "deduplicated");
            }
            rows.stream().map(QueueRecords.NewMessage::queue).distinct().forEach(this::signal);
            return ids.subList(0, Math.min(ids.size(), published));
        });
    }

    /** What the broker cannot do is refused, rather than half done: per-key order, dedup ids. */
    private void brokerCan(List<Message> messages) {
        if (broker == null) {
            return;
        }
        for (Message m : messages) {
            if (m.key().isPresent()) {
                throw new QueueRefused(
                        "invalid", "queues on " + brokerKind + " keep no per-key order: publish without a key");
            }
            if (m.dedupId().isPresent() && brokerKind.equals("rabbitmq")) {
                throw new QueueRefused(
                        "invalid", "queues on " + brokerKind + " drop no duplicates: publish without a dedupId");
            }
            if (m.priority() != 0 && !brokerPriorities) {
                throw new QueueRefused(
                        "invalid",
                        "queues on " + brokerKind + (brokerKind.equals("rabbitmq") ? " (quorum)" : "")
                                + " have no priorities: publish without a priority");
            }
        }
    }

    private static void batch(List<Message> messages) {
        if (messages.isEmpty()) {
            throw new QueueRefused("invalid", "no messages to publish");
        }
        if (messages.size() > MAX_BATCH) {
            throw new QueueRefused("invalid", "at most " + MAX_BATCH + " messages in one publish");
        }
    }

    /** {@code m} when it can go into {@code q}, else QueueRefused saying what is wrong. */
    private static Message check(Message m, QueueConfig q, int index, int of) {
        String which = of == 1 ? "the message" : "message " + index;
        if (m.body().size() > q.maxMessageSize()) {
            throw new QueueRefused(
                    "too_large",
                    which + "'s body is " + m.body().size() + " bytes, over queue '" + q.name()
                            + "''s max-message-size of " + q.maxMessageSize());
        }
        if (m.priority() < 0 || m.priority() > 9) {
            throw new QueueRefused("invalid", which + "'s priority must be 0 to 9, but was " + m.priority());
        }
        if (m.headers().size() > MAX_HEADERS) {
            throw new QueueRefused("invalid", which + " has over " + MAX_HEADERS + " headers");
        }
        for (Map.Entry<String, String> h : m.headers().entrySet()) {
            String name = h.getKey();
            if (name.length() > 100 || !FieldSyntax.isToken(name)) {
                throw new QueueRefused(
                        "invalid",
                        which + "'s header '" + FieldSyntax.printable(name)
                                + "' is not a valid name (a token of at most 100 characters)");
            }
            if (RESERVED.contains(name) || name.startsWith("x-baton-")) {
                throw new QueueRefused("invalid", which + "'s header '" + name + "' is Baton's own to set");
            }
            if (h.getValue().length() > MAX_HEADER_VALUE || !FieldSyntax.isValue(h.getValue())) {
                throw new QueueRefused(
                        "invalid",
                        which + "'s header '" + name + "' has a value that is not valid (visible characters, at most "
                                + MAX_HEADER_VALUE + ")");
            }
        }
        m.delay().ifPresent(d -> {
            if (d.isNegative() || d.compareTo(MAX_DELAY) > 0) {
                throw new QueueRefused("invalid", which + "'s delay must be between 0s and 30d");
            }
        });
        text(which, "key", m.key());
        text(which, "dedup id", m.dedupId());
        return m;
    }

    private static void text(String which, String what, Optional<String> value) {
        if (value.isPresent()
                && (value.get().isEmpty()
                        || value.get().length() > MAX_KEY
                        || value.get().chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
            throw new QueueRefused(
                    "invalid", which + "'s " + what + " must be 1 to " + MAX_KEY + " characters, with no controls");
        }
    }

    private QueueRecords.NewMessage row(QueueConfig q, String id, Message m, Instant now) {
        Instant due = m.deliverAt()
                .map(at -> at.isBefore(now) ? now : at)
                .orElse(now.plus(m.delay().orElse(Duration.ZERO)));
        if (due.isAfter(now.plus(MAX_DELAY))) {
            throw new QueueRefused("invalid", "a message can be delivered at most 30d from now");
        }
        String headers;
        try {
            headers = JSON.writeValueAsString(m.headers());
        } catch (IOException e) {
            throw new QueueRefused("invalid", "the headers cannot be written: " + e.getMessage());
        }
        return new QueueRecords.NewMessage(
                q.name(),
                id,
                m.priority(),
                m.key(),
                due,
                headers,
                m.body().raw(),
                m.body().isJson(),
                m.dedupId(),
                now.plus(q.dedupWindow()));
    }

    private static Optional<com.fasterxml.jackson.databind.JsonNode> parsed(Body body) {
        try {
            return body.asJson();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    // ---- consuming ----

    /**
     * Leases up to {@code max} messages of {@code queue} for its visibility, waiting up
     * to {@code wait} for the first; an empty list when none came. Cancelling the
     * future gives up the wait (and what it was about to receive goes back).
     */
    public CompletableFuture<List<Delivery>> receive(String queue, int max, Duration wait) {
        try {
            pullable(queue);
            if (max < 1 || max > MAX_RECEIVE) {
                throw new QueueRefused("invalid", "max must be 1 to " + MAX_RECEIVE + ", but was " + max);
            }
            if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
                throw new QueueRefused("invalid", "wait must be between 0s and 60s");
            }
        } catch (QueueRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return waiters().receive(queue, max, wait);
    }

    /** The queue when a consumer may receive from it: not a push subscription's, whose messages Baton delivers. */
    private QueueConfig pullable(String queue) {
        QueueConfig q = queue(queue);
        Optional<TopicConfig.Subscription> s = catalog.subscription(queue);
        if (s.isPresent()
                && (s.get().target() instanceof TopicConfig.Push || s.get().target() instanceof TopicConfig.PushUrl)) {
            throw new QueueRefused(
                    "conflict", "subscription '" + queue + "' pushes its messages: they cannot be received");
        }
        return q;
    }

    /** Acknowledges the messages of {@code receipts}: they are done and deleted. */
    public CompletionStage<Integer> ack(String queue, List<String> receipts) {
        return settle(queue, receipts, (rs, now, q) -> backend().ack(queue, rs), "acked");
    }

    /**
     * Gives messages back as failed attempts: each comes again after {@code delay} or,
     * when none is given, after the queue's backoff; past its last attempt it becomes
     * a dead letter. {@code reason} is kept with the attempt ("nack" when none).
     */
    public CompletionStage<Integer> nack(
            String queue, List<String> receipts, Optional<Duration> delay, Optional<String> reason) {
        if (delay.isPresent() && (delay.get().isNegative() || delay.get().compareTo(MAX_DELAY) > 0)) {
            return CompletableFuture.failedFuture(new QueueRefused("invalid", "delay must be between 0s and 30d"));
        }
        String error = reason.map(r -> "nack: " + r).orElse("nack");
        return settle(
                queue, receipts, (rs, now, q) -> backend().nack(queue, rs, now, error, retry(q, now, delay)), "nacked");
    }

    /** Moves the leases of {@code receipts} to end {@code visibility} from now. */
    public CompletionStage<Integer> extend(String queue, List<String> receipts, Duration visibility) {
        if (visibility.compareTo(Duration.ofMillis(100)) < 0 || visibility.compareTo(Duration.ofHours(12)) > 0) {
            return CompletableFuture.failedFuture(
                    new QueueRefused("invalid", "visibility must be between 100ms and 12h"));
        }
        return settle(queue, receipts, (rs, now, q) -> backend().extend(queue, rs, now.plus(visibility)), "extended");
    }

    private interface ByReceipt {
        QueueRecords.Settled apply(List<QueueRecords.Receipt> receipts, Instant now, QueueConfig q);
    }

    private CompletionStage<Integer> settle(String queue, List<String> receipts, ByReceipt change, String result) {
        QueueConfig q;
        List<QueueRecords.Receipt> parsed;
        try {
            q = queue(queue);
            if (receipts.isEmpty() || receipts.size() > MAX_RECEIVE * 10) {
                throw new QueueRefused("invalid", "receipts must be a list of 1 to " + MAX_RECEIVE * 10);
            }
            parsed = receipts.stream().map(Queues::receipt).toList();
        } catch (QueueRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return blocking(() -> change.apply(parsed, clock.instant(), q)).thenApply(s -> {
            if (!s.ok()) {
                throw new QueueRefused(
                        "conflict",
                        "stale receipt" + (s.stale().size() == 1 ? "" : "s") + " (the lease ran out and the message was"
                                + " received again), so nothing changed: "
                                + String.join(
                                        ", ",
                                        s.stale().stream()
                                                .map(r -> r.id() + "." + r.token())
                                                .toList()));
            }
            meters.count(queue, result, s.changed());
            if (result.equals("acked") || result.equals("nacked")) {
                churn.add(s.changed()); // each leaves a dead row (and a lease, another)
            }
            dead(queue, s.dead(), result);
            if (result.equals("nacked") || result.equals("acked")) {
                signal(queue); // a nack may be due at once; an ack lets its key's next message go
            }
            return s.changed();
        });
    }

    private static QueueRecords.Receipt receipt(String text) {
        int dot = text.indexOf('.');
        if (dot < 1
                || dot > 40
                || text.length() - dot - 1 < 1
                || text.length() - dot - 1 > 40
                || !text.chars()
                        .allMatch(c -> c == '.' || c == '-' || c == '_' || Character.isLetterOrDigit(c) && c < 128)
                || text.indexOf('.', dot + 1) >= 0) {
            throw new QueueRefused(
                    "invalid",
                    "'" + FieldSyntax.printable(text.length() > 90 ? text.substring(0, 90) : text)
                            + "' is not a receipt");
        }
        return new QueueRecords.Receipt(text.substring(0, dot), text.substring(dot + 1));
    }

    /** When a message that failed attempt {@code n} comes again: after {@code delay}, or the queue's backoff; empty past the last. */
    private static QueueRecords.Retry retry(QueueConfig q, Instant now, Optional<Duration> delay) {
        return attempt -> {
            if (attempt >= q.maxAttempts()) {
                return Optional.empty();
            }
            return Optional.of(now.plus(delay.orElseGet(() -> backoff(q, attempt))));
        };
    }

    /**
     * The wait after failed attempt {@code attempt}: {@code backoff} doubling up to
     * {@code max-backoff}, spread ±20% so that messages that failed together do not
     * all come back together, and never less than a millisecond: never at once.
     */
    static Duration backoff(QueueConfig q, int attempt) {
        long max = q.maxBackoff().toMillis();
        long wait = Backoff.millis(q.backoff().toMillis(), 2.0, max, attempt - 1);
        long spread = Backoff.spread(wait, 20, ThreadLocalRandom.current());
        return Duration.ofMillis(Math.max(1, Math.min(max, spread)));
    }

    /**
     * Hands every message of {@code queue} to {@code handler}, at most {@code
     * concurrency} at once: its stage completing acknowledges the message, failing
     * gives it back with the failure's message as the error. The returned handle
     * stops it.
     */
    public AutoCloseable consume(String queue, int concurrency, Function<Delivery, CompletionStage<?>> handler) {
        pullable(queue);
        if (concurrency < 1 || concurrency > 256) {
            throw new QueueRefused("invalid", "concurrency must be 1 to 256");
        }
        Deliverer d = new Deliverer(
                context(),
                queue,
                concurrency,
                this::claim,
                this::settleDelivery,
                delivery -> Future.fromCompletionStage(handler.apply(delivery))
                        .map(x -> (Deliverer.Outcome) new Deliverer.Done()),
                Optional::empty,
                reason -> {});
        consumers.add(d);
        d.signal();
        return () -> {
            consumers.remove(d);
            d.close();
        };
    }

    // ---- dead letters ----

    /** The dead letters of {@code queue}, oldest first, at most {@code limit}. */
    public CompletionStage<List<DeadLetter>> deadLetters(String queue, int limit) {
        try {
            queue(queue);
        } catch (QueueRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return blocking(() -> backend().deadLetters(queue, Math.max(1, Math.min(limit, 1000))).stream()
                .map(Queues::deadLetter)
                .toList());
    }

    /** Puts dead letters back with fresh attempts: those of {@code ids}, or all; how many. */
    public CompletionStage<Integer> redrive(String queue, Optional<List<String>> ids) {
        try {
            queue(queue);
        } catch (QueueRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return blocking(() -> backend().redrive(queue, ids, clock.instant())).thenApply(n -> {
            meters.count(queue, "redriven", n);
            if (n > 0) {
                events.publish(EventType.QUEUE_REDRIVEN, Map.of("queue", queue, "messages", n));
                signal(queue);
            }
            return n;
        });
    }

    /** Deletes dead letters: those of {@code ids}, or all; how many. */
    public CompletionStage<Integer> purgeDeadLetters(String queue, Optional<List<String>> ids) {
        try {
            queue(queue);
        } catch (QueueRefused e) {
            return CompletableFuture.failedFuture(e);
        }
        return blocking(() -> backend().purgeDeadLetters(queue, ids)).thenApply(n -> {
            meters.count(queue, "purged", n);
            if (n > 0) {
                events.publish(EventType.QUEUE_PURGED, Map.of("queue", queue, "messages", n));
            }
            return n;
        });
    }

    private static DeadLetter deadLetter(QueueRecords.Message m) {
        return new DeadLetter(
                m.queue(),
                m.id(),
                Body.stored(m.body(), m.json()),
                headers(m.headers()),
                m.priority(),
                m.key(),
                m.createdAt(),
                m.dueAt(),
                m.attempts().stream()
                        .map(a -> new DeadLetter.Attempt(a.attempt(), a.at(), a.error()))
                        .toList());
    }

    /** The queues' meters, to bind to the registry. */
    public QueueMeters meters() {
        return meters;
    }

    // ---- the moving parts ----

    private Future<List<Delivery>> claim(String queue, int max) {
        Optional<QueueConfig> q = catalog.queue(queue);
        if (q.isEmpty() || closed) {
            return Future.succeededFuture(List.of());
        }
        Duration visibility = q.get().visibility();
        return worker(
                        () -> {
                            Instant now = clock.instant();
                            return backend().claim(queue, max, now, now.plus(visibility), Queues::token).stream()
                                    .map(Queues::delivery)
                                    .toList();
                        },
                        false)
                .onSuccess(got -> meters.count(queue, "delivered", got.size()));
    }

    /** Gives back, uncounted, deliveries that no one will take (a consumer that went away). */
    public void release(List<Delivery> unwanted) {
        Map<String, List<QueueRecords.Receipt>> byQueue = new HashMap<>();
        for (Delivery d : unwanted) {
            byQueue.computeIfAbsent(d.queue(), k -> new ArrayList<>()).add(receipt(d.receipt()));
        }
        byQueue.forEach((queue, receipts) -> worker(() -> backend().release(queue, receipts, clock.instant()), false)
                .onSuccess(s -> signal(queue))
                .onFailure(e ->
                        log.warn("cannot give back {} messages of {}: {}", receipts.size(), queue, e.getMessage())));
    }

    /** Settles a delivery of a consumer or a push; a stale receipt (the handler outlived its lease) is only logged. */
    private Future<Void> settleDelivery(Delivery d, Deliverer.Outcome o) {
        if (o instanceof Deliverer.Unavailable) {
            release(List.of(d));
            return Future.succeededFuture();
        }
        CompletionStage<Integer> done = o instanceof Deliverer.Failed f
                ? settle(
                        d.queue(),
                        List.of(d.receipt()),
                        (rs, now, q) -> backend().nack(d.queue(), rs, now, f.error(), retry(q, now, f.after())),
                        "nacked")
                : ack(d.queue(), List.of(d.receipt()));
        return Future.fromCompletionStage(done).<Void>mapEmpty().recover(e -> {
            log.debug("delivery of {} on {} settled late: {}", d.id(), d.queue(), e.getMessage());
            return Future.succeededFuture();
        });
    }

    private void dead(String queue, List<String> ids, String how) {
        if (ids.isEmpty()) {
            return;
        }
        meters.count(queue, "dead_lettered", ids.size());
        for (String id : ids) {
            events.publish(EventType.MESSAGE_DEAD_LETTERED, Map.of("queue", queue, "id", id, "after", how));
        }
    }

    private void signal(String queue) {
        Waiters w = waiters;
        if (w != null) {
            w.signal(queue);
        }
        Deliverer p = pushes.get(queue); // no lock: a declaration's store work must not hold up a publish
        if (p != null) {
            p.signal();
        }
        for (Deliverer c : consumers) {
            if (c.queue().equals(queue)) {
                c.signal();
            }
        }
    }

    private void scheduleTick() {
        if (!closed) {
            tick = scheduler.after(POLL, () -> context().runOnContext(v -> tick()));
        }
    }

    /** Ends leases that ran out, wakes what waits, and now and then reads depths and forgets old dedup ids. */
    private void tick() {
        Catalog cat = catalog;
        if (closed) {
            return;
        }
        if (cat.isEmpty() && !data.exists()) {
            scheduleTick();
            return;
        }
        long n = ticks++;
        Map<String, Integer> attempts = cat.maxAttempts();
        worker(
                        () -> {
                            if (notices == null && broker == null && !closed) {
                                notices = data.get().listen(this::signal);
                            }
                            Instant now = clock.instant();
                            List<QueueRecords.Ended> ended = backend().expire(now, attempts, EXPIRE_BATCH);
                            if (n % DEPTH_TICKS == 0) {
                                meters.depths(backend().depths(now), now, attempts.keySet());
                            }
                            if (n % DEDUP_TICKS == 0) {
                                backend().forgetDedupIds(now);
                            }
                            if (broker == null && churn.sum() >= VACUUM_AFTER) {
                                churn.reset();
                                declarationStore().vacuum();
                            }
                            return ended;
                        },
                        false)
                .onComplete(ar -> {
                    if (ar.succeeded()) {
                        for (QueueRecords.Ended e : ar.result()) {
                            meters.count(e.queue(), "expired");
                            if (e.dead()) {
                                dead(e.queue(), List.of(e.id()), "lease expired");
                            }
                        }
                    } else {
                        log.warn("queues: {}", ar.cause().getMessage());
                    }
                    waiters().signalAll();
                    List<Deliverer> all;
                    synchronized (this) {
                        all = new ArrayList<>(pushes.values());
                    }
                    all.addAll(consumers);
                    all.forEach(Deliverer::tick);
                    scheduleTick();
                });
    }

    /** Starts, changes and stops the push loops to match the catalog's push subscriptions. */
    private void syncPushes() {
        Context c = context;
        ServiceCalls sc = calls;
        io.vertx.core.http.HttpClient web = webhooks;
        if (c == null || sc == null || web == null) {
            return; // not started: start() syncs
        }
        Map<String, TopicConfig.Target> wanted = new HashMap<>();
        for (Declared<TopicConfig> t : catalog.topics().values()) {
            for (TopicConfig.Subscription s : t.config().subscriptions().values()) {
                if (s.target() instanceof TopicConfig.Push || s.target() instanceof TopicConfig.PushUrl) {
                    wanted.put(s.queue(), s.target());
                }
            }
        }
        for (String q : List.copyOf(pushes.keySet())) {
            TopicConfig.Target w = wanted.get(q);
            if (w == null || !w.equals(pushConfigs.get(q))) {
                Deliverer gone = pushes.remove(q);
                if (gone != null) {
                    gone.close();
                }
                pushConfigs.remove(q);
            }
        }
        wanted.forEach((queue, target) -> {
            if (pushes.containsKey(queue)) {
                return;
            }
            Deliverer d;
            if (target instanceof TopicConfig.Push push) {
                Pusher pusher = new Pusher(queue, push, sc);
                d = new Deliverer(
                        c,
                        queue,
                        push.concurrency(),
                        this::claim,
                        this::settleDelivery,
                        pusher::deliver,
                        () -> sc.heldBack(push.service(), false),
                        reason -> events.publish(
                                reason.isPresent() ? EventType.QUEUE_DELIVERY_PAUSED : EventType.QUEUE_DELIVERY_RESUMED,
                                reason.isPresent()
                                        ? Map.of("queue", queue, "service", push.service(), "reason", reason.get())
                                        : Map.of("queue", queue, "service", push.service())));
            } else {
                UrlPusher pusher = new UrlPusher((TopicConfig.PushUrl) target, web);
                d = new Deliverer(
                        c, queue, 1, this::claim, this::settleDelivery, pusher::deliver, Optional::empty, r -> {});
            }
            pushes.put(queue, d);
            pushConfigs.put(queue, target);
            d.signal();
        });
    }

    /**
     * POSTs a subscription's messages to a URL of their own (a webhook of {@code
     * events:}), signed as webhooks are; one at a time, in order.
     */
    private final class UrlPusher {
        private final TopicConfig.PushUrl target;
        private final io.vertx.core.http.HttpClient client;

        UrlPusher(TopicConfig.PushUrl target, io.vertx.core.http.HttpClient client) {
            this.target = target;
            this.client = client;
        }

        Future<Deliverer.Outcome> deliver(Delivery d) {
            String body = d.body().text();
            long timestamp = clock.instant().getEpochSecond();
            io.vertx.core.http.RequestOptions o = new io.vertx.core.http.RequestOptions()
                    .setMethod(io.vertx.core.http.HttpMethod.POST)
                    .setAbsoluteURI(target.url().toString())
                    .setTimeout(target.timeout().toMillis())
                    .putHeader("content-type", "application/json")
                    .putHeader("user-agent", "baton")
                    .putHeader("x-baton-message-id", d.id())
                    .putHeader("x-baton-attempt", Integer.toString(d.attempt()))
                    .putHeader("x-baton-timestamp", Long.toString(timestamp));
            String type = d.headers().get("type");
            if (type != null) {
                o.putHeader("x-baton-event-type", type);
            }
            d.body()
                    .asJson()
                    .map(j -> j.path("id"))
                    .filter(j -> j.isNumber())
                    .ifPresent(id -> o.putHeader("x-baton-event-id", id.asText()));
            target.secret()
                    .ifPresent(sec -> o.putHeader(
                            "x-baton-signature",
                            "sha256=" + dev.baton.security.WebhookSignature.sign(sec, timestamp, body)));
            return client.request(o)
                    .compose(req -> req.send(body))
                    .compose(resp -> resp.body().map(b -> {
                        if (resp.statusCode() / 100 == 2) {
                            return (Deliverer.Outcome) new Deliverer.Done();
                        }
                        String excerpt = b.toString(StandardCharsets.UTF_8);
                        excerpt = excerpt.substring(0, Math.min(200, excerpt.length()))
                                .replaceAll("[\\p{Cntrl}]", " ")
                                .trim();
                        return new Deliverer.Failed(
                                "status " + resp.statusCode() + (excerpt.isEmpty() ? "" : ": " + excerpt),
                                Optional.ofNullable(
                                        ServiceCalls.retryAfter(resp.getHeader("retry-after"), clock.instant())));
                    }))
                    .recover(e -> Future.succeededFuture(new Deliverer.Failed(
                            "cannot deliver to " + target.url().getHost() + ": "
                                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()),
                            Optional.empty())));
        }
    }

    /** POSTs a subscription's messages to its service. */
    private final class Pusher {
        private final String queue;
        private final TopicConfig.Push push;
        private final ServiceCalls calls;

        Pusher(String queue, TopicConfig.Push push, ServiceCalls calls) {
            this.queue = queue;
            this.push = push;
            this.calls = calls;
        }

        Future<Deliverer.Outcome> deliver(Delivery d) {
            Map<String, String> headers = new LinkedHashMap<>(d.headers());
            String type = headers.remove("content-type");
            headers.put("x-baton-message-id", d.id());
            headers.put("x-baton-queue", queue);
            headers.put("x-baton-attempt", Integer.toString(d.attempt()));
            ServiceCalls.Request request = new ServiceCalls.Request(
                    push.service(),
                    "POST",
                    push.path(),
                    headers,
                    Optional.of(d.body().raw()),
                    type != null ? type : d.body().isJson() ? "application/json" : "application/octet-stream");
            ServiceCalls.Call call = calls.send(request, push.timeout(), false);
            Scheduler.Cancellable timer = scheduler.after(push.timeout(), call::abort);
            return call.result().map(r -> {
                timer.cancel();
                return outcome(r);
            });
        }

        private Deliverer.Outcome outcome(ServiceCalls.Result r) {
            if (r instanceof ServiceCalls.Answered a) {
                if (a.status() >= 200 && a.status() < 300) {
                    return new Deliverer.Done();
                }
                String body = new String(a.body(), 0, Math.min(a.body().length, 200), StandardCharsets.UTF_8)
                        .replaceAll("[\\p{Cntrl}]", " ")
                        .trim();
                return new Deliverer.Failed(
                        "status " + a.status() + (body.isEmpty() ? "" : ": " + body),
                        Optional.ofNullable(a.retryAfter()));
            }
            ServiceCalls.Failed f = (ServiceCalls.Failed) r;
            // Nothing reached the service: not the message's failure, so no attempt is spent on it.
            if (f.kind() == ServiceCalls.Kind.UNAVAILABLE
                    || f.kind() == ServiceCalls.Kind.HELD_BACK
                    || (f.kind() == ServiceCalls.Kind.CONNECT && !f.sent())) {
                return new Deliverer.Unavailable(f.error());
            }
            return new Deliverer.Failed(f.error(), Optional.empty());
        }
    }

    private static Delivery delivery(QueueRecords.Message m) {
        return new Delivery(
                m.queue(),
                m.id(),
                m.id() + "." + m.receipt().orElse(""),
                m.attempt(),
                m.priority(),
                headers(m.headers()),
                Body.stored(m.body(), m.json()),
                m.key(),
                m.createdAt(),
                m.dueAt());
    }

    private static Map<String, String> headers(String json) {
        try {
            return JSON.readValue(json, HEADERS);
        } catch (IOException e) {
            return Map.of();
        }
    }

    private static String token() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static QueueRefused notFound(String kind, String name) {
        return new QueueRefused("not_found", "no " + kind + " '" + name + "'");
    }

    private <T> CompletionStage<T> blocking(java.util.concurrent.Callable<T> work) {
        return worker(work, false).toCompletionStage();
    }

    /**
     * Runs store or broker work on Vert.x's worker pool, counted, so that {@link
     * #close} can wait for what is out before the store closes under it.
     */
    private <T> Future<T> worker(java.util.concurrent.Callable<T> work, boolean ordered) {
        synchronized (busy) {
            busy[0]++;
        }
        return vertx.executeBlocking(work, ordered).andThen(ar -> {
            synchronized (busy) {
                busy[0]--;
                busy.notifyAll();
            }
        });
    }

    /** Where run-time declarations are kept: always Baton's own store, whatever keeps the messages. */
    private QueueRecords declarationStore() {
        return data.get().queues();
    }

    /** Where messages are kept: the store, or the broker of {@code queues.broker}. */
    private QueueBackend backend() {
        QueueBackend b = broker;
        return b != null ? b : data.get().queues();
    }

    private Context context() {
        Context c = context;
        if (c == null) {
            throw new IllegalStateException("queues are not started");
        }
        return c;
    }

    private Waiters waiters() {
        Waiters w = waiters;
        if (w == null) {
            throw new IllegalStateException("queues are not started");
        }
        return w;
    }

    @Override
    public void close() {
        closed = true;
        // What is out finishes first (at most a few seconds): the store closes after this.
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        synchronized (busy) {
            while (busy[0] > 0 && System.nanoTime() < until) {
                try {
                    busy.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        Scheduler.Cancellable t = tick;
        if (t != null) {
            t.cancel();
        }
        synchronized (this) {
            pushes.values().forEach(Deliverer::close);
            pushes.clear();
            pushConfigs.clear();
        }
        consumers.forEach(Deliverer::close);
        consumers.clear();
        ServiceCalls c = calls;
        if (c != null) {
            c.close();
            calls = null;
        }
        io.vertx.core.http.HttpClient w = webhooks;
        if (w != null) {
            w.close();
            webhooks = null;
        }
        QueueBackend b = broker;
        if (b instanceof AutoCloseable r) {
            try {
                r.close();
            } catch (Exception e) {
                log.debug("queues broker: {}", e.getMessage());
            }
            broker = null;
        }
        AutoCloseable n = notices;
        if (n != null) {
            try {
                n.close();
            } catch (Exception e) {
                log.debug("queue notices: {}", e.getMessage());
            }
            notices = null;
        }
    }
}
