package dev.baton.proxy.internal;

import dev.baton.proxy.Snapshot;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpConnection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What every exchange on one event loop shares: the current snapshot, that loop's
 * pooled upstream client, a non-pooling client for the one retry on a fresh
 * connection, and the gateway-wide in-flight counter.
 *
 * @param closing connections being closed after a framing error: requests already
 *     pipelined behind the bad one must not be proxied. Weak, and touched only by
 *     this event loop.
 */
public record ProxyContext(
        Vertx vertx,
        Supplier<Snapshot> snapshots,
        HttpClient pooled,
        HttpClient fresh,
        AtomicInteger inFlight,
        Set<HttpConnection> closing) {}
