package dev.baton.proxy.internal;

import dev.baton.config.LimitsConfig;
import dev.baton.proxy.ClientConnections;
import dev.baton.proxy.internal.http.FrameCursor;
import dev.baton.proxy.internal.http.HttpDates;
import dev.baton.security.SecurityViolations;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One event loop's defence against clients that hold connections without using them
 * (slowloris and its kin): the connection limits, the time a client has to send a
 * whole request head ({@code limits.header-timeout}: 408 on HTTP/1.1, GOAWAY on
 * HTTP/2 when a header block never ends) and the time an idle connection is kept
 * between requests ({@code limits.keep-alive-timeout}), and the 505 for an HTTP
 * version Baton does not speak.
 *
 * <p>It adds two small handlers to each connection's Netty pipeline: one in front of
 * the decoder that sees raw bytes (the first byte of a head starts its clock; on
 * HTTP/2 it follows frame boundaries to see header blocks open and close), and on
 * HTTP/1.1 one behind it that sees whole heads arrive and responses end. Waiting
 * connections sit in two queues, one per timeout; each queue is in the order its
 * clocks started, so the sweep looks only at the expired ones at the front.
 * Confined to its event loop.
 */
final class ConnectionGuard {
    private final LongSupplier nanos;
    private final Supplier<LimitsConfig> limits;
    private final ClientConnections clients;
    private final SecurityViolations violations;
    private final HttpDates dates;
    private final Queue heads = new Queue();
    private final Queue idle = new Queue();

    ConnectionGuard(
            LongSupplier nanos,
            Supplier<LimitsConfig> limits,
            ClientConnections clients,
            SecurityViolations violations,
            HttpDates dates) {
        this.nanos = nanos;
        this.limits = limits;
        this.clients = clients;
        this.violations = violations;
        this.dates = dates;
    }

    /** Takes charge of a client connection Vert.x has set up, or closes it when it is over a limit. */
    void install(HttpConnection conn) {
        if (!(conn instanceof ConnectionBase base)) {
            return;
        }
        Channel ch = base.channel();
        ChannelPipeline p = ch.pipeline();
        Guarded g = new Guarded(ch, conn);
        ClientAcceptor.FirstHead first =
                p.get(ClientAcceptor.FIRST_HEAD) instanceof ClientAcceptor.FirstHead f ? f : null;
        if (first != null) {
            first.handedOver(); // counted and timed since it was accepted
        } else if (!countedHere(ch, conn)) {
            return;
        }
        ch.closeFuture().addListener(f -> g.unlink());
        Http2ConnectionHandler h2 = p.get(Http2ConnectionHandler.class);
        if (h2 != null) {
            g.h2 = h2;
            Guarded.Frames frames = g.new Frames();
            if (first != null && first.frames().aligned()) {
                // Cleartext with prior knowledge: the doorman has followed every byte since the preface.
                first.frames().listen(frames);
            } else if (p.get(io.netty.handler.ssl.SslHandler.class) != null) {
                p.addBefore(p.context(h2).name(), "baton-frames", g.new FrameBytes(frames));
            }
            idle.append(g, nanos.getAsLong());
            return;
        }
        if (first != null) {
            p.remove(first);
        }
        ChannelHandlerContext decoder = decoder(p);
        ChannelHandlerContext encoder = p.context(HttpResponseEncoder.class);
        if (encoder == null) {
            encoder = p.context(HttpServerCodec.class);
        }
        if (decoder == null || encoder == null) {
            return; // not a pipeline this guard knows: leave it to Vert.x's idle timeout
        }
        p.addBefore(decoder.name(), "baton-bytes", g.new Bytes());
        // Behind the encoder: inbound it sees decoded heads, outbound responses before they are encoded.
        p.addAfter(encoder.name(), "baton-heads", g.new Heads());
        if (p.get("h2c") != null) {
            // Vert.x hands an HTTP/1.1 connection over once its first head has arrived,
            // to rule out an h2c upgrade: that request is under way.
            g.requests = 1;
        } else {
            heads.append(g, nanos.getAsLong());
        }
    }

    /** Counts a connection the acceptor did not see; false when it is over a limit and was closed. */
    private boolean countedHere(Channel ch, HttpConnection conn) {
        LimitsConfig l = limits.get();
        String client = conn.remoteAddress() == null ? "" : conn.remoteAddress().hostAddress();
        int perClient = l.maxConnectionsPerClient().orElse(0);
        if (clients.open(client, l.maxConnections(), perClient).isPresent()) {
            ch.close();
            return false;
        }
        ch.closeFuture().addListener(f -> clients.close(client, perClient > 0));
        return true;
    }

