package dev.baton.control;

import dev.baton.balance.Endpoint;
import dev.baton.config.ServiceConfig;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.health.InstanceHealth;
import dev.baton.resilience.Backoff;
import dev.baton.time.Ticker;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks for every instance of every service with a
 * {@code health-check}: HTTP GETs (status range, optional body text) or TCP
 * connects through a {@link Prober} (the data plane's kept-alive connections), each instance
 * due on its own jittered schedule so checks spread out, all started by one 10 ms
 * tick, at most {@code maxConcurrent} in flight, and backing off while an instance is down
 * (see {@link InstanceHealth}). Status changes switch the instance in or out of
 * balancing. All state lives on one Vert.x context; {@link #sync} follows a new
 * snapshot, keeping the checks of instances it still has. When checks are due and
 * when they have timed out is told by the {@link Ticker} it is given, so a test moves
 * a fake one through intervals and backoff instead of waiting for them.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    /** Scheduling granularity: checks start and time out on 10 ms ticks. */
    static final long TICK_MILLIS = 10;

    private final Vertx vertx;
    private final Context context;
    private final int maxConcurrent;
    private final EventSink events;
    private final Listener listener;
    private final Prober probes;
    private final Ticker ticker;
    private final Map<Endpoint, Check> checks = new IdentityHashMap<>();
    private final PriorityQueue<Check> due = new PriorityQueue<>(Comparator.comparingLong(c -> c.dueNanos));
    private final ArrayDeque<Check> waiting = new ArrayDeque<>();
    private final List<Check> running = new ArrayList<>();
    private final Map<Endpoint, HealthStatus> statuses = new ConcurrentHashMap<>();
    /** Each checked instance's last few checks, oldest first; written on the checker's loop, read anywhere. */
    private final Map<Endpoint, List<Checked>> recent = new ConcurrentHashMap<>();

    private long tickTimer = -1;
    private long idleCloser = -1;
    private boolean closed;

    /** Hears every finished check (for metrics), on the checker's event loop: must be quick. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (service, instance, passed, nanos) -> {};

        void checked(String service, String instance, boolean passed, long nanos);
    }

    public HealthChecker(Vertx vertx, int maxConcurrent, EventSink events, Prober.Factory probers, Ticker ticker) {
        this(vertx, maxConcurrent, events, Listener.NONE, probers, ticker);
    }

    /** At most {@code maxConcurrent} checks in flight, with schedules and timeouts on {@code ticker}. */
    public HealthChecker(
            Vertx vertx,
            int maxConcurrent,
            EventSink events,
            Listener listener,
            Prober.Factory probers,
            Ticker ticker) {
        this.listener = listener;
        this.ticker = ticker;
        this.vertx = vertx;
        this.events = events;
        this.context = vertx.getOrCreateContext();
        this.maxConcurrent = maxConcurrent;
        this.probes = probers.create(vertx, context);
    }

    /** One instance's checks. */
    private static final class Check {
        final String service;
        Upstream upstream;
        final ServiceConfig.HealthCheck config;
        final InstanceHealth health;
        long dueNanos;
        long startedNanos;
        Prober.@Nullable Probe probe; // while one runs
        boolean cancelled;

        Check(String service, Upstream upstream, ServiceConfig.HealthCheck config) {
            this.service = service;
            this.upstream = upstream;
            this.config = config;
            this.health = new InstanceHealth(config);
        }

        /** What makes two checks the same check: service, instance id and address, and check settings. */
        static String key(String service, Upstream u, ServiceConfig.HealthCheck config) {
            return service + '\n' + u.id() + '\n' + u.authority() + u.basePath() + '\n' + config;
        }

        String key() {
            return key(service, upstream, config);
        }
    }

    /** Checks exactly the instances of {@code snapshot} whose services ask for it. */
    public void sync(Snapshot snapshot) {
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            // A service whose definition changed gets new endpoints; an instance that is
            // still the same (id, address, check) keeps its verdict and schedule rather
            // than going back to UNKNOWN and taking traffic it failed a moment ago.
            Map<String, Check> byKey = new HashMap<>();
            checks.values().forEach(c -> byKey.put(c.key(), c));
            Map<Endpoint, Check> next = new IdentityHashMap<>();
            for (ServiceTarget s : snapshot.services().values()) {
                s.config().healthCheck().ifPresent(cfg -> {
                    for (Upstream u : s.instances()) {
                        Check c = checks.get(u.endpoint());
                        if (c == null) {
                            c = byKey.remove(Check.key(s.id(), u, cfg));
                            if (c != null) {
                                statuses.remove(c.upstream.endpoint());
                                List<Checked> seen = recent.remove(c.upstream.endpoint());
                                if (seen != null) {
                                    recent.put(u.endpoint(), seen);
                                }
                                c.upstream = u;
                                u.endpoint().setAvailable(c.health.status() != HealthStatus.UNHEALTHY);
                                statuses.put(u.endpoint(), c.health.status());
                            } else {
                                c = new Check(s.id(), u, cfg);
                                statuses.put(u.endpoint(), HealthStatus.UNKNOWN);
                                // First checks spread over one interval, not all at once.
                                schedule(
                                        c,
                                        ThreadLocalRandom.current()
                                                        .nextLong(cfg.interval().toMillis())
                                                + 1);
                            }
                        }
                        next.put(u.endpoint(), c);
                    }
                });
            }
            Set<Check> kept = Collections.newSetFromMap(new IdentityHashMap<>());
            kept.addAll(next.values());
            checks.values().stream().filter(c -> !kept.contains(c)).forEach(this::cancel);
            checks.clear();
            checks.putAll(next);
            if (checks.isEmpty()) {
                stopTicking();
            } else if (tickTimer < 0) {
                tickTimer = vertx.setPeriodic(TICK_MILLIS, id -> tick());
                idleCloser = vertx.setPeriodic(1000, id -> probes.closeIdle());
            }
        });
    }

    private void stopTicking() {
        if (tickTimer >= 0) {
            vertx.cancelTimer(tickTimer);
            vertx.cancelTimer(idleCloser);
            tickTimer = -1;
            idleCloser = -1;
        }
    }

    /** Checks kept per instance for {@link #recentChecks}. */
    public static final int RECENT = 5;

    /** One finished check: when (on the checker's ticker), its verdict, how long it took, and why it failed. */
    public record Checked(long atNanos, boolean passed, long latencyMillis, Optional<String> error) {}

    /** One of an instance's recent checks as a reader sees it: how long ago it finished, in milliseconds. */
    public record RecentCheck(long ageMillis, boolean passed, long latencyMillis, Optional<String> error) {}

    /** The instance's last {@link #RECENT} checks, newest first; empty when it is not checked or not yet. */
    public List<RecentCheck> recentChecks(Upstream instance) {
        List<Checked> seen = recent.getOrDefault(instance.endpoint(), List.of());
        long now = ticker.nanos();
        List<RecentCheck> out = new ArrayList<>(seen.size());
        for (int i = seen.size() - 1; i >= 0; i--) {
            Checked c = seen.get(i);
            out.add(new RecentCheck(
                    TimeUnit.NANOSECONDS.toMillis(Math.max(0, now - c.atNanos())),
                    c.passed(),
                    c.latencyMillis(),
                    c.error()));
        }
        return out;
    }

    /** The last status of an instance, UNKNOWN if it is not checked. */
    public HealthStatus status(Upstream instance) {
        return statuses.getOrDefault(instance.endpoint(), HealthStatus.UNKNOWN);
    }

    private void schedule(Check c, long delayMillis) {
        c.dueNanos = ticker.nanos() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMillis));
        due.add(c);
    }

    /**
     * Starts the checks that are due and times out those past their timeout. One
     * tick for all checks, rather than timers per check, lets a burst of checks share
     * the event loop's wake-ups (measured in {@code bench/health.sh}).
     */
    private void tick() {
        long now = ticker.nanos();
        Check c;
        while ((c = due.peek()) != null && c.dueNanos <= now) {
            due.poll();
            if (c.cancelled) {
                continue;
            }
            if (running.size() < maxConcurrent) {
                run(c, now);
            } else {
                waiting.add(c);
            }
        }
        for (Check r : List.copyOf(running)) {
            long timeout = r.config.timeout().toNanos();
            if (now - r.startedNanos >= timeout && r.probe != null) {
                r.probe.abort("timed out after " + r.config.timeout().toMillis() + " ms");
            }
        }
    }

    /**
     * Runs one tick now, as the periodic one would, and completes once what it
     * started has had a turn of the checker's loop: for tests that move a fake ticker
     * and then look, without waiting for the next tick.
     */
    Future<Void> tickNow() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            if (!closed) {
                tick();
            }
            context.runOnContext(after -> done.complete());
        });
        return done.future();
    }

    private void run(Check c, long now) {
        running.add(c);
        c.startedNanos = now;
        int timeout = (int) c.config.timeout().toMillis();
        Prober.Result result = (passed, error) -> finished(c, passed, error);
        c.probe = c.config.tcp()
                ? probes.tcp(c.upstream, timeout, result)
                : probes.http(
                        c.upstream,
                        c.config.path(),
                        c.config.minStatus(),
                        c.config.maxStatus(),
                        c.config.bodyContains(),
                        timeout,
                        result);
    }

    private void finished(Check c, boolean passed, @Nullable String error) {
        running.remove(c);
        c.probe = null;
        long nanos = ticker.nanos() - c.startedNanos;
        if (!c.cancelled && !closed) {
            listener.checked(c.service, c.upstream.id(), passed, nanos);
        }
        done(c, passed, TimeUnit.NANOSECONDS.toMillis(nanos), error);
        Check next;
        while (running.size() < maxConcurrent && (next = waiting.poll()) != null) {
            if (!next.cancelled) {
                run(next, ticker.nanos());
            }
        }
    }

    private void done(Check c, boolean passed, long millis, @Nullable String error) {
        if (c.cancelled || closed) {
            return;
        }
        Checked check = new Checked(ticker.nanos(), passed, millis, Optional.ofNullable(error));
        recent.merge(c.upstream.endpoint(), List.of(check), (was, one) -> {
            List<Checked> next = new ArrayList<>(was.subList(Math.max(0, was.size() - (RECENT - 1)), was.size()));
            next.add(check);
            return List.copyOf(next);
        });
        HealthStatus before = c.health.status();
        if (c.health.record(passed, millis, error)) {
            changed(c, before, error);
        }
        long delay = c.health.nextDelayMillis();
        schedule(c, Backoff.spread(delay, 10, ThreadLocalRandom.current()));
    }

    /**
     * Marks an instance UNHEALTHY at once, without waiting for its checks: its
     * process ended or is starting (the supervisor says so). It takes no traffic
     * until its checks pass {@code healthy-threshold} times. No-op when unchecked.
     */
    public void down(Upstream instance, String reason) {
        // At once for readers (the supervisor reads back what it just said); the check's own state on its loop.
        if (statuses.computeIfPresent(instance.endpoint(), (e, was) -> HealthStatus.UNHEALTHY) != null) {
            instance.endpoint().setAvailable(false);
        }
        context.runOnContext(v -> {
            Check c = checks.get(instance.endpoint());
            if (c == null || c.cancelled || closed) {
                return;
            }
            HealthStatus before = c.health.status();
            if (c.health.down(reason)) {
                changed(c, before, reason);
            }
        });
    }

    private void changed(Check c, HealthStatus before, @Nullable String error) {
        HealthStatus now = c.health.status();
        c.upstream.endpoint().setAvailable(now != HealthStatus.UNHEALTHY);
        statuses.put(c.upstream.endpoint(), now);
        String line = "instance {} ({}) of service {}: {} -> {}{}";
        Object[] args = {
            c.upstream.id(), c.upstream.authority(), c.service, before, now, error == null ? "" : " (" + error + ")"
        };
        if (now == HealthStatus.UNHEALTHY) {
            log.warn(line, args);
        } else {
            log.info(line, args);
        }
        List<HealthStatus> ofService = new ArrayList<>();
        checks.values().stream()
                .filter(other -> other.service.equals(c.service))
                .forEach(other -> ofService.add(other.health.status()));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("service", c.service);
        data.put("instance", c.upstream.id());
        data.put("address", c.upstream.authority());
        data.put("status", now.name());
        data.put("previous", before.name());
        data.put("serviceStatus", HealthStatus.ofService(ofService).name());
        if (error != null) {
            data.put("error", error);
        }
        events.publish(EventType.SERVICE_HEALTH_CHANGED, data);
    }

    private void cancel(Check c) {
        c.cancelled = true; // left in the queue; skipped when it comes due
        statuses.remove(c.upstream.endpoint());
        recent.remove(c.upstream.endpoint());
    }

    @Override
    public void close() {
        context.runOnContext(v -> {
            closed = true;
            checks.values().forEach(this::cancel);
            checks.clear();
            waiting.clear();
            due.clear();
            stopTicking();
            for (Check r : List.copyOf(running)) {
                if (r.probe != null) {
                    r.probe.abort("closed");
                }
            }
            probes.close();
        });
    }
}
