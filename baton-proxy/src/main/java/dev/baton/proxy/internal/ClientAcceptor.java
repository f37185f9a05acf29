package dev.baton.proxy.internal;

import dev.baton.config.LimitsConfig;
import dev.baton.http.ErrorBody;
import dev.baton.http.RequestIds;
import dev.baton.proxy.ClientConnections;
import dev.baton.proxy.internal.http.FrameCursor;
import dev.baton.security.SecurityViolations;
import dev.baton.time.Ticker;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy port's doorman: sees every connection the moment it is accepted, before
 * Vert.x reads a byte of it, so that {@code limits.max-connections} and
 * {@code limits.max-connections-per-client} close the surplus at once, and so that a
 * connection whose first request head never completes is closed after
 * {@code limits.header-timeout} (408) like any later one.
 *
 * <p>Why here: with HTTP/2 cleartext enabled, Vert.x tells a server of a new HTTP/1.1
 * connection only once its first head is complete (it must first rule out an h2c
 * upgrade), which is exactly when a slowloris client never gets. Vert.x offers no
 * hook at accept time, so this reaches the listening Netty channel through Vert.x's
 * internals, in {@link #attach} alone; if they change, attach says so once and
 * {@link ConnectionGuard} falls back to counting connections when it sees them.
 */
public final class ClientAcceptor {
    private static final Logger log = LoggerFactory.getLogger(ClientAcceptor.class);
    static final String FIRST_HEAD = "baton-first-head";
    private static final String NAME = "baton-accept";
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern(
                    "EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);

    private final Supplier<LimitsConfig> limits;
    private final ClientConnections clients;
    private final SecurityViolations violations;
    private final Ticker ticker;
    private final Acceptor acceptor = new Acceptor();

    public ClientAcceptor(
            Supplier<LimitsConfig> limits, ClientConnections clients, SecurityViolations violations, Ticker ticker) {
        this.ticker = ticker;
        this.limits = limits;
        this.clients = clients;
        this.violations = violations;
    }

    /**
     * Puts the doorman on {@code server}'s listening channel (shared by every event
     * loop's server on the port, so the first call does it); false when Vert.x's
     * internals are not as expected.
     */
    boolean attach(HttpServer server) {
        Channel listening;
        try {
            Object tcp = field(server, "tcpServer");
            Object actual = field(tcp, "actualServer");
            @SuppressWarnings("unchecked")
            Future<Channel> bound = (Future<Channel>) field(actual != null ? actual : tcp, "bindFuture");
            listening = bound.result();
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn(
                    "cannot see connections as they are accepted on this Vert.x version ({}); connection limits "
                            + "apply once a connection's first request arrives",
                    e.toString());
            return false;
        }
        synchronized (this) {
            if (listening.pipeline().get(NAME) == null) {
                listening.pipeline().addFirst(NAME, acceptor);
            }
        }
        return true;
    }

    /**
     * The version of a request line that names one Baton does not speak, else null
     * (also for lines that are not request lines at all: the decoder answers those).
     */
    static @Nullable String unsupportedVersion(String line) {
        // Netty's decoder splits the request line at any of these, not only at spaces.
        int space = -1;
        for (int i = line.length() - 1; i >= 0 && space < 0; i--) {
            if (" \t\u000b\u000c\r".indexOf(line.charAt(i)) >= 0) {
                space = i;
            }
        }
        String v = space < 0 ? "" : line.substring(space + 1);
        if (!v.matches("HTTP/[0-9]+\\.[0-9]+") || v.equals("HTTP/1.1") || v.equals("HTTP/1.0")) {
            return null;
        }
        return line.equals("PRI * HTTP/2.0") ? null : v;
    }

    private static Object field(Object target, String name) throws ReflectiveOperationException {
        for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(target);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(target.getClass().getName() + "." + name);
    }

    /** On the listening channel: every accepted child channel passes through here. */
    @ChannelHandler.Sharable
    private final class Acceptor extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel child) {
                child.pipeline().addFirst(FIRST_HEAD, new FirstHead());
            }
            ctx.fireChannelRead(msg);
        }
    }

    /**
     * In front of a new connection's pipeline until Vert.x hands the connection over:
     * counts it, refuses it when over a limit, and closes it when that does not happen
     * within the header timeout.
     */
    final class FirstHead extends ChannelInboundHandlerAdapter {
        private String client = "";
        private @Nullable ScheduledFuture<?> timer; // the header timeout, until handed over

        // Set in channelActive, before Netty delivers anything else or the timer can fire.
        @SuppressWarnings("NullAway.Init")
        private ChannelHandlerContext ctx;

        private @Nullable StringBuilder firstLine = new StringBuilder(); // null once judged
        private final FrameCursor frames = new FrameCursor();
        private boolean plain;
        private int prefaceSeen; // -1 once Vert.x has chosen HTTP/1.1 or HTTP/2

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            LimitsConfig l = limits.get();
            if (ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
                client = a.getAddress().getHostAddress();
            }
            int max = l.maxConnectionsPerClient().orElse(0);
            if (clients.open(client, l.maxConnections(), max).isPresent()) {
                ctx.channel().close();
                return;
            }
            // Counted out when the channel closes, whoever holds the pipeline by then:
            // the guard takes this handler out of an HTTP/1.1 connection's pipeline.
            boolean perClient = max > 0;
            String who = client;
            ctx.channel().closeFuture().addListener(f -> clients.close(who, perClient));
            timer = ctx.executor().schedule(this::timedOut, l.headerTimeout().toMillis(), TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            cancel();
            ctx.fireChannelInactive();
        }

        /**
         * Reads the first request line as it passes, for its version: Vert.x answers
         * an unknown one with a bare 501 of its own before any handler of ours sees
         * the request. Later requests are judged by {@link ConnectionGuard}.
         */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.buffer.ByteBuf buf && firstLine == null && plain) {
                frames.read(buf, ticker.nanos()); // HTTP/2 with prior knowledge: frames for the guard
                if (!frames.following() && !ctx.channel().config().isAutoRead()) {
                    buf.release(); // ended for a flood: nothing more is read
                    return;
                }
            }
            if (firstLine != null && msg instanceof io.netty.buffer.ByteBuf buf) {
                if (ctx.pipeline().get(SslHandler.class) != null) {
                    firstLine = null; // ciphertext here; after TLS Vert.x hands connections over at once
                } else {
                    plain = true;
                    frames.read(buf, ticker.nanos());
                    for (int i = buf.readerIndex(); i < buf.writerIndex() && firstLine != null; i++) {
                        char c = (char) (buf.getByte(i) & 0xff);
                        if (c == '\n') {
                            String version =
                                    unsupportedVersion(firstLine.toString().strip());
                            firstLine = null;
                            if (version != null) {
                                buf.release();
                                refuse505(version);
                                return;
                            }
                        } else if (firstLine.length() > 16 * 1024) {
                            firstLine = null; // the decoder refuses a line this long
                        } else {
                            firstLine.append(c);
                        }
                    }
                }
            }
            if (prefaceSeen >= 0 && plain && msg instanceof io.netty.buffer.ByteBuf buf) {
                fireAroundChoice(ctx, buf);
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        /**
         * Passes bytes on so that the {@link H2cUpgrade.Gate} stands in front of
         * Vert.x's h2c upgrade handler before a request head reaches it: Vert.x sets
         * that handler up only when it sees the first byte that is not the HTTP/2
         * preface's, and then hands the rest straight on; so those bytes go first.
         */
        private void fireAroundChoice(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf buf) {
            int first = H2cUpgrade.choiceAt(buf, prefaceSeen);
            if (first < 0) {
                int seen = prefaceSeen + buf.readableBytes();
                prefaceSeen = seen >= H2cUpgrade.prefaceLength() ? -1 : seen;
                ctx.fireChannelRead(buf);
                return;
            }
            prefaceSeen = -1;
            ctx.fireChannelRead(buf.readRetainedSlice(first));
            ChannelPipeline p = ctx.pipeline();
            if (p.get("h2c") != null && p.get(H2cUpgrade.GATE) == null) {
                p.addBefore("h2c", H2cUpgrade.GATE, new H2cUpgrade.Gate());
            }
            if (buf.isReadable() && ctx.channel().isActive()) {
                ctx.fireChannelRead(buf);
            } else {
                buf.release();
            }
        }

        /** The frames of this connection, followed from its first byte when it is cleartext HTTP/2. */
        FrameCursor frames() {
            return frames;
        }

        /** Vert.x has handed the connection over: its head arrived in time; the guard takes it from here. */
        void handedOver() {
            cancel();
        }

        private void cancel() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private void refuse505(String version) {
            cancel();
            clients.closed(ClientConnections.Closed.UNSUPPORTED_VERSION);
            writeAndClose(
                    "505 HTTP Version Not Supported",
                    ErrorBody.json(
                            505,
                            "HTTP version " + version + " is not supported (HTTP/1.0, HTTP/1.1 and HTTP/2 are)",
                            RequestIds.generate()));
        }

        private void writeAndClose(String status, String body) {
            Channel ch = ctx.channel();
            String head = "HTTP/1.1 " + status + "\r\ncontent-type: application/json\r\ncontent-length: "
                    + body.getBytes(StandardCharsets.UTF_8).length + "\r\nconnection: close\r\ndate: "
                    + IMF_FIXDATE.format(Instant.now()) + "\r\n\r\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(head + body, StandardCharsets.UTF_8))
                    .addListener(f -> ch.close());
        }

        private void timedOut() {
            timer = null;
            Channel ch = ctx.channel();
            if (!ch.isActive()) {
                return;
            }
            violations.count(SecurityViolations.SLOW_CLIENT);
            clients.closed(ClientConnections.Closed.HEADER_TIMEOUT);
            if (ch.pipeline().get(SslHandler.class) != null) {
                ch.close(); // in front of TLS: nothing readable can be written from here
                return;
            }
            writeAndClose(
                    "408 Request Timeout",
                    ErrorBody.json(
                            408,
                            "the request head was not complete within "
                                    + limits.get().headerTimeout().toMillis() + " ms (limits.header-timeout)",
                            RequestIds.generate()));
        }
    }
}