    private static @Nullable ChannelHandlerContext decoder(ChannelPipeline p) {
        for (Map.Entry<String, ChannelHandler> e : p) {
            if (e.getValue() instanceof HttpObjectDecoder || e.getValue() instanceof HttpServerCodec) {
                return p.context(e.getValue());
            }
        }
        return null;
    }

    /** Closes the connections whose head or idle time ran out; called by the loop's periodic timer. */
    void sweep() {
        long now = nanos.getAsLong();
        LimitsConfig l = limits.get();
        Guarded g;
        long headTimeout = l.headerTimeout().toNanos();
        while ((g = heads.expired(now, headTimeout)) != null) {
            g.unlink();
            g.headTimedOut(l);
        }
        long idleTimeout = l.keepAliveTimeout().toNanos();
        while ((g = idle.expired(now, idleTimeout)) != null) {
            g.unlink();
            if (g.h2 != null && g.h2.connection().numActiveStreams() > 0) {
                idle.append(g, now); // streams open (a long poll, say): not idle
            } else {
                clients.closed(ClientConnections.Closed.KEEP_ALIVE_TIMEOUT);
                g.conn.close();
            }
        }
    }

    /** Connections waiting for a head, then those idle: for tests. */
    int[] waiting() {
        return new int[] {heads.size, idle.size};
    }

    /** A FIFO of connections by the time their clock started: the oldest is always first. */
    private final class Queue {
        // The ring's sentinel: never a connection, so its channel and conn are never read.
        @SuppressWarnings("NullAway")
        private final Guarded head = new Guarded(null, null);

        private int size;

        Queue() {
            head.prev = head;
            head.next = head;
        }

        @SuppressWarnings("NullAway") // a ring's links are never null while in it (see Guarded)
        void append(Guarded g, long now) {
            g.unlink();
            g.since = now;
            g.queue = this;
            g.prev = head.prev;
            g.next = head;
            head.prev.next = g;
            head.prev = g;
            size++;
        }

        @SuppressWarnings("NullAway") // a ring's links are never null while in it (see Guarded)
        @Nullable
        Guarded expired(long now, long timeout) {
            Guarded first = head.next;
            return first != head && now - first.since >= timeout ? first : null;
        }
    }

    /** One client connection's state. */
    private final class Guarded {
        final Channel channel;
        final HttpConnection conn;

        @Nullable
        Http2ConnectionHandler h2; // an HTTP/2 connection's

        // Null while in no queue. NullAway cannot see that the links are set while it is
        // in one, which is why the queue's methods and unlink are exempt.
        @Nullable
        Guarded prev;

        @Nullable
        Guarded next;

        @Nullable
        Queue queue;

        long since;
        /** HTTP/1.1: heads passed on, and responses ended. Equal means idle. */
        long requests;

        long responses;
        /** Switched protocols (a WebSocket): no longer HTTP, no longer timed here. */
        boolean tunnel;

        @Nullable
        ChannelHandlerContext headsCtx; // an HTTP/1.1 connection's, once its Heads handler is added

        Guarded(Channel channel, HttpConnection conn) {
            this.channel = channel;
            this.conn = conn;
        }

        /**
         * Ends an HTTP/2 connection as RFC 9113 §5.4.1 says: GOAWAY, then the close.
         * Reading stops at once, and the close waits a moment so the client reads the
         * GOAWAY before its unread bytes make the close a reset.
         */
        void goAwayAndClose(int errorCode) {
            conn.goAway(errorCode);
            channel.config().setAutoRead(false);
            channel.eventLoop().schedule(() -> channel.close(), 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        @SuppressWarnings("NullAway") // a ring's links are never null while in it (see above)
        void unlink() {
            if (queue != null) {
                prev.next = next;
                next.prev = prev;
                queue.size--;
                queue = null;
                prev = null;
                next = null;
            }
        }

        void headTimedOut(LimitsConfig l) {
            violations.count(SecurityViolations.SLOW_CLIENT);
            clients.closed(ClientConnections.Closed.HEADER_TIMEOUT);
            if (h2 != null) {
                goAwayAndClose(0x1); // PROTOCOL_ERROR
            } else if (headsCtx != null) {
                refuse(
                        headsCtx,
                        HttpResponseStatus.REQUEST_TIMEOUT,
                        "the request head was not complete within "
                                + l.headerTimeout().toMillis() + " ms (limits.header-timeout)");
            } else {
                channel.close();
            }
        }

        /** Raw bytes, in front of the HTTP/1.1 decoder: the first byte of a head starts its clock. */
        final class Bytes extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (queue == idle && !tunnel) {
                    heads.append(Guarded.this, nanos.getAsLong());
                }
                ctx.fireChannelRead(msg);
            }
        }

