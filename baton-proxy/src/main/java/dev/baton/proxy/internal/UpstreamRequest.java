package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.control.Upstream;
import dev.baton.proxy.internal.http.HeaderGate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP/1.1 request one try sends upstream: the target (prefix stripped, rewritten),
 * the forwarded headers, and the framing of the body, whole from memory (read for a
 * stage, or a retry's kept copy) or streamed after the head.
 */
final class UpstreamRequest {
    private UpstreamRequest() {}

    /** The head to write, and whether it carries the whole request ({@code whole}) or a body streams after it. */
    record Sending(HttpRequest head, boolean whole) {}

    /**
     * The request for {@code upstream}; empty, with the client answered 400, when the
     * target or a header cannot be written.
     */
    static Optional<Sending> build(
            UpstreamLeg leg,
            HttpServerRequest req,
            RouteTarget route,
            Upstream upstream,
            RequestBody body,
            @Nullable Retrying retrying) {
        // Admission refused every request without an absolute path.
        String uri = route.upstreamUri(Objects.requireNonNull(req.path()), req.query(), upstream);
        if (!HeaderGate.isTarget(uri)) {
            leg.badTarget();
            return Optional.empty();
        }
        HeadersMultiMap headers = HeadersMultiMap.caseInsensitive();
        if (!leg.copyHeaders(headers, false)) {
            return Optional.empty();
        }
        HttpMethod method = req.method().toNetty();
        if (body.present() && !body.complete()) {
            if (req.getHeader("content-length") == null) {
                headers.add("transfer-encoding", "chunked");
            }
            return Optional.of(new Sending(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers), false));
        }
        ByteBuf content = Unpooled.EMPTY_BUFFER;
        if (!body.present() && HeaderGate.expectsContent(req.method())) {
            // RFC 9110 §8.6: a POST, PUT or PATCH without a body says so (some servers want 411 else).
            headers.set("content-length", "0");
        }
        if (body.present()) {
            // Read whole for a stage, or a retry of a body kept by Retrying.
            // A body not read whole is sent from memory only by a retry, which kept it.
            byte[] whole = body.whole() != null
                    ? body.whole()
                    : Objects.requireNonNull(retrying).body();
            headers.remove("transfer-encoding");
            headers.set("content-length", Integer.toString(whole.length));
            content = Unpooled.wrappedBuffer(whole);
        }
        return Optional.of(new Sending(
                new DefaultFullHttpRequest(
                        HttpVersion.HTTP_1_1, method, uri, content, headers, EmptyHttpHeaders.INSTANCE),
                true));
    }
}
