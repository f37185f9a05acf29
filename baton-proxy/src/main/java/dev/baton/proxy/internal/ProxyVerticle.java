package dev.baton.proxy.internal;

import dev.baton.config.LimitsConfig;
import dev.baton.config.RedisConfig;
import dev.baton.config.TlsConfig;
import dev.baton.control.Snapshot;
import dev.baton.http.RequestIds;
import dev.baton.proxy.ClientConnections;
import dev.baton.proxy.ConnectionStats;
import dev.baton.proxy.RequestObserver;
import dev.baton.proxy.internal.http.HttpDates;
import dev.baton.proxy.internal.upstream.UpstreamPool;
import dev.baton.proxy.stage.Pipeline;
import dev.baton.proxy.stage.RedisRateLimiter;
import dev.baton.security.SecurityViolations;
import dev.baton.time.Ticker;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's share of the data plane: a listener on the shared port and that
 * loop's own pooled upstream client, so a request and its upstream connection never
 * cross threads.
 */
public final class ProxyVerticle extends VerticleBase {
    private static final Logger log = LoggerFactory.getLogger(ProxyVerticle.class);
    /** Below the idle timeout of common app servers (Node, uvicorn: 5 s), to close pooled connections first. */
    static final int UPSTREAM_KEEP_ALIVE_SECONDS = 4;

    private static final long LAG_PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final String host;
    private final int port;
    private final Supplier<Snapshot> snapshots;
    private final AtomicInteger inFlight;
    private final SecurityViolations violations;
    private final ConnectionStats connections;
    private final ClientConnections clients;
    private final ClientAcceptor acceptor;
    private final RequestObserver observer;
    private final Duration shutdownGrace;
    private final Ticker ticker;
    private final Clock clock;
    private final java.util.concurrent.atomic.AtomicLong lagNanos = new java.util.concurrent.atomic.AtomicLong();
    private long lagProbe = -1;
    // Made in start(), which Vert.x calls before anything else of a verticle.
    @SuppressWarnings("NullAway.Init")
    private HttpServer server;

    @SuppressWarnings("NullAway.Init")
    private UpstreamPool upstreams;

    @SuppressWarnings("NullAway.Init")
    private HttpClient tunnels;

    private long sweeper = -1;
    private long idleCloser = -1;
    private @Nullable RedisRateLimiter redisLimits; // with a Redis for rate limits

    public ProxyVerticle(
            String host,
            int port,
            Supplier<Snapshot> snapshots,
            AtomicInteger inFlight,
            SecurityViolations violations,
            ConnectionStats connections,
            ClientConnections clients,
            ClientAcceptor acceptor,
            RequestObserver observer,
            Duration shutdownGrace,
            Ticker ticker,
            Clock clock) {
        this.ticker = ticker;
        this.clock = clock;
        this.connections = connections;
        this.clients = clients;
        this.acceptor = acceptor;
        this.observer = observer;
        this.host = host;
        this.port = port;
        this.snapshots = snapshots;
        this.inFlight = inFlight;
        this.violations = violations;
        this.shutdownGrace = shutdownGrace;
    }

