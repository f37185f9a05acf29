package dev.baton.saga;

import com.fasterxml.jackson.databind.JsonNode;
import dev.baton.config.ConfigException;
import dev.baton.config.SagaConfig;
import dev.baton.config.SagaDefinitions;
import dev.baton.control.DataStore;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.lifecycle.Component;
import dev.baton.saga.internal.Engine;
import dev.baton.store.SagaRecords;
import dev.baton.time.Scheduler;
import dev.baton.time.Ticker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's sagas: their definitions, versioned (the config file's, and those
 * put at run time), and the engine that runs them on the store. A definition that
 * changes gets a new version and a saga keeps the version it started with. At
 * start, every saga a previous run left unfinished is resumed. The store is only
 * opened when there is a saga to keep.
 */
public final class Sagas implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(Sagas.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** One version of a definition; {@code source} is {@code config} or {@code api}. */
    public record Definition(String name, int version, SagaConfig config, String source, Instant createdAt) {}

    private final Vertx vertx;
    private final DataStore data;
    private final Supplier<Snapshot> snapshots;
    private final EventSink events;
    private final Clock clock;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final SagaMeters meters = new SagaMeters();
    private final Map<String, List<Definition>> versions = new LinkedHashMap<>(); // guarded by this
    private @Nullable Engine engine;

    /** {@code scheduler} lets time pass (retries, timeouts); see {@link dev.baton.control.Timers} for the real one. */
    public Sagas(
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
        engine = new Engine(vertx, this::records, snapshots, events, clock, ticker, scheduler, meters);
        if (data.exists()) {
            synchronized (this) {
                for (SagaRecords.Definition d : records().definitions()) {
                    try {
                        SagaConfig c = SagaDefinitions.read(
                                d.name(), d.body(), snapshots.get().config().services());
                        versions.computeIfAbsent(d.name(), k -> new ArrayList<>())
                                .add(new Definition(d.name(), d.version(), c, "api", d.createdAt()));
                    } catch (ConfigException e) {
                        log.error(
                                "saga definition {} version {} no longer reads: {}",
                                d.name(),
                                d.version(),
                                e.getMessage());
                    }
                }
            }
            int resumed = join(engine().resume());
            if (resumed > 0) {
                log.info("resumed {} unfinished saga{}", resumed, resumed == 1 ? "" : "s");
            }
        }
    }

    /** Takes the config file's definitions: one that is new or changed gets a new version. */
    @Override
    public synchronized void apply(Snapshot next) {
        for (SagaConfig c : next.config().sagas().values()) {
            version(c, "config");
        }
    }

    /**
     * Defines (or redefines) saga {@code name} from JSON in the config's shape;
     * ConfigException with every problem, SagaRefused when the config file defines
     * it. A definition equal to the latest version is that version.
     */
    public synchronized Definition define(String name, String json) {
        if (snapshots.get().config().sagas().containsKey(name)) {
            throw new SagaRefused("conflict", "saga '" + name + "' is defined in the config file: change it there");
        }
        return version(SagaDefinitions.read(name, json, snapshots.get().config().services()), "api");
    }

    private Definition version(SagaConfig c, String source) {
        List<Definition> all = versions.computeIfAbsent(c.name(), k -> new ArrayList<>());
        String json = SagaDefinitions.json(c).toString();
        if (!all.isEmpty()) {
            Definition last = all.get(all.size() - 1);
            if (SagaDefinitions.json(last.config()).toString().equals(json)) {
                return last;
            }
        }
        int version = all.isEmpty() ? 1 : all.get(all.size() - 1).version() + 1;
        Instant now = clock.instant();
        records().putDefinition(new SagaRecords.Definition(c.name(), version, json, now));
        Definition d = new Definition(c.name(), version, c, source, now);
        all.add(d);
        return d;
    }

    /** The latest version of every definition, by name. */
    public synchronized Map<String, Definition> definitions() {
        Map<String, Definition> out = new LinkedHashMap<>();
        versions.forEach((name, all) -> out.put(name, all.get(all.size() - 1)));
        return out;
    }

    /**
     * Starts saga {@code name} (its latest version) with {@code input}; with a key,
     * a second start with the same key gives back the first saga.
     */
    public CompletionStage<Saga> start(String name, JsonNode input, Optional<String> idempotencyKey) {
        Definition d;
        synchronized (this) {
            List<Definition> all = versions.get(name);
            if (all == null || all.isEmpty()) {
                return Future.<Saga>failedFuture(new SagaRefused("not_found", "no saga definition '" + name + "'"))
                        .toCompletionStage();
            }
            d = all.get(all.size() - 1);
        }
        return engine().start(name, d.version(), d.config(), input, idempotencyKey)
                .toCompletionStage();
    }

    /**
     * Starts saga {@code name} with {@code input} (anything Jackson turns into JSON:
     * a map, a record, a JsonNode) and gives a handle on it.
     */
    public CompletionStage<SagaHandle> start(String name, Object input) {
        JsonNode json = input instanceof JsonNode n ? n : JSON.valueToTree(input);
        return start(name, json, Optional.empty()).thenApply(s -> new SagaHandle(this, s));
    }

    public CompletionStage<Optional<Saga>> get(String id) {
        return data.exists()
                ? engine().get(id).toCompletionStage()
                : Future.succeededFuture(Optional.<Saga>empty()).toCompletionStage();
    }

    /** Newest first, at most {@code limit}, filtered by name and state when given. */
    public CompletionStage<List<Saga>> list(Optional<String> name, Optional<SagaState> state, int limit) {
        return data.exists()
                ? engine().list(name, state, limit).toCompletionStage()
                : Future.succeededFuture(List.<Saga>of()).toCompletionStage();
    }

    /** The saga once it has ended, or as it is after {@code timeout}. */
    public CompletionStage<Saga> await(String id, Duration timeout) {
        return engine().await(id, timeout).toCompletionStage();
    }

    public CompletionStage<Saga> cancel(String id) {
        return engine().cancel(id).toCompletionStage();
    }

    public CompletionStage<Saga> retry(String id) {
        return engine().retry(id).toCompletionStage();
    }

    public CompletionStage<Saga> skip(String id) {
        return engine().skip(id).toCompletionStage();
    }

    /** The sagas' meters, to bind to the registry. */
    public SagaMeters meters() {
        return meters;
    }

    private SagaRecords records() {
        return data.get().sagas();
    }

    private Engine engine() {
        Engine e = engine;
        if (e == null) {
            throw new IllegalStateException("sagas are not started");
        }
        return e;
    }

    private static <T> T join(Future<T> f) {
        return f.toCompletionStage().toCompletableFuture().join();
    }

    @Override
    public void close() {
        Engine e = engine;
        if (e != null) {
            e.close();
            engine = null;
        }
    }
}
