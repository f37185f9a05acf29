package dev.baton.proxy.internal.upstream;

import dev.baton.control.Prober;
import dev.baton.control.Upstream;
import dev.baton.time.Ticker;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Health probes (HTTP GET or TCP connect) on one event loop, over the same raw
 * Netty connections as the proxy, kept alive between checks. Checking a thousand
 * instances a second through Vert.x's client cost 7–8% of a core; this costs a
 * fraction of that (see {@code bench/health.sh}). Every method and callback runs
 * on the loop of the context given at construction.
 */
public final class Probes implements Prober {
    /** Bodies are read up to this much for {@code body-contains}; a health page is small. */
    static final int MAX_BODY = 64 * 1024;

    private static final long KEEP_ALIVE_MILLIS = TimeUnit.SECONDS.toMillis(4);

    private final UpstreamPool pool;

    public Probes(Vertx vertx, Context context) {
        Class<? extends Channel> channelType =
                vertx.isNativeTransportEnabled() ? EpollSocketChannel.class : NioSocketChannel.class;
        this.pool = new UpstreamPool(
                ((ContextInternal) context).nettyEventLoop(),
                channelType,
                ((VertxInternal) vertx).nameResolver().nettyAddressResolverGroup(),
                KEEP_ALIVE_MILLIS,
                new dev.baton.proxy.ConnectionStats(), // health checks' own, not the proxy's
                Ticker.system());
    }

    @Override
    public Probe http(
            Upstream u,
            String path,
            int minStatus,
            int maxStatus,
            Optional<String> bodyContains,
            int timeoutMillis,
            Result result) {
        HttpProbe p = new HttpProbe(u, u.basePath() + path, minStatus, maxStatus, bodyContains, timeoutMillis, result);
        p.start(false);
        return p;
    }

    @Override
    public Probe tcp(Upstream u, int timeoutMillis, Result result) {
        boolean[] finished = {false};
        var future = pool.connect(u, timeoutMillis);
        future.addListener(f -> {
            if (finished[0]) {
                future.channel().close();
                return;
            }
            finished[0] = true;
            if (f.isSuccess()) {
                future.channel().close();
                result.done(true, null);
            } else {
                result.done(false, describe(f.cause()));
            }
        });
        return why -> {
            if (!finished[0]) {
                finished[0] = true;
                future.channel().close();
                result.done(false, why);
            }
        };
    }

    @Override
    public void closeIdle() {
        pool.closeIdle();
    }

    @Override
    public void close() {
        pool.close();
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private final class HttpProbe implements UpstreamConnection.Listener, UpstreamPool.Acquired, Probe {
        private final Upstream upstream;
        private final String uri;
        private final int minStatus;
        private final int maxStatus;
        private final Optional<String> bodyContains;
        private final int timeoutMillis;
        private final Result result;
        private @Nullable UpstreamConnection connection; // while the probe holds it
        private @Nullable StringBuilder body; // from the head, when the body is looked into
        private int status;
        private boolean finished;

        HttpProbe(
                Upstream upstream,
                String uri,
                int minStatus,
                int maxStatus,
                Optional<String> bodyContains,
                int timeoutMillis,
                Result result) {
            this.upstream = upstream;
            this.uri = uri;
            this.minStatus = minStatus;
            this.maxStatus = maxStatus;
            this.bodyContains = bodyContains;
            this.timeoutMillis = timeoutMillis;
            this.result = result;
        }

        void start(boolean fresh) {
            pool.acquire(upstream, fresh, timeoutMillis, this);
        }

        @Override
        public void connected(UpstreamConnection c) {
            if (finished) {
                c.abandon();
                return;
            }
            connection = c;
            DefaultFullHttpRequest req =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER);
            req.headers()
                    .set(HttpHeaderNames.HOST, upstream.authority())
                    .set(HttpHeaderNames.USER_AGENT, "baton-health-check");
            c.start(this, req, true);
        }

        @Override
        public void failed(Throwable failure) {
            if (!finished) {
                finish(false, describe(failure));
            }
        }

        @Override
        public void onHead(HttpResponse head) {
            status = head.status().code();
            if (bodyContains.isPresent()) {
                body = new StringBuilder();
            }
        }

        @Override
        public void onContent(ByteBuf content) {
            if (body != null && body.length() < MAX_BODY) {
                body.append(content.toString(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void onEnd(ByteBuf last) {
            connection = null;
            onContent(last);
            if (status < minStatus || status > maxStatus) {
                finish(false, "status " + status);
            } else if (body != null && body.indexOf(bodyContains.get()) < 0) {
                finish(false, "body lacks '" + bodyContains.get() + "'");
            } else {
                finish(true, null);
            }
        }

        @Override
        public void onFailure(Throwable cause) {
            UpstreamConnection failed = connection;
            connection = null;
            if (!finished && status == 0 && failed != null && failed.reused()) {
                start(true); // a keep-alive connection the upstream had closed: not the instance's fault
            } else {
                finish(false, describe(cause));
            }
        }

        @Override
        public void onWritable() {}

        @Override
        public void abort(String why) {
            if (!finished) {
                UpstreamConnection c = connection;
                connection = null;
                finish(false, why);
                if (c != null) {
                    c.abandon();
                }
            }
        }

        private void finish(boolean passed, @Nullable String error) {
            if (!finished) {
                finished = true;
                result.done(passed, error);
            }
        }
    }
}
