package dev.baton.proxy.internal.http;

import io.netty.handler.codec.http.HttpMessageDecoderResult;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Request-smuggling defence for HTTP/1.x: a request whose body length is ambiguous
 * is refused (400) and its connection closed, so no two parsers can disagree about
 * where it ends.
 *
 * <p>Netty's decoder drops Content-Length when Transfer-Encoding is also present, and
 * Vert.x offers no public hook to change that. But the decoder reports the raw size
 * of the header block, so a dropped Content-Length shows up as bytes that no
 * remaining header accounts for. Only optional whitespace can add slack besides, so
 * the check allows one space per header and treats 15 or more missing bytes
 * ({@code Content-Length:} alone is 15) as the smuggling case.
 */
public final class Framing {
    private static final int DROPPED_CONTENT_LENGTH = "content-length:".length();

    private Framing() {}

    /** Why the request's framing is unsafe, or null when it is fine. */
    public static @Nullable String problem(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            return null;
        }
        MultiMap headers = request.headers();
        if (headers.contains("")) {
            return "header with an empty name";
        }
        // get() before getAll(): the common request has neither header, and lists cost.
        if (headers.get("transfer-encoding") == null) {
            return headers.get("content-length") != null
                            && headers.getAll("content-length").size() > 1
                    ? "conflicting Content-Length headers"
                    : null;
        }
        List<String> te = headers.getAll("transfer-encoding");
        List<String> cl = headers.getAll("content-length");
        if (request.version() == HttpVersion.HTTP_1_0) {
            return "Transfer-Encoding needs HTTP/1.1";
        }
        if (te.size() > 1 || !te.get(0).trim().equalsIgnoreCase("chunked")) {
            return "unsupported Transfer-Encoding (only a single 'chunked' is accepted)";
        }
        if (!cl.isEmpty() || contentLengthWasDropped(request)) {
            return "both Content-Length and Transfer-Encoding present";
        }
        return null;
    }

    private static boolean contentLengthWasDropped(HttpServerRequest request) {
        return dropped(request.decoderResult(), request.headers());
    }

    /**
     * Why an upstream's response head is unsafe to relay, or null: both
     * Content-Length and Transfer-Encoding (RFC 9112 §6.3 says to treat it as an
     * error and close), which Netty's decoder hides by dropping Content-Length.
     */
    public static @Nullable String responseProblem(io.netty.handler.codec.http.HttpResponse head) {
        io.netty.handler.codec.http.HttpHeaders h = head.headers();
        if (h.contains("transfer-encoding") && (h.contains("content-length") || dropped(head.decoderResult(), h))) {
            return "both Content-Length and Transfer-Encoding";
        }
        return null;
    }

    private static boolean dropped(
            io.netty.handler.codec.DecoderResult decoded, Iterable<Map.Entry<String, String>> headers) {
        if (!(decoded instanceof HttpMessageDecoderResult result)) {
            return false;
        }
        int accounted = 0;
        int count = 0;
        for (Map.Entry<String, String> h : headers) {
            accounted += h.getKey().length() + 1 + h.getValue().length();
            count++;
        }
        return result.headerSize() - accounted - count >= DROPPED_CONTENT_LENGTH;
    }

    /** A Content-Length value as a number, or -1 when it is not plain digits. */
    public static long contentLength(String value) {
        String v = value.trim();
        if (v.isEmpty() || v.length() > 18) {
            return -1;
        }
        for (int i = 0; i < v.length(); i++) {
            if (!Character.isDigit(v.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(v);
    }
}
