package dev.baton.proxy.internal;

import dev.baton.proxy.internal.upstream.UpstreamConnection;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The client's request body on its way upstream: streamed chunk by chunk with
 * backpressure, or read whole into memory first (for a signature, a JSON check or a
 * mapping, or a retry's copy) and sent from there. Counts what arrived against
 * {@code max-body-size}, and tells its exchange when reading starts and stops, for
 * {@code limits.body-timeout}.
 */
final class RequestBody {
    /** What the body tells its exchange. */
    interface Events {
        /** Whether the exchange is over: events after that are ignored. */
        boolean over();

        /** The body is being read (true) or no longer (false): the body-timeout applies meanwhile. */
        void reading(boolean reading);

        /** Bytes arrived: the body-timeout counts from now. */
        void activity();
    }

    private final HttpServerRequest req;
    private final Events events;
    private final long max;
    private boolean present;
    private boolean complete;
    private long bytes;
    private byte @Nullable [] whole; // once read whole
    private @Nullable Buffer firstChunk; // an HTTP/2 body's first chunk, held while its head is judged

    RequestBody(HttpServerRequest req, long max, Events events) {
        this.req = req;
        this.max = max;
        this.events = events;
    }

    /** Admission found whether a body follows the head. */
    void present(boolean present) {
        this.present = present;
    }

    /** Whether a body follows the head. */
    boolean present() {
        return present;
    }

    /** Whether the whole body is here (read into memory) or has gone upstream. */
    boolean complete() {
        return complete;
    }

    /** A body follows that nobody has read: answering early must close the connection. */
    boolean unread() {
        return present && !req.isEnded();
    }

    /** Bytes of the body received, or of the body sent from memory. */
    long bytes() {
        return whole != null ? whole.length : bytes;
    }

    /** The body read whole, to send from memory; null unless it was. */
    byte @Nullable [] whole() {
        return whole;
    }

    /** The body that goes upstream instead of the one read (a mapping's result). */
    void replace(byte[] body) {
        whole = body;
        complete = true;
    }

    long max() {
        return max;
    }

    /**
     * An HTTP/2 request without Content-Length may have a body or not: its HEADERS
     * frame says so by ending the stream, but Vert.x tells that only by delivering the
     * end, after the request handler. So the first event decides: the end (no body:
     * the upstream gets no framing headers, RFC 9113 §8.1) or a first chunk, kept for
     * whoever reads the body. {@code then} runs after either.
     */
    void awaitFirstEvent(Runnable then) {
        events.reading(true);
        req.handler(chunk -> {
            if (firstEvent()) {
                firstChunk = chunk;
                then.run();
            }
        });
        req.endHandler(v -> {
            if (firstEvent()) {
                then.run();
            }
        });
        req.fetch(1);
    }

    private boolean firstEvent() {
        req.handler(null);
        req.endHandler(null);
        if (events.over()) {
            return false;
        }
        events.reading(false);
        return true;
    }

    /**
     * Reads the whole body (at most {@code max-body-size}) into memory, then hands it
     * to {@code then}; {@code tooLarge} instead, once, when it grows past the limit.
     */
    void readWhole(Consumer<byte[]> then, Runnable tooLarge) {
        if ("100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
            req.response().writeContinue();
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        boolean[] refused = {false};
        io.vertx.core.Handler<Buffer> onChunk = chunk -> {
            if (events.over() || refused[0]) {
                return;
            }
            events.activity();
            if (buffer.size() + (long) chunk.length() > max) {
                refused[0] = true;
                tooLarge.run();
                return;
            }
            buffer.writeBytes(chunk.getBytes());
        };
        req.handler(onChunk);
        req.endHandler(v -> {
            events.reading(false);
            if (!events.over() && !refused[0]) {
                whole = buffer.toByteArray();
                complete = true;
                then.accept(whole);
            }
        });
        events.reading(true);
        Buffer first = takeFirstChunk();
        if (first != null) {
            onChunk.handle(first);
        }
        resume();
    }

    /**
     * Streams the body to {@code conn} as it arrives: each chunk counted ({@code
     * tooLarge} past the limit), given to {@code copy} (a retry's copy), written, and
     * the client paused while the upstream is behind. {@code ended} runs when the
     * whole body has gone.
     */
    void stream(UpstreamConnection conn, Consumer<Buffer> copy, Runnable tooLarge, Runnable ended) {
        Consumer<Buffer> onChunk = chunk -> {
            if (events.over()) {
                return;
            }
            events.activity();
            bytes += chunk.length();
            if (bytes > max) {
                tooLarge.run();
                return;
            }
            copy.accept(chunk);
            // Vert.x hands the server's bytes over as unreleasable heap buffers: no copy needed.
            conn.write(((BufferInternal) chunk).getByteBuf());
            if (!conn.writable()) {
                req.pause();
            }
        };
        req.handler(onChunk::accept);
        req.endHandler(v -> {
            complete = true;
            events.reading(false);
            if (!events.over()) {
                ended.run();
            }
        });
        events.reading(true);
        Buffer first = takeFirstChunk();
        if (first != null) {
            onChunk.accept(first);
        }
        if (!events.over() && conn.writable()) {
            resume();
        }
    }

    /**
     * Lets the client's request flow again, unless it has ended: Vert.x refuses to
     * resume an HTTP/2 request whose end it has delivered (see awaitFirstEvent).
     */
    void resume() {
        if (!req.isEnded()) {
            req.resume();
        }
    }

    private @Nullable Buffer takeFirstChunk() {
        Buffer c = firstChunk;
        firstChunk = null;
        return c;
    }
}
