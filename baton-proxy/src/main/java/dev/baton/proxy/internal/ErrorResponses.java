package dev.baton.proxy.internal;

import dev.baton.http.ErrorBody;
import dev.baton.http.RequestIds;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Sends Baton's JSON error ({@link ErrorBody}) from the proxy: as a Vert.x response,
 * or as a whole Netty response for the handlers that answer below Vert.x. Messages are ours, never an exception's text or a stack trace.
 */
final class ErrorResponses {
    private ErrorResponses() {}

    /**
     * Writes one of Baton's own answers (an error, a fallback, a preflight) on a
     * request's response, unless it has ended or closed (false): {@code decorate}
     * adds what the route's stages add (CORS), then {@code Date}; {@code close} drops
     * the connection once it is written (an HTTP/2 stream is reset instead), and
     * marks it so that requests pipelined behind it are not proxied.
     */
    static boolean answer(
            HttpServerRequest req,
            ProxyContext ctx,
            boolean close,
            java.util.function.Consumer<io.vertx.core.MultiMap> decorate,
            java.util.function.Supplier<Future<Void>> write) {
        HttpServerResponse res = req.response();
        if (res.ended() || res.closed()) {
            return false;
        }
        if (!res.headWritten()) {
            decorate.accept(res.headers()); // a script must be able to read Baton's own errors too
        }
        res.headers().set("date", ctx.dates().now());
        boolean h2 = req.version() == io.vertx.core.http.HttpVersion.HTTP_2;
        if (close && !h2) {
            res.putHeader("connection", "close");
            ctx.closing().add(req.connection());
        }
        write.get().onComplete(ar -> {
            if (close) {
                if (h2) {
                    res.reset();
                } else {
                    req.connection().close();
                }
            }
        });
        return true;
    }

    static Future<Void> send(
            HttpServerResponse response, int status, String message, String idHeader, String requestId) {
        String body = ErrorBody.json(status, message, requestId);
        response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .putHeader(idHeader, requestId)
                .putHeader("cache-control", "no-store")
                .putHeader("x-content-type-options", "nosniff");
        return response.end(body);
    }

    /**
     * The same error as a whole Netty response that closes the connection, for the
     * handlers that answer below Vert.x (a connection it never handed over, or one
     * being refused outright).
     */
    static FullHttpResponse closing(HttpResponseStatus status, String message, String date) {
        FullHttpResponse res = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                status,
                Unpooled.copiedBuffer(
                        ErrorBody.json(status.code(), message, RequestIds.generate()), StandardCharsets.UTF_8));
        res.headers()
                .set("content-type", "application/json")
                .set("content-length", res.content().readableBytes())
                .set("connection", "close")
                .set("date", date);
        return res;
    }
}
