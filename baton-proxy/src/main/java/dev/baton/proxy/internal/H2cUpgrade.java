package dev.baton.proxy.internal;

import dev.baton.http.FieldSyntax;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Settings;
import java.util.Base64;
import java.util.List;

/**
 * Judges an HTTP/1.1 request that asks to upgrade to cleartext HTTP/2
 * ({@code Upgrade: h2c}) before Vert.x's upgrade handler sees it, and makes one that
 * cannot be taken up an ordinary HTTP/1.1 request.
 *
 * <p>Why: Vert.x answers an upgrade it cannot take (no {@code Connection: Upgrade,
 * HTTP2-Settings}, a missing, repeated or undecodable {@code HTTP2-Settings}) with a
 * bare 400 that says {@code connection: close}, yet keeps the connection and serves
 * the requests pipelined behind it, and drops that request's body without releasing
 * it. A malformed head (two {@code Content-Length}s, say) it upgrades all the same.
 * RFC 9110 §7.8 lets a server ignore {@code Upgrade}, and must in an HTTP/1.0
 * request: so such a request loses its {@code Upgrade} field here and is judged and
 * proxied like any other HTTP/1.1 request, by the same rules and errors. So does one
 * with a body: Netty settles a head with both {@code Content-Length} and
 * {@code Transfer-Encoding} by dropping the length, where our HTTP/1.1 rules refuse
 * it as smuggling, and the upgrade must not be a way around them (a client sending
 * a body waits for it to be sent whole before HTTP/2 starts anyway, RFC 7540 §3.2).
 * And so does one with a field that is not a valid HTTP/2 field (an empty name, say):
 * Vert.x fails halfway through the upgrade, after its 101, and the stream hangs.
 */
final class H2cUpgrade {
    static final String GATE = "baton-h2c-gate";
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf(); // read-only, never released

    private H2cUpgrade() {}

    /** True when Vert.x would take {@code req} for an upgrade to h2c. */
    static boolean asked(HttpRequest req) {
        return req.headers().contains("upgrade", "h2c", true);
    }

    /**
     * True when the upgrade {@code req} asks for can be taken up as RFC 7540 §3.2
     * describes it, read as Vert.x reads it (the first {@code Connection} line, its
     * options with spaces dropped; one {@code HTTP2-Settings}), so that whatever passes
     * here Vert.x takes up.
     */
    static boolean acceptable(HttpRequest req) {
        if (!req.decoderResult().isSuccess()
                || req.protocolVersion() != HttpVersion.HTTP_1_1
                || !bodiless(req)
                || FieldSyntax.firstInvalid(req.headers()).isPresent()) {
            return false;
        }
        String connection = req.headers().get("connection");
        boolean upgrade = false;
        boolean settings = false;
        for (String token : connection == null ? new String[0] : connection.split(",", -1)) {
            StringBuilder t = new StringBuilder(token.length());
            token.chars().filter(c -> c != ' ').forEach(c -> t.append(Character.toLowerCase((char) c)));
            upgrade |= t.toString().equals("upgrade");
            settings |= t.toString().equals("http2-settings");
        }
        List<String> values = req.headers().getAll("http2-settings");
        return upgrade && settings && values.size() == 1 && decodes(values.get(0));
    }

    /** True when {@code req} declares no body: no Transfer-Encoding, and no Content-Length but one of 0 (Java's client sends that). */
    static boolean bodiless(HttpRequest req) {
        List<String> lengths = req.headers().getAll("content-length");
        return !req.headers().contains("transfer-encoding")
                && (lengths.isEmpty() || (lengths.size() == 1 && lengths.get(0).equals("0")));
    }

    /** True when {@code value} is base64url of whole SETTINGS entries, each with a value HTTP/2 allows. */
    static boolean decodes(String value) {
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (b.length % 6 != 0) {
            return false;
        }
        Http2Settings s = new Http2Settings();
        try {
            for (int i = 0; i < b.length; i += 6) {
                char id = (char) (((b[i] & 0xff) << 8) | (b[i + 1] & 0xff));
                long v = ((long) (b[i + 2] & 0xff) << 24)
                        | ((b[i + 3] & 0xff) << 16)
                        | ((b[i + 4] & 0xff) << 8)
                        | (b[i + 5] & 0xff);
                s.put(id, Long.valueOf(v)); // refuses a value out of its setting's range
            }
        } catch (IllegalArgumentException e) {
            return false;
        }
        return true;
    }

    /**
     * How many of {@code buf}'s bytes Vert.x must see to choose between HTTP/1.1 and
     * HTTP/2 with prior knowledge, {@code seen} bytes of the preface having passed:
     * up to and including the first byte that is not the preface's; -1 when all of
     * them are (the choice is still open, or made for HTTP/2 when the preface is whole).
     */
    static int choiceAt(ByteBuf buf, int seen) {
        int n = buf.readableBytes();
        for (int i = 0; i < n && seen + i < PREFACE.readableBytes(); i++) {
            if (buf.getByte(buf.readerIndex() + i) != PREFACE.getByte(PREFACE.readerIndex() + seen + i)) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Bytes of the preface. */
    static int prefaceLength() {
        return PREFACE.readableBytes();
    }

    /**
     * Stands between the HTTP/1.1 decoder and Vert.x's upgrade handler for a
     * connection's first request (the only one Vert.x would upgrade), then leaves.
     */
    static final class Gate extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                if (asked(req) && !acceptable(req)) {
                    req.headers().remove("upgrade");
                }
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
