package dev.baton.proxy.internal;

import dev.baton.config.JsonMapping;
import dev.baton.control.RouteTarget;
import dev.baton.control.RouteTransform;
import dev.baton.proxy.internal.http.ForwardedHeaders;
import dev.baton.proxy.internal.http.HeaderGate;
import dev.baton.proxy.internal.upstream.UpstreamConnection;
import dev.baton.proxy.stage.Pipeline;
import dev.baton.proxy.stage.Stage;
import dev.baton.proxy.stage.StageContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import java.io.ByteArrayOutputStream;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The upstream's response on its way to the client: the head shaped (forwarded
 * headers, {@code Date}, the route's response stages) and checked before anything is
 * written, then the body streamed with backpressure, or held whole for a body
 * mapping, and kept for the breaker's fallback cache when the route allows.
 */
final class ResponseRelay {
    private final HttpServerRequest req;
    private final HttpServerResponse res;
    private final RouteTarget route;
    private final String idHeader;
    private @Nullable FallbackCapture capture; // while the response may be kept
    private @Nullable JsonMapping mapping; // with mapped: a body held for the route's mapping
    private @Nullable ByteArrayOutputStream mapped;

    ResponseRelay(HttpServerRequest req, RouteTarget route, String idHeader) {
        this.req = req;
        this.res = req.response();
        this.route = route;
        this.idHeader = idHeader;
    }

    /**
     * Sets the client response's status and headers from {@code head}; nothing is
     * written yet. Empty when it may start, else the name of a header that cannot be
     * sent (the headers are cleared: the client gets a 502 of Baton's instead).
     */
    Optional<String> head(
            HttpResponse head,
            String requestId,
            String date,
            Pipeline pipeline,
            @Nullable StageContext request,
            Assignment assigned) {
        int status = head.status().code();
        boolean h2 = req.version() == HttpVersion.HTTP_2;
        res.setStatusCode(status);
        if (!h2) {
            res.setStatusMessage(head.status().reasonPhrase());
        }
        ForwardedHeaders.response(new HeadersAdaptor(head.headers()), res.headers(), idHeader, requestId, h2);
        if (!res.headers().contains("date")) {
            res.headers().set("date", date);
        }
        boolean bodyless = req.method() == HttpMethod.HEAD || status == 204 || status == 304;
        if (!bodyless && route.transform().isPresent()) {
            RouteTransform t = route.transform().get();
            mapping = t.responseBody(
                            head.headers().get("content-type"), head.headers().get("content-length"))
                    .orElse(null);
            if (mapping != null) {
                res.headers().remove("content-length"); // the mapped body has its own length
                mapped = new ByteArrayOutputStream();
            }
        }
        if (request != null) { // the stages ran (a pipeline without stages has no run)
            for (Stage stage : pipeline.stages()) {
                stage.response(request, status, res.headers());
            }
        }
        String invalid = HeaderGate.firstInvalid(res.headers());
        if (invalid != null) {
            res.headers().clear();
            return Optional.of(invalid);
        }
        assigned.pin(req, res); // before the capture: a sticky cookie keeps a response out of the cache
        capture = FallbackCapture.start(route, req, status, res.headers(), idHeader);
        if (!bodyless && !head.headers().contains("content-length") && !h2) {
            res.setChunked(true);
        }
        return Optional.empty();
    }

    /** Body bytes: to the client, pausing {@code conn} while the client is behind; or held for the mapping. */
    void content(ByteBuf content, UpstreamConnection conn, BooleanSupplier over) {
        // A copy: the bytes belong to the upstream's pooled buffer, released after this call.
        byte[] bytes = ByteBufUtil.getBytes(content);
        if (capture != null && !capture.append(bytes)) {
            capture = null;
        }
        if (mapped != null) {
            mapped.writeBytes(bytes); // bounded by the mapping's max-size
            return;
        }
        res.write(Buffer.buffer(bytes));
        if (res.writeQueueFull()) {
            conn.pauseReading();
            res.drainHandler(v -> {
                if (!over.getAsBoolean()) {
                    conn.resumeReading();
                }
            });
        }
    }

    /** The last bytes: the response ends (mapped, if it was held), and a complete capture is kept. */
    void end(ByteBuf last, long nowMillis) {
        byte[] bytes = last.isReadable() ? ByteBufUtil.getBytes(last) : null;
        if (capture != null && (bytes == null || capture.append(bytes))) {
            capture.store(nowMillis);
        }
        capture = null;
        if (mapped != null && mapping != null) { // set together
            if (bytes != null) {
                mapped.writeBytes(bytes);
            }
            byte[] all = mapped.toByteArray();
            bytes = mapping.apply(all).orElse(all);
            mapped = null;
        }
        if (bytes != null) {
            res.end(Buffer.buffer(bytes)); // one write for a small body
        } else {
            res.end();
        }
    }
}