        /** Decoded heads in, responses out, behind the HTTP/1.1 codec. */
        final class Heads extends ChannelDuplexHandler {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                headsCtx = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest req) {
                    HttpVersion v = req.protocolVersion();
                    if (req.decoderResult().isSuccess() && v != HttpVersion.HTTP_1_1 && v != HttpVersion.HTTP_1_0) {
                        ReferenceCountUtil.release(msg);
                        unlink();
                        clients.closed(ClientConnections.Closed.UNSUPPORTED_VERSION);
                        refuse(
                                ctx,
                                HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                                "HTTP version " + v.text() + " is not supported (HTTP/1.0, HTTP/1.1 and HTTP/2 are)");
                        return;
                    }
                    requests++;
                    unlink();
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                    // 100 Continue is not the response; 101 ends HTTP on this connection.
                    if (r.status().code() == 101) {
                        tunnel = true;
                        unlink();
                    }
                } else if (msg instanceof LastHttpContent && !tunnel && ++responses >= requests && channel.isActive()) {
                    idle.append(Guarded.this, nanos.getAsLong());
                }
                ctx.write(msg, promise);
            }
        }

        /**
         * HTTP/2 frames as they arrive: a HEADERS frame without END_HEADERS opens a
         * header block that must end within the header timeout; any frame counts as
         * activity for the keep-alive timeout; SETTINGS and PING that ask for an
         * answer, and PRIORITY, are counted against {@code max-control-frames} a
         * second, since they cost the server work and the client nothing
         * (CVE-2019-9512, -9515).
         */
        final class Frames implements FrameCursor.Listener {
            private boolean inHeaderBlock;
            private boolean frames;
            private boolean flooded;
            private long windowStart;
            private int controlFrames;

            @Override
            public boolean frame(int type, int flags, long now) {
                frames = true;
                if (((type == 0x4 || type == 0x6) && (flags & 0x1) == 0) || type == 0x2) {
                    if (now - windowStart > 1_000_000_000L) {
                        windowStart = now;
                        controlFrames = 0;
                    }
                    if (++controlFrames > limits.get().http2().maxControlFrames()) {
                        flood();
                        return false;
                    }
                }
                if (type == 0x1 || type == 0x9) { // HEADERS, CONTINUATION
                    inHeaderBlock = (flags & 0x4) == 0;
                }
                return true;
            }

            @Override
            public void read(long now) {
                if (flooded) {
                    return;
                }
                if (inHeaderBlock && queue != heads) {
                    heads.append(Guarded.this, now); // the block's clock starts with the read that opened it
                } else if (!inHeaderBlock && (frames || queue == heads)) {
                    idle.append(Guarded.this, now);
                }
                frames = false;
            }

            private void flood() {
                flooded = true;
                violations.count(SecurityViolations.HTTP2_FLOOD);
                clients.closed(ClientConnections.Closed.HTTP2_FLOOD);
                unlink();
                goAwayAndClose(0xb); // ENHANCE_YOUR_CALM
            }
        }

        /** In front of the HTTP/2 codec when no {@link ClientAcceptor.FirstHead} follows the bytes (TLS). */
        final class FrameBytes extends ChannelInboundHandlerAdapter {
            private final FrameCursor cursor = new FrameCursor();

            FrameBytes(Frames frames) {
                cursor.listen(frames);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    cursor.read(buf, nanos.getAsLong());
                }
                if (!cursor.following() && !ctx.channel().config().isAutoRead()) {
                    ReferenceCountUtil.release(msg); // ended for a flood: nothing more is read
                    return;
                }
                ctx.fireChannelRead(msg);
            }
        }
    }

    /** Answers an HTTP/1.1 client with a JSON error of ours and closes the connection. */
    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        ctx.writeAndFlush(ErrorResponses.closing(status, message, dates.now()))
                .addListener(f -> ctx.channel().close());
    }
}