    @Override
    public Future<?> start() {
        HttpClientOptions clientOptions = new HttpClientOptions()
                .setProtocolVersion(HttpVersion.HTTP_1_1)
                .setKeepAlive(true)
                .setKeepAliveTimeout(UPSTREAM_KEEP_ALIVE_SECONDS)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setMaxInitialLineLength(16 * 1024)
                .setMaxHeaderSize(64 * 1024);
        upstreams = new UpstreamPool(
                ((ContextInternal) context).nettyEventLoop(),
                vertx.isNativeTransportEnabled() ? EpollSocketChannel.class : NioSocketChannel.class,
                ((VertxInternal) vertx).nameResolver().nettyAddressResolverGroup(),
                TimeUnit.SECONDS.toMillis(UPSTREAM_KEEP_ALIVE_SECONDS),
                connections,
                ticker);
        // Upgrades only: a 101 turns the connection into a tunnel, which Vert.x does well.
        tunnels = vertx.createHttpClient(clientOptions, new PoolOptions().setHttp1MaxSize(512));
        Deadlines deadlines = new Deadlines(ticker);
        HttpDates dates = new HttpDates(clock::millis);
        ConnectionGuard guard = new ConnectionGuard(
                ticker::nanos, () -> snapshots.get().config().limits(), clients, violations, dates);
        sweeper = vertx.setPeriodic(Deadlines.TICK_MILLIS, id -> {
            deadlines.sweep();
            guard.sweep();
        });
        idleCloser = vertx.setPeriodic(1000, id -> upstreams.closeIdle());
        long[] due = {ticker.nanos() + LAG_PROBE_NANOS};
        lagProbe = vertx.setPeriodic(TimeUnit.NANOSECONDS.toMillis(LAG_PROBE_NANOS), id -> {
            // How late the loop ran this timer: time its tasks kept it from doing so.
            long now = ticker.nanos();
            lagNanos.set(Math.max(0, now - due[0]));
            due[0] = now + LAG_PROBE_NANOS;
        });
        RedisConfig redis = snapshots.get().config().redis();
        redisLimits = redis.url().isPresent() ? new RedisRateLimiter(vertx, redis, ticker) : null;
        ProxyContext ctx = new ProxyContext(
                vertx,
                snapshots,
                upstreams,
                tunnels,
                inFlight,
                deadlines,
                Collections.newSetFromMap(new WeakHashMap<>()),
                redisLimits,
                violations,
                observer,
                dates,
                ticker,
                clock,
                new Pipeline.Cache());

        var limits = snapshots.get().config().limits();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(host)
                .setPort(port)
                .setHandle100ContinueAutomatically(false)
                .setHttp2ClearTextEnabled(true)
                .setTcpNoDelay(true)
                .setCompressionSupported(false)
                .setDecompressionSupported(false)
                // A backstop for connections that never send a byte (the guard sees a
                // connection once its protocol is known); silent long polls outlive it
                // only up to the longest route timeout.
                .setIdleTimeout((int) Math.max(
                        LimitsConfig.MAX_TIMEOUT.toSeconds() + 5,
                        limits.keepAliveTimeout().toSeconds()))
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setInitialSettings(new io.vertx.core.http.Http2Settings()
                        .setMaxConcurrentStreams(limits.http2().maxConcurrentStreams()))
                .setHttp2RstFloodMaxRstFramePerWindow(limits.http2().maxResets())
                .setHttp2RstFloodWindowDuration(
                        (int) limits.http2().resetWindow().toSeconds())
                .setHttp2RstFloodWindowDurationTimeUnit(TimeUnit.SECONDS);
        snapshots
                .get()
                .config()
                .server()
                .tls()
                .ifPresent(tls -> options.setSsl(true)
                        .setUseAlpn(true)
                        .setKeyCertOptions(TlsOptions.keyCert(tls))
                        .setEnabledSecureTransportProtocols(new java.util.LinkedHashSet<>(tls.protocols())));
        server = vertx.createHttpServer(options)
                .connectionHandler(guard::install)
                .requestHandler(req -> new Exchange(ctx, req).start())
                .invalidRequestHandler(ProxyVerticle::invalid)
                .exceptionHandler(err -> log.debug("client connection error: {}", err.toString()));
        return server.listen().onSuccess(s -> acceptor.attach(server));
    }

    /** Loads the TLS certificate again (it was renewed on disk); completes with whether it changed. */
    public Future<Boolean> reloadTls(TlsConfig tls) {
        return server.updateSSLOptions(TlsOptions.server(tls), true);
    }

    /** How late this loop last ran a timer due every 200 ms: work that kept it busy. */
    public long lagNanos() {
        return lagNanos.get();
    }

    /** Tasks waiting on this verticle's event loop (0 before it starts). */
    public int pendingTasks() {
        return context != null
                        && ((ContextInternal) context).nettyEventLoop()
                                instanceof io.netty.util.concurrent.SingleThreadEventExecutor loop
                ? loop.pendingTasks()
                : 0;
    }

    /** The port actually bound, which differs from the configured one when that is 0. */
    public int actualPort() {
        return server.actualPort();
    }

    @Override
    public Future<?> stop() {
        return server.shutdown(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)
                .eventually(() -> {
                    vertx.cancelTimer(sweeper);
                    vertx.cancelTimer(idleCloser);
                    vertx.cancelTimer(lagProbe);
                    upstreams.close();
                    return Future.succeededFuture();
                })
                .eventually(() -> tunnels.close())
                .eventually(() -> {
                    if (redisLimits != null) {
                        redisLimits.close();
                    }
                    return Future.succeededFuture();
                });
    }

    /** Requests Netty could not parse: Baton's JSON error, then the connection is closed. */
    private static void invalid(HttpServerRequest req) {
        Throwable cause = req.decoderResult().cause();
        int status = 400;
        String message = "malformed request";
        if (cause instanceof TooLongHttpLineException) {
            status = 414;
            message = "request line too long";
        } else if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            status = 431;
            message = "request headers too large";
        } else if (cause != null
                && cause.getMessage() != null
                && cause.getMessage().contains("Content-Length")) {
            message = "invalid or conflicting Content-Length";
        }
        req.response().putHeader("connection", "close");
        // Before any request: the config's request-id header is not known here.
        ErrorResponses.send(req.response(), status, message, "x-request-id", RequestIds.generate())
                .onComplete(ar -> req.connection().close());
    }
}
