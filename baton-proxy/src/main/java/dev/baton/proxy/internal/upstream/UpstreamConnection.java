package dev.baton.proxy.internal.upstream;

import dev.baton.proxy.internal.http.Framing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 connection to an upstream, driven by Netty directly on the event loop
 * that serves the client: the request goes out as Netty HTTP objects and the response
 * comes back through {@link Listener} callbacks, with no futures, contexts or queues
 * in between (a profile showed Vert.x's client costing a third of the proxy's CPU).
 * It carries one exchange at a time and returns to its {@link UpstreamPool} once the
 * request and the response are both complete and the upstream keeps it alive.
 */
public final class UpstreamConnection extends ChannelInboundHandlerAdapter {
    /** What the exchange on this connection hears. Every call is on the event loop. */
    public interface Listener {
        void onHead(HttpResponse head);

        /** Response body bytes, valid only during the call. */
        void onContent(ByteBuf content);

        /** The response is complete; {@code last} holds its final bytes (often all of a small body). */
        void onEnd(ByteBuf last);

        void onFailure(Throwable cause);

        void onWritable();
    }

    private final UpstreamPool pool;
    final String key;
    // Set by the pool's channel initializer, before the connection is handed to anyone.
    @SuppressWarnings("NullAway.Init")
    Channel channel;

    private @Nullable Listener listener; // the exchange using it; null while idle
    private boolean reused;
    private boolean requestDone;
    private boolean responseDone;
    private boolean interim;
    private boolean keepAlive;
    long idleSince;

    UpstreamConnection(UpstreamPool pool, String key) {
        this.pool = pool;
        this.key = key;
    }

    /** Starts an exchange: writes the request head, or the whole request when {@code complete}. */
    public void start(Listener l, HttpObject request, boolean complete) {
        listener = l;
        requestDone = complete;
        responseDone = false;
        interim = false;
        channel.writeAndFlush(request, channel.voidPromise());
    }

    /** Served an exchange before: a failure before any response may be a stale keep-alive. */
    public boolean reused() {
        return reused;
    }

    /** Writes request body bytes; Netty releases them once written. */
    public void write(ByteBuf chunk) {
        channel.writeAndFlush(new DefaultHttpContent(chunk), channel.voidPromise());
    }

    public void end() {
        requestDone = true;
        channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        recycleIfDone();
    }

    public boolean writable() {
        return channel.isWritable();
    }

    public void pauseReading() {
        channel.config().setAutoRead(false);
    }

    public void resumeReading() {
        channel.config().setAutoRead(true);
    }

    /** The exchange gave up on this connection: it is closed, never reused. */
    public void abandon() {
        listener = null;
        channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener l = listener;
        if (l == null) {
            // Bytes on an idle connection: nothing asked for them, so it cannot be trusted.
            ReferenceCountUtil.release(msg);
            channel.close();
            return;
        }
        if (msg instanceof HttpResponse head) {
            if (head.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                fail(new IOException(
                        "invalid response: " + head.decoderResult().cause().getMessage()));
                return;
            }
            String unsafe = Framing.responseProblem(head);
            if (unsafe != null) {
                ReferenceCountUtil.release(msg);
                fail(new IOException("invalid response: " + unsafe));
                return;
            }
            if (head.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                interim = true; // 100 Continue and 103 Early Hints: the client got its own 100
            } else {
                keepAlive = HttpUtil.isKeepAlive(head);
                l.onHead(head);
            }
        }
        if (msg instanceof HttpContent content) {
            try {
                if (interim) {
                    interim = !(msg instanceof LastHttpContent);
                } else if (listener != l) {
                    return; // the exchange gave up during onHead
                } else if (msg instanceof LastHttpContent) {
                    responseDone = true;
                    boolean early = !requestDone;
                    recycleIfDone();
                    l.onEnd(content.content());
                    if (early) {
                        // Answered before the request was complete (an early 401 or 413): the
                        // rest of the body can go nowhere, so the connection is done.
                        abandon();
                    }
                } else if (content.content().isReadable()) {
                    l.onContent(content.content());
                }
            } finally {
                content.release();
            }
        }
    }

    private void recycleIfDone() {
        if (requestDone && responseDone && listener != null) {
            listener = null;
            if (keepAlive && channel.isActive()) {
                reused = true;
                pool.release(this);
            } else {
                channel.close();
            }
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (listener != null && channel.isWritable()) {
            listener.onWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (listener != null) {
            fail(new HttpClosedException("connection closed"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (listener != null) {
            fail(cause);
        } else {
            channel.close();
        }
    }

    private void fail(Throwable cause) {
        Listener l = listener; // callers have checked there is one
        listener = null;
        channel.close();
        if (l != null) {
            l.onFailure(cause);
        }
    }
}
