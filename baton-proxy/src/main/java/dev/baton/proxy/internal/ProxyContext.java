package dev.baton.proxy.internal;

import dev.baton.control.Snapshot;
import dev.baton.proxy.RequestObserver;
import dev.baton.proxy.internal.http.HttpDates;
import dev.baton.proxy.internal.upstream.UpstreamPool;
import dev.baton.proxy.stage.Pipeline;
import dev.baton.proxy.stage.RedisRateLimiter;
import dev.baton.security.SecurityViolations;
import dev.baton.time.Ticker;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpConnection;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What every exchange on one event loop shares: the current snapshot, that loop's
 * upstream connections, a client for protocol upgrades, the gateway-wide in-flight
 * counter and the loop's idle deadlines.
 *
 * @param tunnels keep-alive (so Vert.x does not force {@code Connection: close} over
 *     {@code Connection: upgrade}), but its connections never wait in the pool: a 101
 *     takes the connection out of it and a refused upgrade closes it.
 * @param closing connections being closed after a framing error: requests already
 *     pipelined behind the bad one must not be proxied. Weak, and touched only by
 *     this event loop.
 * @param redisLimits this loop's client for {@code store: redis} rate limits, or null
 *     when {@code redis.url} was not set at start
 * @param violations the gateway's count of requests refused for security reasons
 * @param observer hears every try and every request's end
 * @param ticker elapsed time: deadlines, idle timers, try durations
 * @param clock wall-clock time: access-log timestamps, signature windows
 * @param pipelines this loop's compiled route pipelines
 */
record ProxyContext(
        Vertx vertx,
        Supplier<Snapshot> snapshots,
        UpstreamPool upstreams,
        HttpClient tunnels,
        AtomicInteger inFlight,
        Deadlines deadlines,
        Set<HttpConnection> closing,
        @Nullable RedisRateLimiter redisLimits,
        SecurityViolations violations,
        RequestObserver observer,
        HttpDates dates,
        Ticker ticker,
        Clock clock,
        Pipeline.Cache pipelines) {}
