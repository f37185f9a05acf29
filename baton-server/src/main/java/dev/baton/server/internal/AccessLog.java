package dev.baton.server.internal;

import dev.baton.config.AccessLogConfig;
import dev.baton.logs.RotatingFile;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON line per proxied request, to a size-rotated file or to
 * standard output. As nginx's {@code access_log ... buffer=}: each event loop
 * formats its lines straight into a 64 KB block of its own (no record object, no
 * queue per line), and hands full blocks to a writer thread through a lock-free
 * queue; the writer also collects partly filled blocks every 100 ms, so a line is
 * written within about that. When the writer falls {@link #MAX_BLOCKS} blocks
 * behind, blocks are dropped and their lines counted.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    static final int BLOCK = 64 * 1024;
    static final int MAX_BLOCKS = 256; // 16 MB waiting at most
    static final long FLUSH_MILLIS = 100;
    static final long PAUSE_MILLIS = 10;
    private static final byte[] K_TIME = JsonLine.key("time");
    private static final byte[] K_REQUEST_ID = JsonLine.key("requestId");
    private static final byte[] K_TRACE_ID = JsonLine.key("traceId");
    private static final byte[] K_CLIENT = JsonLine.key("client");
    private static final byte[] K_METHOD = JsonLine.key("method");
    private static final byte[] K_PATH = JsonLine.key("path");
    private static final byte[] K_ROUTE = JsonLine.key("route");
    private static final byte[] K_SERVICE = JsonLine.key("service");
    private static final byte[] K_INSTANCE = JsonLine.key("instance");
    private static final byte[] K_STATUS = JsonLine.key("status");
    private static final byte[] K_BYTES_IN = JsonLine.key("bytesIn");
    private static final byte[] K_BYTES_OUT = JsonLine.key("bytesOut");
    private static final byte[] K_DURATION_MS = JsonLine.key("durationMs");
    private static final byte[] K_UPSTREAM_MS = JsonLine.key("upstreamMs");
    private static final byte[] K_TRIES = JsonLine.key("tries");
    private static final byte[] K_RETRIES = JsonLine.key("retries");
    private static final byte[] K_ABORTED = JsonLine.key("aborted");

    /** A block of whole lines. */
    private record Block(byte[] bytes, int length, int lines) {}

    /** One thread's block being filled; locked only against the writer taking it. */
    private final class Buffer {
        final JsonLine line = new JsonLine();
        final Timestamps times = new Timestamps();
        byte[] block = new byte[BLOCK];
        int length;
        int lines;

        synchronized void append(ProxiedRequest r) {
            line.reset();
            format(r, line, times);
            int n = line.length();
            if (length + n > block.length) {
                handOff();
                if (n > block.length) {
                    block = new byte[n];
                }
            }
            System.arraycopy(line.bytes(), 0, block, length, n);
            length += n;
            lines++;
        }

        /** Gives the filled part to the writer (or drops it, counted, when the writer is too far behind). */
        synchronized void handOff() {
            if (length == 0) {
                return;
            }
            if (blocks.incrementAndGet() > MAX_BLOCKS) {
                blocks.decrementAndGet();
                dropped.add(lines);
            } else {
                full.offer(new Block(block, length, lines));
                byte[] reused = spare.poll();
                if (reused != null) {
                    spareCount.decrementAndGet();
                }
                // A fresh 64 KB array per hand-off is zeroed memory outside the TLAB: measurable per line.
                block = reused != null ? reused : new byte[BLOCK];
            }
            length = 0;
            lines = 0;
        }
    }

    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(this::newBuffer);
    private final List<Buffer> all = new CopyOnWriteArrayList<>();
    private final Queue<Block> full = new ConcurrentLinkedQueue<>();
    /** Written blocks, for the event loops to fill again. */
    private final Queue<byte[]> spare = new ConcurrentLinkedQueue<>();

    private final AtomicInteger blocks = new AtomicInteger();
    private final AtomicInteger spareCount = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final Thread writer;
    private volatile AccessLogConfig config;
    private volatile boolean closed;

    public AccessLog(AccessLogConfig config) {
        this.config = config;
        this.writer = new Thread(this::drain, "baton-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    private Buffer newBuffer() {
        Buffer b = new Buffer();
        all.add(b);
        return b;
    }

    /** Follows a reload: on or off, and where to (the writer reopens its output). */
    public void configure(AccessLogConfig next) {
        config = next;
    }

    @Override
    public void completed(ProxiedRequest r) {
        if (config.enabled() && !closed) {
            buffers.get().append(r);
        }
    }

    /** Lines dropped because the writer was behind. */
    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    /** The writer: writes handed-off blocks, and every 100 ms collects partial ones and flushes. */
    private void drain() {
        AccessLogConfig current = null;
        Output out = null;
        long lastCollect = System.nanoTime();
        boolean finishing = false;
        while (true) {
            try {
                AccessLogConfig wanted = config;
                if (out == null || !wanted.equals(current)) {
                    close(out);
                    out = open(wanted);
                    current = wanted;
                }
                long now = System.nanoTime();
                boolean collect = finishing || now - lastCollect >= TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS);
                if (collect) {
                    all.forEach(Buffer::handOff);
                }
                Block b;
                boolean wrote = false;
                while ((b = full.poll()) != null) {
                    blocks.decrementAndGet();
                    out.write(b.bytes(), b.length());
                    written.add(b.lines());
                    if (b.bytes().length == BLOCK && spareCount.get() < MAX_BLOCKS) {
                        spareCount.incrementAndGet();
                        spare.offer(b.bytes());
                    }
                    wrote = true;
                }
                if (collect) {
                    out.flush();
                    lastCollect = now;
                }
                if (finishing) {
                    break;
                }
                if (!wrote) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS));
                }
                finishing = closed;
            } catch (IOException | RuntimeException e) {
                log.error("access log write failed: {}", e.toString());
                close(out);
                out = null; // reopened on the next turn
                if (closed) {
                    break;
                }
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
        close(out);
    }

    /** Where lines go: a rotating file or standard output. */
    private interface Output {
        void write(byte[] bytes, int length) throws IOException;

        void flush() throws IOException;

        void close() throws IOException;
    }

    private static Output open(AccessLogConfig c) throws IOException {
        if (c.file().isPresent()) {
            RotatingFile f = new RotatingFile(c.file().get(), c.maxSize(), c.maxFiles());
            return new Output() {
                @Override
                public void write(byte[] bytes, int length) throws IOException {
                    f.writeLines(bytes, length);
                }

                @Override
                public void flush() throws IOException {
                    f.flush();
                }

                @Override
                public void close() throws IOException {
                    f.close();
                }
            };
        }
        // Standard output without System.out's lock and line flushing; never closed.
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        return new Output() {
            @Override
            public void write(byte[] bytes, int length) throws IOException {
                stdout.write(bytes, 0, length);
            }

            @Override
            public void flush() throws IOException {
                stdout.flush();
            }

            @Override
            public void close() throws IOException {
                stdout.flush();
            }
        };
    }

    private static void close(Output out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                log.warn("closing the access log: {}", e.toString());
            }
        }
    }

    /** Formats arrival times, rebuilding the text only when the second changes. */
    static final class Timestamps {
        private long second = Long.MIN_VALUE;
        private byte[] prefix; // "2026-11-23T12:12:48. with its opening quote
        private byte[] out;

        byte[] quoted(long epochMillis) {
            long s = Math.floorDiv(epochMillis, 1000);
            if (s != second) {
                String text = Instant.ofEpochSecond(s).toString(); // 2026-11-23T12:12:48Z
                prefix = ("\"" + text.substring(0, text.length() - 1) + ".").getBytes(StandardCharsets.US_ASCII);
                out = new byte[prefix.length + 5];
                System.arraycopy(prefix, 0, out, 0, prefix.length);
                second = s;
            }
            int p = prefix.length;
            int ms = (int) Math.floorMod(epochMillis, 1000);
            out[p] = (byte) ('0' + ms / 100);
            out[p + 1] = (byte) ('0' + ms / 10 % 10);
            out[p + 2] = (byte) ('0' + ms % 10);
            out[p + 3] = 'Z';
            out[p + 4] = '"';
            return out;
        }
    }

    static void format(ProxiedRequest r, JsonLine j, Timestamps times) {
        j.begin()
                .raw(K_TIME, times.quoted(r.startMillis()))
                // Validated on the way in: request ids, hex trace ids, IP addresses and config
                // ids hold nothing to escape, so they are copied without a scan.
                .safe(K_REQUEST_ID, r.requestId())
                .safe(K_TRACE_ID, r.traceId())
                .safe(K_CLIENT, r.clientAddress())
                .field(K_METHOD, r.method())
                .field(K_PATH, r.path())
                .safe(K_ROUTE, r.route() == null ? null : r.route().id())
                .safe(K_SERVICE, r.route() == null ? null : r.route().service().id())
                .safe(K_INSTANCE, r.upstream() == null ? null : r.upstream().id())
                .field(K_STATUS, r.status())
                .field(K_BYTES_IN, r.bytesIn())
                .field(K_BYTES_OUT, r.bytesOut())
                .millis(K_DURATION_MS, r.durationNanos());
        if (r.upstreamNanos() >= 0) {
            j.millis(K_UPSTREAM_MS, r.upstreamNanos());
        }
        j.field(K_TRIES, r.tries()).field(K_RETRIES, Math.max(0, r.tries() - 1));
        if (r.aborted()) {
            j.field(K_ABORTED, true);
        }
        j.end();
    }

    /** Writes every line taken so far and stops the writer. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
