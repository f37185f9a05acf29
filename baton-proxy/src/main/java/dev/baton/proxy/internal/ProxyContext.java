package dev.baton.proxy.internal;

import dev.baton.proxy.Snapshot;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What every exchange on one event loop shares: the current snapshot, that loop's
 * pooled upstream client, a non-pooling client for the one retry on a fresh
 * connection, and the gateway-wide in-flight counter.
 */
public record ProxyContext(
        Vertx vertx, Supplier<Snapshot> snapshots, HttpClient pooled, HttpClient fresh, AtomicInteger inFlight) {}
