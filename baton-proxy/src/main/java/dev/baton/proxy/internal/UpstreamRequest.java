package dev.baton.proxy.internal;

import dev.baton.control.Upstream;
import dev.baton.proxy.internal.http.ForwardedHeaders;
import dev.baton.proxy.internal.http.HeaderGate;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.MultiMap;
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

    /** A request built for one try: what to send, or why it cannot be sent. */
    sealed interface Built permits Sending, Unwritable {}

    /** The head to write, and whether it carries the whole request ({@code whole}) or a body streams after it. */
    record Sending(HttpRequest head, boolean whole) implements Built {}

    /**
     * The target or a header holds what must never reach an HTTP/1.1 upstream (a line
     * break or another control character, from the client, a claim or a transform):
     * the client is answered 400 and its connection closed.
     */
    record Unwritable(String message) implements Built {}

    /** The request for {@code upstream}, or why its target or a header cannot be written. */
    static Built build(
            Admitted admitted,
            HttpServerRequest req,
            Upstream upstream,
            RequestBody body,
            @Nullable Retrying retrying) {
        // Admission refused every request without an absolute path.
        String uri = admitted.route().upstreamUri(Objects.requireNonNull(req.path()), req.query(), upstream);
        if (!HeaderGate.isTarget(uri)) {
            return new Unwritable("the request target holds a space or a control character");
        }
        HeadersMultiMap headers = HeadersMultiMap.caseInsensitive();
        Optional<Unwritable> unwritable = headers(admitted, req, upstream, headers, false);
        if (unwritable.isPresent()) {
            return unwritable.get();
        }
        HttpMethod method = req.method().toNetty();
        if (body.present() && !body.complete()) {
            if (req.getHeader("content-length") == null) {
                headers.add("transfer-encoding", "chunked");
            }
            return new Sending(new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri, headers), false);
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
        return new Sending(
                new DefaultFullHttpRequest(
                        HttpVersion.HTTP_1_1, method, uri, content, headers, EmptyHttpHeaders.INSTANCE),
                true);
    }

    /**
     * Writes the upstream request's headers (see {@link ForwardedHeaders#request}), the
     * trace context and the stages' rewrites into {@code headers}, for a request or an
     * upgrade's handshake; why not, when one of them cannot be written.
     */
    static Optional<Unwritable> headers(
            Admitted admitted, HttpServerRequest req, Upstream upstream, MultiMap headers, boolean upgrade) {
        ForwardedHeaders.request(
                req,
                admitted.authority(),
                headers,
                upgrade,
                admitted.route().preserveHost(),
                upstream.authority(),
                admitted.idHeader(),
                admitted.requestId());
        headers.set("traceparent", admitted.trace().upstreamHeader());
        admitted.stages().ifPresent(s -> s.forward(headers));
        String invalid = HeaderGate.firstInvalid(headers);
        return invalid == null
                ? Optional.empty()
                : Optional.of(
                        new Unwritable("header " + invalid + " has an invalid name or value and cannot be forwarded"));
    }
}
