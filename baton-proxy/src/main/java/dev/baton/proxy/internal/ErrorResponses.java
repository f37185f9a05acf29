package dev.baton.proxy.internal;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import java.nio.charset.StandardCharsets;

/**
 * Writes Baton's JSON error body: {@code {"status","error","message","requestId"}}. Messages are ours, never an exception's text or a stack trace.
 */
public final class ErrorResponses {
    private ErrorResponses() {}

    public static Future<Void> send(HttpServerResponse response, int status, String message, String requestId) {
        String body = body(status, message, requestId);
        response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .putHeader("x-request-id", requestId)
                .putHeader("cache-control", "no-store")
                .putHeader("x-content-type-options", "nosniff");
        return response.end(body);
    }

    /** The JSON error body alone. */
    public static String body(int status, String message, String requestId) {
        return "{\"status\":" + status + ",\"error\":\"" + code(status) + "\",\"message\":" + quote(message)
                + ",\"requestId\":" + quote(requestId) + "}";
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
                Unpooled.copiedBuffer(body(status.code(), message, RequestIds.generate()), StandardCharsets.UTF_8));
        res.headers()
                .set("content-type", "application/json")
                .set("content-length", res.content().readableBytes())
                .set("connection", "close")
                .set("date", date);
        return res;
    }

    public static String code(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 408 -> "request_timeout";
            case 413 -> "payload_too_large";
            case 414 -> "uri_too_long";
            case 415 -> "unsupported_media_type";
            case 421 -> "misdirected_request";
            case 429 -> "too_many_requests";
            case 431 -> "header_fields_too_large";
            case 502 -> "bad_gateway";
            case 503 -> "service_unavailable";
            case 504 -> "gateway_timeout";
            case 505 -> "http_version_not_supported";
            default -> "error";
        };
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
