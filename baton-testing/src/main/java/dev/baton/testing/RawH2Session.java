package dev.baton.testing;

import static dev.baton.testing.RawH2.CONTINUATION;
import static dev.baton.testing.RawH2.DATA;
import static dev.baton.testing.RawH2.FLAG_ACK;
import static dev.baton.testing.RawH2.FLAG_END_HEADERS;
import static dev.baton.testing.RawH2.FLAG_END_STREAM;
import static dev.baton.testing.RawH2.FLAG_PRIORITY;
import static dev.baton.testing.RawH2.GOAWAY;
import static dev.baton.testing.RawH2.HEADERS;
import static dev.baton.testing.RawH2.PING;
import static dev.baton.testing.RawH2.PUSH_PROMISE;
import static dev.baton.testing.RawH2.RST_STREAM;
import static dev.baton.testing.RawH2.SETTINGS;
import static dev.baton.testing.RawH2.WINDOW_UPDATE;
import static dev.baton.testing.RawH2Frames.u32;

import dev.baton.testing.RawH2.Field;
import dev.baton.testing.RawH2.Frame;
import dev.baton.testing.RawH2.GoAway;
import dev.baton.testing.RawH2.Stream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The connection under {@link RawH2}: a writer thread that drains a queue onto the
 * socket (so a test's sends never block on a server that stopped reading), a reader
 * thread that parses frames, decodes header blocks and answers what must be answered,
 * and the state both leave for the test, guarded by {@link #lock}.
 */
final class RawH2Session {
    final Object lock = new Object();
    // HPACK is stateful per connection: one decoder, used by the reader thread only
    // (and by RawH2.settings, before the reader can be decoding with a new table size).
    final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false, false, 1 << 24);
    private final Socket socket;
    private final Socket transport;
    private final InputStream in;
    private final OutputStream out;
    private final LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
    // Null until start(), which RawH2's constructor calls.
    private @Nullable Thread reader;
    private @Nullable Thread writer;
    // Guarded by lock.
    final Map<Integer, StreamState> streams = new HashMap<>();
    final List<Frame> received = new ArrayList<>();
    final Map<Integer, Long> serverSettings = new LinkedHashMap<>();
    final Set<Long> pingAcks = new HashSet<>();
    final List<String> errors = new ArrayList<>();

    @Nullable
    GoAway goaway;

    int settingsAcks;
    long queued;
    long written;
    boolean writerDead;
    boolean closed;
    boolean closedByServer;
    private boolean closing;
    // The header block being assembled from HEADERS/PUSH_PROMISE and CONTINUATION (reader thread only).
    private @Nullable ByteArrayOutputStream block;
    private int blockStream;
    private int blockType;
    private boolean blockEndStream;

    /** {@code transport} is the TCP socket under a TLS {@code socket}, or the same socket. */
    RawH2Session(Socket socket, Socket transport) throws IOException {
        this.socket = socket;
        this.transport = transport;
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /** Starts both threads; what was sent before goes out first (the preface before any ack). */
    void start() {
        reader = daemon("raw-h2-reader-" + socket.getLocalPort(), this::readLoop);
        writer = daemon("raw-h2-writer-" + socket.getLocalPort(), this::writeLoop);
    }

    void send(byte[] bytes) {
        synchronized (lock) {
            queued++;
        }
        outbox.add(bytes);
    }

    StreamState stream(int id) {
        return streams.computeIfAbsent(id, k -> new StreamState());
    }

    /** Lets queued frames reach the socket (a second at most), then closes it and stops both threads. */
    void close() {
        await(Duration.ofSeconds(1), () -> written == queued || writerDead);
        synchronized (lock) {
            closing = true;
        }
        try {
            // TCP first: a TLS close would wait for a writer blocked on a full send buffer.
            transport.close();
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        Thread writer = this.writer;
        Thread reader = this.reader;
        if (writer == null || reader == null) {
            return; // never started: no threads to stop
        }
        writer.interrupt();
        try {
            writer.join(1000);
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void writeLoop() {
        try {
            while (true) {
                byte[] b = outbox.take();
                long n = 0;
                do {
                    out.write(b);
                    n++;
                } while ((b = outbox.poll()) != null);
                out.flush(); // once the queue is drained, so a burst goes out in few segments
                synchronized (lock) {
                    written += n;
                    lock.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            // closed
        } catch (IOException e) {
            synchronized (lock) {
                if (!closing) {
                    errors.add("write: " + e);
                }
            }
        } finally {
            synchronized (lock) {
                writerDead = true;
                lock.notifyAll();
            }
        }
    }

    private void readLoop() {
        try {
            Frame f;
            while ((f = RawH2Frames.read(in)) != null) {
                synchronized (lock) {
                    received.add(f);
                    try {
                        handle(f);
                    } catch (RuntimeException e) {
                        errors.add(f + ": " + e); // a malformed frame from the server: keep reading
                    }
                    lock.notifyAll();
                }
            }
        } catch (IOException e) {
            // closed or reset: the same to a test
        } finally {
            synchronized (lock) {
                closed = true;
                closedByServer = !closing;
                lock.notifyAll();
            }
        }
    }

    private void handle(Frame f) {
        byte[] p = f.payload();
        switch (f.type()) {
            case DATA -> {
                StreamState s = stream(f.streamId());
                byte[] data = RawH2Frames.unpad(f.flags(), p, 0);
                if (data == null) {
                    throw new IllegalStateException("padding longer than the frame");
                }
                s.body.writeBytes(data);
                boolean end = (f.flags() & FLAG_END_STREAM) != 0;
                if (p.length > 0) { // padding counts against the window too
                    send(RawH2Frames.frame(WINDOW_UPDATE, 0, 0, u32(p.length)));
                    if (!end) {
                        send(RawH2Frames.frame(WINDOW_UPDATE, 0, f.streamId(), u32(p.length)));
                    }
                }
                s.ended |= end;
            }
            case HEADERS -> startBlock(f, RawH2Frames.unpad(f.flags(), p, (f.flags() & FLAG_PRIORITY) != 0 ? 5 : 0));
            case PUSH_PROMISE -> startBlock(f, RawH2Frames.unpad(f.flags(), p, 4));
            case CONTINUATION -> {
                if (block == null || f.streamId() != blockStream) {
                    errors.add("CONTINUATION on stream " + f.streamId() + " outside a header block");
                    return;
                }
                block.writeBytes(p);
                if ((f.flags() & FLAG_END_HEADERS) != 0) {
                    endBlock(block);
                }
            }
            case RST_STREAM -> stream(f.streamId()).reset = u32(p, 0);
            case SETTINGS -> {
                if ((f.flags() & FLAG_ACK) != 0) {
                    settingsAcks++;
                    return;
                }
                for (int i = 0; i + 6 <= p.length; i += 6) {
                    serverSettings.put(((p[i] & 0xff) << 8) | (p[i + 1] & 0xff), u32(p, i + 2));
                }
                send(RawH2Frames.frame(SETTINGS, FLAG_ACK, 0, new byte[0]));
            }
            case PING -> {
                if ((f.flags() & FLAG_ACK) != 0) {
                    pingAcks.add(RawH2Frames.u64(p, 0));
                } else {
                    send(RawH2Frames.frame(PING, FLAG_ACK, 0, p));
                }
            }
            case GOAWAY ->
                goaway = new GoAway((int) (u32(p, 0) & 0x7fffffff), u32(p, 4), Arrays.copyOfRange(p, 8, p.length));
            default -> {} // PRIORITY, WINDOW_UPDATE, unknown types: in received() only
        }
    }

    private void startBlock(Frame f, byte @Nullable [] fragment) {
        if (fragment == null) {
            throw new IllegalStateException("padding longer than the frame");
        }
        block = new ByteArrayOutputStream();
        block.writeBytes(fragment);
        blockStream = f.streamId();
        blockType = f.type();
        blockEndStream = f.type() == HEADERS && (f.flags() & FLAG_END_STREAM) != 0;
        if ((f.flags() & FLAG_END_HEADERS) != 0) {
            endBlock(block);
        }
    }

    /** Decodes the header block that {@code complete} holds (the one in {@code block}). */
    private void endBlock(ByteArrayOutputStream complete) {
        ByteBuf buf = Unpooled.wrappedBuffer(complete.toByteArray());
        block = null;
        try {
            // Decoded even for PUSH_PROMISE, whose fields are dropped: the HPACK table must follow.
            Http2Headers decoded = decoder.decodeHeaders(blockStream, buf);
            if (blockType != HEADERS) {
                return;
            }
            List<Field> fields = new ArrayList<>();
            decoded.forEach(e ->
                    fields.add(new Field(e.getKey().toString(), e.getValue().toString())));
            StreamState s = stream(blockStream);
            s.add(fields);
            s.ended |= blockEndStream;
        } catch (Http2Exception e) {
            errors.add("HPACK on stream " + blockStream + ": " + e.getMessage());
        } finally {
            buf.release();
        }
    }

    boolean await(Duration timeout, BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    static final class StreamState {
        final List<List<Field>> informational = new ArrayList<>();

        @Nullable
        List<Field> headers;

        @Nullable
        List<Field> trailers;

        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean ended;

        @Nullable
        Long reset;

        void add(List<Field> fields) {
            boolean interim = headers == null
                    && fields.stream()
                            .anyMatch(
                                    f -> f.name().equals(":status") && f.value().startsWith("1"));
            if (interim) {
                informational.add(List.copyOf(fields));
            } else if (headers == null) {
                headers = List.copyOf(fields);
            } else {
                trailers = List.copyOf(fields);
            }
        }

        Stream snapshot(int id) {
            return new Stream(
                    id,
                    List.copyOf(informational),
                    headers == null ? List.of() : headers,
                    trailers == null ? List.of() : trailers,
                    body.toByteArray(),
                    ended,
                    reset == null ? OptionalLong.empty() : OptionalLong.of(reset));
        }
    }
}
