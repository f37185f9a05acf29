package dev.baton.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.config.Durations;
import dev.baton.config.SagaConfig;
import dev.baton.config.SagaDefinitions;
import dev.baton.config.Template;
import dev.baton.control.ServiceCalls;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.resilience.Backoff;
import dev.baton.saga.Saga;
import dev.baton.saga.SagaRefused;
import dev.baton.saga.SagaState;
import dev.baton.saga.StepState;
import dev.baton.store.SagaRecords;
import dev.baton.time.Scheduler;
import dev.baton.time.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every unfinished saga, one step at a time, on one Vert.x context: each
 * change of state is written to the store before the call it leads to, so a saga
 * found RUNNING after a crash repeats its last call, with the same idempotency
 * key. Forward: steps in order, a transient failure retried with jittered, capped
 * backoff, a refusal or the last failed attempt compensating. Backward: the
 * compensations of the completed steps (and of those whose outcome is unknown) in
 * reverse order, each retried until its deadline, then STUCK for an operator, the
 * ones before it waiting. While a service's breaker is open, a saga waits for it
 * rather than spend attempts.
 */
public final class Engine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Engine.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often a saga looks again at an open breaker, or at a store that failed a write. */
    static final Duration RECHECK = Duration.ofSeconds(1);
    /** Resumed sagas taken per turn of the event loop. */
    static final int RESUME_BATCH = 200;

    private final Vertx vertx;
    private final Context context;
    private final Supplier<SagaRecords> store;
    private final Supplier<Snapshot> snapshots;
    private final EventSink events;
    private final Clock clock;
    private final Scheduler scheduler;
    private final ServiceCalls calls;
    private final dev.baton.saga.SagaMeters meters;
    private final Map<String, Run> live = new HashMap<>(); // on the context only
    private final Map<String, List<Promise<Saga>>> waiting = new HashMap<>(); // on the context only
    /** Definitions read back from sagas' logs, by name and version: a version never changes. */
    private final Map<String, SagaConfig> versions = new java.util.concurrent.ConcurrentHashMap<>();

    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
    /** Completed once closed with no write out: what close waits for. */
    private final java.util.concurrent.CompletableFuture<Void> drained = new java.util.concurrent.CompletableFuture<>();

    public Engine(
            Vertx vertx,
            Supplier<SagaRecords> store,
            Supplier<Snapshot> snapshots,
            EventSink events,
            Clock clock,
            Ticker ticker,
            Scheduler scheduler,
            dev.baton.saga.SagaMeters meters) {
        this.vertx = vertx;
        this.meters = meters;
        this.context = vertx.getOrCreateContext();
        this.store = store;
        this.snapshots = snapshots;
        this.events = events;
        this.clock = clock;
        this.scheduler = scheduler;
        this.calls = new ServiceCalls(vertx, snapshots, ticker, clock);
    }

    /**
     * Starts saga {@code name} at {@code version} with {@code input}; with a key, a
     * second start with the same key returns the first saga instead.
     */
    public Future<Saga> start(String name, int version, SagaConfig definition, JsonNode input, Optional<String> key) {
        Instant now = clock.instant();
        Run run = new Run(UUID.randomUUID().toString(), name, version, definition, input, key, now);
        run.note(now, null, "started (version " + version + ")");
        String body = run.json().toString();
        SagaRecords.Row row = new SagaRecords.Row(run.id, name, version, run.state.name(), key, body, 0, now, now);
        return vertx.executeBlocking(() -> store.get().insert(row), false).compose(stored -> {
            if (!stored.id().equals(run.id)) {
                return get(stored.id()).map(found -> found.orElseThrow()); // the first start with this key
            }
            Promise<Saga> p = Promise.promise();
            context.runOnContext(v -> {
                live.put(run.id, run);
                meters.started(name, true);
                publish(EventType.SAGA_STARTED, run, null, Map.of("version", version));
                drive(run);
                p.complete(run.view());
            });
            return p.future();
        });
    }

    /**
     * Reads back every unfinished saga from the store and drives those that are not
     * stuck. The rows are read and decoded on a worker thread, and handed to the
     * engine's context a batch at a time, so that ten thousand of them do not hold up
     * the event loop it shares with the proxy.
     */
    public Future<Integer> resume() {
        return vertx.executeBlocking(
                        () -> {
                            List<Run> runs = new ArrayList<>();
                            for (SagaRecords.Row row : store.get()
                                    .inStates(List.of(
                                            SagaState.RUNNING.name(),
                                            SagaState.COMPENSATING.name(),
                                            SagaState.STUCK.name()))) {
                                try {
                                    runs.add(read(row));
                                } catch (RuntimeException e) {
                                    log.error(
                                            "saga {} cannot be resumed: its stored state does not read: {}",
                                            row.id(),
                                            e.getMessage());
                                }
                            }
                            return runs;
                        },
                        false)
                .compose(runs -> {
                    Promise<Integer> p = Promise.promise();
                    context.runOnContext(v -> adopt(runs, 0, p));
                    return p.future();
                });
    }

    /** Takes {@link #RESUME_BATCH} runs from {@code from} on this turn of the loop, the rest on the next. */
    private void adopt(List<Run> runs, int from, Promise<Integer> done) {
        int to = Math.min(runs.size(), from + RESUME_BATCH);
        Instant now = clock.instant();
        for (Run run : runs.subList(from, to)) {
            live.put(run.id, run);
            if (run.state != SagaState.STUCK) {
                meters.started(run.name, false);
            }
            run.note(now, null, "resumed after a restart");
            drive(run);
        }
        if (to < runs.size()) {
            context.runOnContext(v -> adopt(runs, to, done));
        } else {
            done.complete(runs.size());
        }
    }

    /** The saga as it is now: from memory while it runs, else from the store. */
    public Future<Optional<Saga>> get(String id) {
        Promise<Optional<Run>> inMemory = Promise.promise();
        context.runOnContext(v -> inMemory.complete(Optional.ofNullable(live.get(id))));
        return inMemory.future()
                .compose(run -> run.isPresent()
                        ? Future.succeededFuture(Optional.of(run.get().view()))
                        : vertx.executeBlocking(() -> store.get().get(id).map(r -> read(r).view()), false));
    }

    /** Newest first; while a saga runs, its row may be a step behind memory. */
    public Future<List<Saga>> list(Optional<String> name, Optional<SagaState> state, int limit) {
        return vertx.executeBlocking(
                () -> {
                    List<Saga> out = new ArrayList<>();
                    for (SagaRecords.Row r : store.get().list(name, state.map(Enum::name), limit)) {
                        try {
                            out.add(read(r).view());
                        } catch (RuntimeException e) {
                            // One row that no longer reads must not hide the others.
                            log.warn(
                                    "saga {} is left out of the list: its stored state does not read: {}",
                                    r.id(),
                                    e.getMessage());
                        }
                    }
                    return out;
                },
                false);
    }

    /** Completes when the saga has ended, or with its state at {@code timeout} (then {@code ended()} is false). */
    public Future<Saga> await(String id, Duration timeout) {
        Promise<Saga> p = Promise.promise();
        context.runOnContext(v -> {
            Run run = live.get(id);
            if (run == null) {
                get(id).onSuccess(s -> s.ifPresentOrElse(p::complete, () -> p.fail(notFound(id))))
                        .onFailure(p::fail);
                return;
            }
            waiting.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
            scheduler.after(
                    timeout,
                    () -> context.runOnContext(t -> {
                        List<Promise<Saga>> list = waiting.get(id);
                        if (list != null && list.remove(p) && list.isEmpty()) {
                            waiting.remove(id);
                        }
                        p.tryComplete(run.view());
                    }));
        });
        return p.future();
    }

    /** Cancels a running saga: its completed steps are compensated, and it ends CANCELLED. */
    public Future<Saga> cancel(String id) {
        return act(id, run -> {
            if (run.state != SagaState.RUNNING) {
                throw new SagaRefused(
                        "conflict", "saga " + id + " is " + run.state + ": only a RUNNING saga can be" + " cancelled");
            }
            if (run.pivoted) {
                throw new SagaRefused("conflict", "saga " + id + " is past its pivot step: it only goes forward");
            }
            if (run.busy) {
                run.cancelRequested = true; // the call that is out comes back first, then compensation begins
                run.note(clock.instant(), null, "cancel asked while a call is out");
            } else {
                compensate(run, clock.instant(), true, "cancelled by an operator");
            }
        });
    }

    /** Tries a stuck saga's stuck step again: its compensation (with a new deadline) or its forward call. */
    public Future<Saga> retry(String id) {
        return act(id, run -> {
            Run.StepRun s = stuckStep(run);
            Instant now = clock.instant();
            if (s.state == StepState.COMPENSATING) {
                s.comp.startedAt = now;
                s.comp.notBefore = null;
                s.comp.error = null;
                run.state = SagaState.COMPENSATING;
                run.reason = run.cause;
            } else {
                s.state = StepState.PENDING;
                s.firstFailure = null;
                s.notBefore = null;
                run.state = SagaState.RUNNING;
            }
            run.note(now, s.config.id(), "retried by an operator");
            meters.unstuck(run.name);
            persist(run, () -> drive(run));
        });
    }

    /** Skips a stuck saga's stuck step, and goes on with the rest. */
    public Future<Saga> skip(String id) {
        return act(id, run -> {
            Run.StepRun s = stuckStep(run);
            Instant now = clock.instant();
            if (s.state == StepState.COMPENSATING) {
                s.comp.state = StepState.SKIPPED;
                s.comp.endedAt = now;
                run.state = SagaState.COMPENSATING;
                run.reason = run.cause;
            } else {
                run.state = SagaState.RUNNING;
            }
            s.state = StepState.SKIPPED;
            s.endedAt = now;
            run.note(now, s.config.id(), "skipped by an operator");
            meters.unstuck(run.name);
            persist(run, () -> drive(run));
        });
    }

    private Run.StepRun stuckStep(Run run) {
        if (run.busy) {
            throw new SagaRefused("conflict", "saga " + run.id + " is writing its state; try again");
        }
        if (run.state != SagaState.STUCK) {
            throw new SagaRefused("conflict", "saga " + run.id + " is " + run.state + ", not STUCK");
        }
        for (int i = run.steps.size() - 1; i >= 0; i--) {
            if (run.steps.get(i).state == StepState.COMPENSATING) {
                return run.steps.get(i);
            }
        }
        for (Run.StepRun s : run.steps) {
            if (s.state != StepState.SUCCEEDED && s.state != StepState.SKIPPED) {
                return s;
            }
        }
        throw new SagaRefused("conflict", "saga " + run.id + " has no stuck step");
    }

    /** Runs {@code action} on the saga on the engine's context, answering with its state after. */
    private Future<Saga> act(String id, java.util.function.Consumer<Run> action) {
        Promise<Saga> p = Promise.promise();
        context.runOnContext(v -> {
            Run run = live.get(id);
            if (run == null) {
                get(id).onSuccess(s -> p.fail(
                                s.isPresent()
                                        ? new SagaRefused(
                                                "conflict",
                                                "saga " + id + " has ended "
                                                        + s.get().state())
                                        : notFound(id)))
                        .onFailure(p::fail);
                return;
            }
            try {
                action.accept(run);
                p.complete(run.view());
            } catch (SagaRefused e) {
                p.fail(e);
            }
        });
        return p.future();
    }

    private static SagaRefused notFound(String id) {
        return new SagaRefused("not_found", "no saga " + id);
    }

    // ---- the state machine: every method below runs on the context ----

    private void drive(Run run) {
        if (run.busy || closed) {
            return;
        }
        cancelTimer(run);
        Instant now = clock.instant();
        if (run.state == SagaState.RUNNING) {
            forward(run, now);
        } else if (run.state == SagaState.COMPENSATING) {
            backward(run, now);
        }
    }

    private void forward(Run run, Instant now) {
        if (run.cancelRequested && !run.pivoted) {
            compensate(run, now, true, "cancelled by an operator");
            return;
        }
        Run.StepRun s = null;
        for (Run.StepRun candidate : run.steps) {
            if (candidate.state != StepState.SUCCEEDED && candidate.state != StepState.SKIPPED) {
                s = candidate;
                break;
            }
        }
        if (s == null) {
            finish(run, now, SagaState.COMPLETED, null); // done in time: an answer after the deadline still counts
            return;
        }
        if (!run.pivoted && !now.isBefore(run.deadline)) {
            compensate(run, now, false, "timed out after " + Durations.format(run.definition.timeout()));
            return;
        }
        Instant wait = s.notBefore;
        if (wait != null && now.isBefore(wait)) {
            wake(run, now, run.pivoted || wait.isBefore(run.deadline) ? wait : run.deadline);
            return;
        }
        Requests.Request request;
        try {
            request = Requests.render(run, s.config.call());
        } catch (Template.Unresolved e) {
            s.error = e.getMessage();
            s.state = StepState.FAILED;
            s.endedAt = now;
            run.note(now, s.config.id(), "cannot make the call: " + e.getMessage());
            publish(EventType.SAGA_STEP_FAILED, run, s, Map.of("error", String.valueOf(e.getMessage())));
            if (run.pivoted) {
                stuck(run, now, "step " + s.config.id() + " cannot make its call: " + e.getMessage());
            } else {
                compensate(run, now, false, "step " + s.config.id() + " cannot make its call: " + e.getMessage());
            }
            return;
        }
        if (heldBack(request.service(), s.attempts > 0)) {
            wake(run, now, now.plus(RECHECK));
            return;
        }
        Run.StepRun step = s;
        step.state = StepState.RUNNING;
        step.attempts++;
        step.notBefore = null;
        if (step.startedAt == null) {
            step.startedAt = now;
        }
        run.note(now, step.config.id(), "call " + step.attempts + ": " + request.method() + " " + request.path());
        persist(run, () -> call(run, step, request, false));
    }

    private void backward(Run run, Instant now) {
        for (int i = run.steps.size() - 1; i >= 0; i--) {
            Run.StepRun s = run.steps.get(i);
            // A step whose call may have reached the service is undone too, whether it then
            // failed or waits to retry.
            boolean done = s.state == StepState.SUCCEEDED
                    || s.state == StepState.COMPENSATING
                    || s.state == StepState.RUNNING
                    || (s.unknown && s.state != StepState.COMPENSATED && s.state != StepState.SKIPPED);
            if (!done || s.config.compensate().isEmpty()) {
                continue; // never ran, was refused, is undone already, or has nothing to undo
            }
            Instant wait = s.comp.notBefore;
            if (wait != null && now.isBefore(wait)) {
                wake(run, now, wait);
                return;
            }
            Instant began = s.comp.startedAt;
            // Only once an attempt has failed: a retried compensation always gets one more.
            if (began != null
                    && s.comp.error != null
                    && !now.isBefore(began.plus(run.definition.compensationDeadline()))) {
                stuck(
                        run,
                        now,
                        "the compensation of step " + s.config.id() + " has failed for "
                                + Durations.format(run.definition.compensationDeadline()) + ": " + s.comp.error);
                return;
            }
            Requests.Request request;
            try {
                request = Requests.render(run, s.config.compensate().get());
            } catch (Template.Unresolved e) {
                s.state = StepState.COMPENSATING;
                s.comp.state = StepState.COMPENSATING;
                s.comp.error = e.getMessage();
                run.note(now, s.config.id(), "cannot make the compensation: " + e.getMessage());
                stuck(run, now, "the compensation of step " + s.config.id() + " cannot be made: " + e.getMessage());
                return;
            }
            if (heldBack(request.service(), s.comp.attempts > 0)) {
                wake(run, now, now.plus(RECHECK));
                return;
            }
            s.state = StepState.COMPENSATING;
            s.comp.state = StepState.COMPENSATING;
            s.comp.attempts++;
            s.comp.notBefore = null;
            if (s.comp.startedAt == null) {
                s.comp.startedAt = now;
            }
            run.note(
                    now,
                    s.config.id(),
                    "compensation " + s.comp.attempts + ": " + request.method() + " " + request.path());
            persist(run, () -> call(run, s, request, true));
            return;
        }
        finish(run, now, run.cancelled ? SagaState.CANCELLED : SagaState.COMPENSATED, run.reason);
    }

    /** Whether the service holds the call back now (see {@link ServiceCalls#heldBack}). */
    private boolean heldBack(String service, boolean retry) {
        return calls.heldBack(service, retry).isPresent();
    }

    private void call(Run run, Run.StepRun s, Requests.Request request, boolean compensation) {
        String key = run.id + ":" + s.config.id() + (compensation ? ":compensate" : ":call");
        int attempts = compensation ? s.comp.attempts : s.attempts;
        ServiceCalls.Call c = calls.send(request.call(run.id, key), s.config.timeout(), attempts > 1);
        run.busy = true;
        Scheduler.Cancellable timeout = scheduler.after(s.config.timeout(), () -> context.runOnContext(v -> c.abort()));
        c.result()
                .onComplete(ar -> context.runOnContext(v -> {
                    timeout.cancel();
                    run.busy = false;
                    if (closed) {
                        return; // the log says RUNNING: the next start repeats this call, with this key
                    }
                    ServiceCalls.Result r = ar.succeeded()
                            ? ar.result()
                            : new ServiceCalls.Failed(ServiceCalls.Kind.RESET, true, String.valueOf(ar.cause()));
                    if (compensation) {
                        compensated(run, s, r);
                    } else {
                        called(run, s, r);
                    }
                }));
    }

    private void called(Run run, Run.StepRun s, ServiceCalls.Result r) {
        Instant now = clock.instant();
        String id = s.config.id();
        if (r instanceof ServiceCalls.Answered a && a.status() >= 200 && a.status() < 300) {
            s.state = StepState.SUCCEEDED;
            s.status = a.status();
            s.error = null;
            s.unknown = false;
            s.firstFailure = null;
            s.endedAt = now;
            s.response = new Saga.Response(a.status(), a.headers(), Requests.answer(a.body()));
            if (s.config.pivot()) {
                run.pivoted = true;
            }
            run.note(now, id, "succeeded: " + a.status());
            meters.step(run.name, id, "succeeded");
            publish(EventType.SAGA_STEP_SUCCEEDED, run, s, Map.of("status", a.status()));
            persist(run, () -> drive(run));
            return;
        }
        if (r instanceof ServiceCalls.Failed f && f.kind() == ServiceCalls.Kind.HELD_BACK) {
            s.attempts--; // nothing was sent: the breaker refused at the pick
            s.state = StepState.PENDING;
            s.notBefore = now.plus(RECHECK);
            drive(run);
            return;
        }
        boolean refused;
        Duration retryAfter = null;
        if (r instanceof ServiceCalls.Answered a) {
            s.status = a.status();
            s.error = "answered " + a.status() + excerpt(Requests.answer(a.body()));
            retryAfter = a.retryAfter();
            refused = refusal(s.config, a.status());
        } else {
            ServiceCalls.Failed f = (ServiceCalls.Failed) r;
            s.status = null;
            s.error = f.error();
            s.unknown |= f.sent() && (f.kind() == ServiceCalls.Kind.TIMEOUT || f.kind() == ServiceCalls.Kind.RESET);
            refused = false;
        }
        boolean again =
                run.pivoted || (!refused && s.attempts < s.config.retry().attempts());
        if (again) {
            if (s.firstFailure == null) {
                s.firstFailure = now;
            }
            if (run.pivoted && !now.isBefore(s.firstFailure.plus(run.definition.compensationDeadline()))) {
                s.state = StepState.FAILED;
                run.note(now, id, "failed: " + s.error);
                stuck(
                        run,
                        now,
                        "step " + id + " (past the pivot) has failed for "
                                + Durations.format(run.definition.compensationDeadline()) + ": " + s.error);
                return;
            }
            s.state = StepState.PENDING;
            Duration delay = delay(s.config.retry(), s.attempts, retryAfter);
            s.notBefore = now.plus(delay);
            run.note(
                    now, id, "attempt " + s.attempts + " failed: " + s.error + "; again in " + Durations.format(delay));
            persist(run, () -> drive(run));
            return;
        }
        s.state = StepState.FAILED;
        s.endedAt = now;
        run.note(now, id, (refused ? "refused: " : "failed: ") + s.error);
        meters.step(run.name, id, "failed");
        publish(EventType.SAGA_STEP_FAILED, run, s, Map.of("error", String.valueOf(s.error)));
        compensate(
                run,
                now,
                false,
                refused
                        ? "step " + id + " was refused: " + s.error
                        : "step " + id + " failed after " + s.attempts + " attempts: " + s.error);
    }

    private void compensated(Run run, Run.StepRun s, ServiceCalls.Result r) {
        Instant now = clock.instant();
        String id = s.config.id();
        if (r instanceof ServiceCalls.Answered a && a.status() >= 200 && a.status() < 300) {
            s.state = StepState.COMPENSATED;
            s.comp.state = StepState.COMPENSATED;
            s.comp.status = a.status();
            s.comp.error = null;
            s.comp.endedAt = now;
            run.note(now, id, "compensated: " + a.status());
            meters.step(run.name, id, "compensated");
            persist(run, () -> drive(run));
            return;
        }
        if (r instanceof ServiceCalls.Failed f && f.kind() == ServiceCalls.Kind.HELD_BACK) {
            s.comp.attempts--;
            s.comp.notBefore = now.plus(RECHECK);
            drive(run);
            return;
        }
        Duration retryAfter = null;
        if (r instanceof ServiceCalls.Answered a) {
            s.comp.status = a.status();
            s.comp.error = "answered " + a.status() + excerpt(Requests.answer(a.body()));
            retryAfter = a.retryAfter();
        } else {
            s.comp.status = null;
            s.comp.error = ((ServiceCalls.Failed) r).error();
        }
        Duration delay = delay(s.config.retry(), s.comp.attempts, retryAfter);
        s.comp.notBefore = now.plus(delay);
        run.note(
                now,
                id,
                "compensation " + s.comp.attempts + " failed: " + s.comp.error + "; again in "
                        + Durations.format(delay));
        persist(run, () -> drive(run));
    }

    /** A 4xx (but 408, 425 and 429) is a business refusal; {@code fail-on} and {@code retry-on} move statuses. */
    static boolean refusal(SagaConfig.Step step, int status) {
        if (step.failOn().contains(status)) {
            return true;
        }
        if (step.retryOn().contains(status)) {
            return false;
        }
        return status >= 400 && status < 500 && status != 408 && status != 425 && status != 429;
    }

    /** Doubling from the step's backoff, capped, spread ±20%; at least what Retry-After asked (up to an hour). */
    static Duration delay(SagaConfig.Retry retry, int attempts, @Nullable Duration retryAfter) {
        long base =
                Backoff.millis(retry.backoff().toMillis(), 2, retry.maxBackoff().toMillis(), attempts - 1);
        long wait = Backoff.spread(base, 20, ThreadLocalRandom.current());
        if (retryAfter != null) {
            wait = Math.max(
                    wait, Math.min(retryAfter.toMillis(), Duration.ofHours(1).toMillis()));
        }
        return Duration.ofMillis(Math.max(1, wait));
    }

    private void compensate(Run run, Instant now, boolean cancelled, String reason) {
        run.state = SagaState.COMPENSATING;
        run.cancelled = cancelled;
        run.cancelRequested = false;
        run.reason = reason;
        run.cause = reason;
        run.note(now, null, "compensating: " + reason);
        meters.reached(run.name, SagaState.COMPENSATING, null);
        publish(EventType.SAGA_COMPENSATING, run, null, Map.of("reason", reason));
        persist(run, () -> drive(run));
    }

    private void stuck(Run run, Instant now, String reason) {
        run.state = SagaState.STUCK;
        run.reason = reason;
        run.note(now, null, "stuck: " + reason);
        meters.reached(run.name, SagaState.STUCK, null);
        publish(EventType.SAGA_STUCK, run, null, Map.of("reason", reason));
        persist(run, () -> {});
    }

    private void finish(Run run, Instant now, SagaState state, @Nullable String reason) {
        run.state = state;
        run.reason = reason;
        run.endedAt = now;
        run.note(now, null, state.name().toLowerCase(java.util.Locale.ROOT));
        meters.reached(run.name, state, Duration.between(run.createdAt, now));
        EventType type = switch (state) {
            case COMPLETED -> EventType.SAGA_COMPLETED;
            case CANCELLED -> EventType.SAGA_CANCELLED;
            default -> EventType.SAGA_COMPENSATED;
        };
        publish(type, run, null, reason == null ? Map.of() : Map.of("reason", reason));
        persist(run, () -> {
            live.remove(run.id);
            cancelTimer(run);
            List<Promise<Saga>> list = waiting.remove(run.id);
            if (list != null) {
                Saga view = run.view();
                list.forEach(p -> p.tryComplete(view));
            }
        });
    }

    /**
     * Writes the saga's state, then runs {@code then}; while the write is out nothing
     * else starts. A write the store refuses is tried again after {@link #RECHECK}:
     * nothing is called that is not in the log first.
     */
    private void persist(Run run, Runnable then) {
        run.busy = true;
        Instant now = clock.instant();
        run.updatedAt = now;
        String state = run.state.name();
        String body = run.json().toString();
        long revision = run.revision;
        writes.incrementAndGet();
        vertx.executeBlocking(() -> store.get().update(run.id, revision, state, body, now), false)
                .onComplete(ar -> context.runOnContext(v -> {
                    if (writes.decrementAndGet() == 0 && closed) {
                        drained.complete(null);
                    }
                    run.busy = false;
                    if (closed) {
                        return; // stopping: what is written stands, and the next start goes on from it
                    }
                    if (ar.failed()) {
                        log.error(
                                "saga {}: cannot write its state ({}); trying again",
                                run.id,
                                ar.cause().getMessage());
                        run.busy = true;
                        scheduler.after(
                                RECHECK,
                                () -> context.runOnContext(w -> {
                                    run.busy = false;
                                    persist(run, then);
                                }));
                        return;
                    }
                    if (!ar.result()) {
                        log.error("saga {} was changed by another writer; this node lets it go", run.id);
                        live.remove(run.id);
                        return;
                    }
                    run.revision = revision + 1;
                    then.run();
                }));
    }

    private void wake(Run run, Instant now, Instant at) {
        cancelTimer(run);
        Duration in = Duration.between(now, at);
        Scheduler.Cancellable t = scheduler.after(
                in.isNegative() || in.isZero() ? Duration.ofMillis(1) : in,
                () -> context.runOnContext(v -> {
                    run.timer = null;
                    drive(run);
                }));
        run.timer = t;
    }

    private static void cancelTimer(Run run) {
        Scheduler.Cancellable t = run.timer;
        if (t != null) {
            t.cancel();
        }
        run.timer = null;
    }

    private void publish(EventType type, Run run, Run.@Nullable StepRun step, Map<String, ?> extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("saga", run.name);
        data.put("id", run.id);
        if (step != null) {
            data.put("step", step.config.id());
            data.put("attempts", step.attempts);
        }
        data.put("state", run.state.name());
        data.putAll(extra);
        events.publish(type, data);
    }

    private Run read(SagaRecords.Row row) {
        JsonNode body;
        try {
            body = JSON.readTree(row.body());
        } catch (IOException e) {
            throw new IllegalStateException("saga " + row.id() + ": its stored state is not JSON", e);
        }
        SagaConfig definition = versions.computeIfAbsent(
                row.name() + ":" + row.version(),
                k -> SagaDefinitions.read(
                        row.name(),
                        body.path("definition").toString(),
                        snapshots.get().config().services()));
        return Run.read(
                row.id(),
                row.name(),
                row.version(),
                SagaState.valueOf(row.state()),
                row.idempotencyKey(),
                body,
                definition,
                row.createdAt(),
                row.updatedAt(),
                row.revision());
    }

    private static String excerpt(JsonNode body) {
        if (body.isNull() || body.isMissingNode()) {
            return "";
        }
        String text = body.isTextual() ? body.textValue() : body.toString();
        return ": " + (text.length() > 200 ? text.substring(0, 200) + "…" : text);
    }

    /**
     * Stops driving: calls still out are left (the log lets the next start repeat
     * them, with their keys), and writes already out are waited for, up to five
     * seconds, so that the next engine on this store reads what this one wrote.
     */
    @Override
    public void close() {
        closed = true;
        java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(v -> {
            live.values().forEach(Engine::cancelTimer);
            stopped.complete(null);
        });
        try {
            stopped.get(5, java.util.concurrent.TimeUnit.SECONDS);
            if (writes.get() == 0) {
                drained.complete(null); // none out; one that ends later completes it too
            }
            drained.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("sagas: the engine did not stop, or its writes end, within 5 s");
        }
        calls.close();
    }
}
