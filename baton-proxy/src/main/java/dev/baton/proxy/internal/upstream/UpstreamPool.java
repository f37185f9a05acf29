package dev.baton.proxy.internal.upstream;

import dev.baton.control.Upstream;
import dev.baton.proxy.ConnectionStats;
import dev.baton.time.Ticker;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One event loop's keep-alive connections to upstreams, keyed by {@code host:port}.
 * Connections are created on this loop, so an exchange and its upstream connection
 * never cross threads. The most recently used idle connection is reused first (the
 * one least likely to have been closed by the upstream), and connections idle for
 * longer than the keep-alive are closed here before an upstream's own idle timeout
 * can race a request. Confined to its loop: no locks.
 */
public final class UpstreamPool {
    /** Idle connections kept per upstream; more than that are closed when released. */
    static final int MAX_IDLE_PER_UPSTREAM = 512;

    /** Hears the outcome of {@link #acquire}: a connection, or why there is none. */
    public interface Acquired {
        /** A connection, idle or just opened: the caller's until it ends or abandons it. */
        void connected(UpstreamConnection connection);

        /** None: the connect failed, or the pool is closed (an {@link IllegalStateException}). */
        void failed(Throwable failure);
    }

    private final Bootstrap bootstrap;
    private final long keepAliveNanos;
    private final Map<String, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    private final ConnectionStats stats;
    private final Ticker ticker;
    private boolean closed;

    public UpstreamPool(
            EventLoop loop,
            Class<? extends Channel> channelType,
            AddressResolverGroup<InetSocketAddress> resolver,
            long keepAliveMillis,
            ConnectionStats stats,
            Ticker ticker) {
        this.stats = stats;
        this.ticker = ticker;
        this.keepAliveNanos = TimeUnit.MILLISECONDS.toNanos(keepAliveMillis);
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(channelType)
                .resolver(resolver)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024));
    }

    /** An idle connection to {@code upstream} unless {@code fresh}, else a new one; on the loop. */
    public void acquire(Upstream upstream, boolean fresh, int connectTimeoutMillis, Acquired then) {
        if (closed) {
            then.failed(new IllegalStateException("the gateway is shutting down"));
            return;
        }
        String key = upstream.poolKey();
        if (!fresh) {
            ArrayDeque<UpstreamConnection> conns = idle.get(key);
            long now = ticker.nanos();
            UpstreamConnection c;
            while (conns != null && (c = conns.pollFirst()) != null) {
                stats.idle(-1);
                if (c.channel.isActive() && now - c.idleSince < keepAliveNanos) {
                    stats.reused();
                    then.connected(c);
                    return;
                }
                c.channel.close();
            }
        }
        UpstreamConnection conn = new UpstreamConnection(this, key);
        bootstrap
                .clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        conn.channel = ch;
                        if (upstream.tls() != null) {
                            ch.pipeline().addLast(upstream.tls().handler(ch.alloc(), upstream.host(), upstream.port()));
                        }
                        ch.pipeline()
                                .addLast(
                                        new HttpClientCodec(
                                                new HttpDecoderConfig()
                                                        .setMaxInitialLineLength(16 * 1024)
                                                        .setMaxHeaderSize(64 * 1024)
                                                        .setMaxChunkSize(64 * 1024),
                                                false,
                                                false),
                                        conn);
                    }
                })
                .connect(upstream.host(), upstream.port())
                .addListener(f -> {
                    if (f.isSuccess()) {
                        stats.opened();
                        conn.channel.closeFuture().addListener(closed -> stats.closed());
                        then.connected(conn);
                    } else {
                        stats.failed();
                        then.failed(f.cause());
                    }
                });
    }

    /** A bare TCP connection to {@code upstream}, for checks that only need to reach it. */
    ChannelFuture connect(Upstream upstream, int connectTimeoutMillis) {
        return bootstrap
                .clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(upstream.host(), upstream.port());
    }

    void release(UpstreamConnection c) {
        ArrayDeque<UpstreamConnection> conns = idle.computeIfAbsent(c.key, k -> new ArrayDeque<>());
        if (closed || conns.size() >= MAX_IDLE_PER_UPSTREAM) {
            c.channel.close();
            return;
        }
        c.idleSince = ticker.nanos();
        conns.addFirst(c);
        stats.idle(1);
    }

    /** Closes connections idle past the keep-alive or already closed by the upstream. */
    public void closeIdle() {
        long now = ticker.nanos();
        for (Iterator<ArrayDeque<UpstreamConnection>> it = idle.values().iterator(); it.hasNext(); ) {
            ArrayDeque<UpstreamConnection> conns = it.next();
            // Oldest at the tail: stop at the first one still fresh.
            UpstreamConnection c;
            while ((c = conns.peekLast()) != null && (!c.channel.isActive() || now - c.idleSince >= keepAliveNanos)) {
                conns.pollLast().channel.close();
                stats.idle(-1);
            }
            if (conns.isEmpty()) {
                it.remove();
            }
        }
    }

    public void close() {
        closed = true;
        idle.values().forEach(conns -> {
            stats.idle(-conns.size());
            conns.forEach(c -> c.channel.close());
        });
        idle.clear();
    }
}
