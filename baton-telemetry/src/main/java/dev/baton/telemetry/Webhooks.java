package dev.baton.telemetry;

import dev.baton.config.EventsConfig;
import dev.baton.control.DataStore;
import dev.baton.control.Snapshot;
import dev.baton.events.Event;
import dev.baton.events.EventBus;
import dev.baton.lifecycle.Component;
import dev.baton.resilience.Backoff;
import dev.baton.store.DeadLetters;
import dev.baton.store.StoreException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers events to the configured webhooks ({@code events.webhooks}). Each event
 * is POSTed as its JSON, signed when the webhook has a secret, and tried again with
 * exponential backoff (jittered, capped at {@code max-backoff}) until
 * {@code max-attempts}; deliveries are independent, so one failing event does not
 * hold back the next. What never arrives becomes a dead letter in the store: after
 * the last attempt, when more than {@code queue} deliveries are outstanding, and
 * for every delivery still outstanding when Baton stops. Nothing is silently lost.
 *
 * <p>Signature: {@code X-Baton-Signature: sha256=HEX} where HEX is HMAC-SHA256 with
 * the secret over {@code TIMESTAMP + "." + BODY}, and {@code X-Baton-Timestamp} is
 * the Unix time in seconds (as Stripe's, so receivers can refuse old replays).
 */
public final class Webhooks implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);

    private final EventBus bus;
    private final DataStore store;
    private final Clock clock;
    private final String userAgent;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "baton-webhooks");
        t.setDaemon(true);
        return t;
    });
    private final Set<Delivery> outstanding = ConcurrentHashMap.newKeySet();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final LongAdder deadLettered = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private volatile List<Hook> hooks = List.of();
    private volatile List<EventsConfig.Webhook> configured = List.of();
    private boolean closed;

    /**
     * @param http the client deliveries go out on. Given, not made here: the JDK's
     *     client cannot be closed, and its selector thread lives as long as it does,
     *     so one client serves every start of a Baton (see {@link #client()}).
     */
    public Webhooks(EventBus bus, DataStore store, HttpClient http, Clock clock, String version) {
        this.bus = bus;
        this.store = store;
        this.http = http;
        this.clock = clock;
        this.userAgent = "Baton/" + version;
    }

    /** One configured webhook and its subscription. */
    private final class Hook {
        final EventsConfig.Webhook config;
        final String name;
        final AtomicInteger pending = new AtomicInteger();
        final EventBus.Subscription subscription;

        Hook(EventsConfig.Webhook config) {
            this.config = config;
            this.name = label(config.url());
            this.subscription = bus.subscribeSync("webhook " + name, config.types(), -1, this::enqueue);
        }

        /** On the publisher's thread: never blocks, never does I/O. */
        private void enqueue(Event e) {
            Delivery d = new Delivery(this, e.id(), e.type().name(), EventJson.encode(e));
            if (pending.incrementAndGet() > config.queue()) {
                pending.decrementAndGet();
                scheduler.execute(() ->
                        deadLetter(d, 0, "more than " + config.queue() + " deliveries outstanding for this webhook"));
                return;
            }
            outstanding.add(d);
            scheduler.execute(() -> attempt(d));
        }
    }

    /** One event on its way to one webhook. */
    private static final class Delivery {
        final Hook hook;
        final long eventId;
        final String type;
        final String body;
        int attempts;

        Delivery(Hook hook, long eventId, String type, String body) {
            this.hook = hook;
            this.eventId = eventId;
            this.type = type;
            this.body = body;
        }
    }

    /**
     * The result of one try: delivered, or why not.
     *
     * @param status the receiver's status; 0 when none came (it could not be reached)
     * @param error why it was not delivered; null when it was
     */
    public record Attempt(
            boolean delivered, int status, @Nullable String error) {}

    /** Takes nothing yet: the sender's thread starts with the first delivery. */
    @Override
    public void start() {}

    /** Follows the snapshot's {@code observability.events.webhooks}. */
    @Override
    public void apply(Snapshot next) {
        var events = next.config().observability().events();
        // With events.persist, the webhooks are subscriptions of the events topic: the queues deliver them.
        configure(events.persist() ? java.util.List.of() : events.webhooks());
    }

    /** Follows the config: subscribes new webhooks, unsubscribes removed ones (their retries go on). */
    public synchronized void configure(List<EventsConfig.Webhook> wanted) {
        if (closed || wanted.equals(configured)) {
            return;
        }
        hooks.forEach(h -> h.subscription.close());
        hooks = wanted.stream().map(Hook::new).toList();
        configured = wanted;
        if (!wanted.isEmpty()) {
            log.info("webhooks: {}", hooks.stream().map(h -> h.name).toList());
        }
    }

    private void attempt(Delivery d) {
        d.attempts++;
        send(d.hook.config, d.eventId, d.type, d.body).whenComplete((result, err) -> {
            Attempt a = err != null ? new Attempt(false, 0, err.toString()) : result;
            if (a.delivered()) {
                delivered.increment();
                done(d);
            } else if (d.attempts < d.hook.config.maxAttempts() && !scheduler.isShutdown()) {
                retried.increment();
                long wait = backoffMillis(d.hook.config, d.attempts);
                log.debug(
                        "webhook {}: event {} try {} failed ({}); again in {} ms",
                        d.hook.name,
                        d.eventId,
                        d.attempts,
                        a.error(),
                        wait);
                try {
                    scheduler.schedule(() -> attempt(d), wait, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopping) {
                    // close() dead-letters what is still outstanding
                }
            } else {
                log.warn(
                        "webhook {}: event {} not delivered after {} tries: {}",
                        d.hook.name,
                        d.eventId,
                        d.attempts,
                        a.error());
                deadLetter(d, d.attempts, Objects.requireNonNullElse(a.error(), "not delivered"));
            }
        });
    }

    private void done(Delivery d) {
        if (outstanding.remove(d)) {
            d.hook.pending.decrementAndGet();
        }
    }

    private void deadLetter(Delivery d, int attempts, String error) {
        boolean mine = outstanding.remove(d);
        if (mine) {
            d.hook.pending.decrementAndGet();
        } else if (attempts > 0) {
            return; // close() got there first
        }
        try {
            store.get()
                    .deadLetters()
                    .add(d.hook.config.url().toString(), d.eventId, d.type, d.body, attempts, error, clock.instant());
            deadLettered.increment();
        } catch (StoreException e) {
            lost.increment();
            log.error(
                    "webhook {}: event {} could not be kept as a dead letter: {}",
                    d.hook.name,
                    d.eventId,
                    e.getMessage());
        }
    }

    static long backoffMillis(EventsConfig.Webhook c, int failedAttempts) {
        long wait = Backoff.millis(c.backoff().toMillis(), 2, c.maxBackoff().toMillis(), failedAttempts - 1);
        // ±20%: receivers that come back are not hit by every retry at once.
        return Math.max(1, Backoff.spread(wait, 20, ThreadLocalRandom.current()));
    }

    /** A client fit for webhook deliveries (a 10 s connect timeout). */
    public static HttpClient client() {
        return HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(10))
                .build();
    }

    /** POSTs one event to a webhook: 2xx is delivered, anything else (or no answer) is not. */
    CompletableFuture<Attempt> send(EventsConfig.Webhook c, long eventId, String type, String body) {
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest.Builder b = HttpRequest.newBuilder(c.url())
                .timeout(c.timeout())
                .header("content-type", "application/json")
                .header("user-agent", userAgent)
                .header("x-baton-event-id", Long.toString(eventId))
                .header("x-baton-event-type", type)
                .header("x-baton-timestamp", Long.toString(timestamp))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        c.secret().ifPresent(s -> b.header("x-baton-signature", "sha256=" + sign(s, timestamp, body)));
        try {
            return http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding())
                    .thenApply(r -> r.statusCode() / 100 == 2
                            ? new Attempt(true, r.statusCode(), null)
                            : new Attempt(false, r.statusCode(), "status " + r.statusCode()))
                    .exceptionally(e -> new Attempt(false, 0, describe(e)));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Attempt(false, 0, describe(e)));
        }
    }

    private static String describe(Throwable e) {
        Throwable cause =
                e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        String m = cause.getMessage();
        return cause.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** The signature's hex: HMAC-SHA256 with {@code secret} over {@code timestamp + "." + body}. */
    public static String sign(String secret, long timestamp, String body) {
        return dev.baton.security.WebhookSignature.sign(secret, timestamp, body);
    }

    /** Sends a dead letter again, once; delivered, it is removed, else its attempt is counted. */
    public CompletableFuture<Attempt> replay(DeadLetters.Row row) {
        Optional<EventsConfig.Webhook> hook = configured.stream()
                .filter(c -> c.url().toString().equals(row.webhook()))
                .findFirst();
        if (hook.isEmpty()) {
            throw new NotConfigured("no webhook with url " + row.webhook() + " is configured any more");
        }
        return send(hook.get(), row.eventId(), row.eventType(), row.body())
                .thenApplyAsync(
                        a -> {
                            if (a.delivered()) {
                                store.get().deadLetters().delete(row.id());
                                delivered.increment();
                            } else {
                                store.get()
                                        .deadLetters()
                                        .failedAgain(
                                                row.id(),
                                                Objects.requireNonNullElse(a.error(), "not delivered"),
                                                clock.instant());
                            }
                            return a;
                        },
                        scheduler);
    }

    /** A dead letter whose webhook is no longer in the config. */
    public static final class NotConfigured extends RuntimeException {
        NotConfigured(String message) {
            super(message, null, false, false);
        }
    }

    /** A webhook's name in logs and metrics: its URL without query or credentials. */
    static String label(URI url) {
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        return url.getScheme() + "://" + url.getHost() + port + (url.getRawPath() == null ? "" : url.getRawPath());
    }

    /** Counts for metrics: delivered, retried, dead-lettered, and lost (not even a dead letter could be kept). */
    public Map<String, Long> counts() {
        return Map.of(
                "delivered", delivered.sum(),
                "retried", retried.sum(),
                "dead_lettered", deadLettered.sum(),
                "lost", lost.sum());
    }

    /**
     * Stops delivering; every delivery not yet made becomes a dead letter, so a
     * restart loses nothing that can be replayed. Call before the store closes.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        hooks.forEach(h -> h.subscription.close());
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Delivery d : List.copyOf(outstanding)) {
            if (outstanding.remove(d)) {
                try {
                    store.get()
                            .deadLetters()
                            .add(
                                    d.hook.config.url().toString(),
                                    d.eventId,
                                    d.type,
                                    d.body,
                                    d.attempts,
                                    "Baton stopped before the event was delivered",
                                    clock.instant());
                    deadLettered.increment();
                } catch (StoreException e) {
                    lost.increment();
                    log.error("webhook {}: event {} lost at shutdown: {}", d.hook.name, d.eventId, e.getMessage());
                }
            }
        }
    }

    /** {@code orchestrator_webhook_deliveries_total{result}}: delivered, retried, dead-lettered, lost. */
    public MeterBinder meters() {
        return registry -> {
            for (String result : counts().keySet()) {
                FunctionCounter.builder(
                                "orchestrator.webhook.deliveries",
                                this,
                                w -> w.counts().get(result))
                        .description("webhook deliveries: delivered, retried, dead_lettered, lost")
                        .tag("result", result)
                        .register(registry);
            }
        };
    }
}
