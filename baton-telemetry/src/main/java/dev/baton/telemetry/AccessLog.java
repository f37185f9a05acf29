package dev.baton.telemetry;

import dev.baton.config.AccessLogConfig;
import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import dev.baton.logs.RotatingFile;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import dev.baton.time.Ticker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON line per proxied request, to a size-rotated file or to
 * standard output. The event loop only copies a request's facts into a reused
 * entry of a batch of its own (no allocation, no lock but the one the writer
 * takes to collect a partial batch, no queue per line) and hands full batches to
 * a writer thread through a lock-free queue; the writer formats them, a batch at
 * a time, straight into a 64 KB block and writes that, as nginx's
 * {@code access_log ... buffer=}. That takes the formatting off the event loop
 * (on a single shared core it costs the same CPU as formatting in place, measured
 * both ways with the load harness). The writer also
 * collects partly filled batches every 100 ms, so a line is written within about
 * that. When the writer falls {@link #MAX_BATCHES} batches behind, batches are
 * dropped and their lines counted. The times it keeps (lines' own come from the
 * request) are the ticker's; it parks in between.
 */
public final class AccessLog implements RequestObserver, Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    static final int BATCH = 256;
    static final int MAX_BATCHES = 256; // 65,536 lines waiting at most
    static final int BLOCK = 64 * 1024;
    /** A block is written once less than this is left: room for a line of any usual size. */
    static final int ROOM = 4 * 1024;

    static final long FLUSH_MILLIS = 100;

    /** Entries filled by one event loop, reused once the writer has formatted them. */
    private static final class Batch {
        final AccessLogEntry[] entries = new AccessLogEntry[BATCH];
        int size;

        Batch() {
            for (int i = 0; i < BATCH; i++) {
                entries[i] = new AccessLogEntry();
            }
        }
    }

    /** One thread's batch being filled; locked only against the writer taking it. */
    private final class Buffer {
        Batch batch = new Batch();

        synchronized void append(ProxiedRequest r) {
            batch.entries[batch.size++].capture(r);
            if (batch.size == BATCH) {
                handOff();
            }
        }

        /** Gives the filled part to the writer (or drops it, counted, when the writer is too far behind). */
        synchronized void handOff() {
            if (batch.size == 0) {
                return;
            }
            if (batches.incrementAndGet() > MAX_BATCHES) {
                batches.decrementAndGet();
                dropped.add(batch.size);
                for (int i = 0; i < batch.size; i++) {
                    batch.entries[i].clear();
                }
                batch.size = 0;
                return;
            }
            full.offer(batch);
            LockSupport.unpark(writer);
            Batch reused = spare.poll();
            batch = reused != null ? reused : new Batch();
        }
    }

    private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(this::newBuffer);
    private final List<Buffer> all = new CopyOnWriteArrayList<>();
    private final Queue<Batch> full = new ConcurrentLinkedQueue<>();
    /** Formatted batches, for the event loops to fill again. */
    private final Queue<Batch> spare = new ConcurrentLinkedQueue<>();

    private final AtomicInteger batches = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final Thread writer;
    private final Ticker ticker;
    private volatile AccessLogConfig config;
    private volatile boolean closed;

    /** Starts the writer; {@code ticker} times its collections and its pause after a failed write. */
    public AccessLog(AccessLogConfig config, Ticker ticker) {
        this.config = config;
        this.ticker = ticker;
        long made = ticker.nanos(); // the first interval runs from here, not from when the thread gets going
        this.writer = new Thread(() -> drain(made), "baton-access-log");
        writer.setDaemon(true);
    }

    /** Starts the writer; lines taken before it runs wait for it in their batches. */
    @Override
    public void start() {
        writer.start();
    }

    /** Follows the snapshot's {@code observability.access-log}. */
    @Override
    public void apply(Snapshot next) {
        configure(next.config().observability().accessLog());
    }

    private Buffer newBuffer() {
        Buffer b = new Buffer();
        all.add(b);
        return b;
    }

    /** Follows a reload: on or off, and where to (the writer reopens its output). */
    public void configure(AccessLogConfig next) {
        config = next;
        LockSupport.unpark(writer);
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

    /**
     * The writer: formats handed-off batches into its block, writes the block when
     * full, and every 100 ms collects partial batches and writes and flushes all.
     */
    private void drain(long since) {
        AccessLogConfig current = null;
        Output out = null;
        JsonLine block = new JsonLine(new byte[BLOCK]);
        AccessLogEntry.Timestamps times = new AccessLogEntry.Timestamps();
        int lines = 0; // in the block
        long lastCollect = since;
        boolean finishing = false;
        while (true) {
            try {
                AccessLogConfig wanted = config;
                if (out == null || !wanted.equals(current)) {
                    close(out);
                    out = open(wanted);
                    current = wanted;
                }
                long now = ticker.nanos();
                boolean collect = finishing || now - lastCollect >= TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS);
                if (collect) {
                    all.forEach(Buffer::handOff);
                }
                Batch b;
                boolean took = false;
                while ((b = full.poll()) != null) {
                    batches.decrementAndGet();
                    for (int i = 0; i < b.size; i++) {
                        AccessLogEntry e = b.entries[i];
                        e.format(block, times);
                        e.clear();
                        lines++;
                        if (block.length() > BLOCK - ROOM) {
                            write(out, block, lines);
                            lines = 0;
                        }
                    }
                    b.size = 0;
                    spare.offer(b);
                    took = true;
                }
                if (collect) {
                    write(out, block, lines);
                    lines = 0;
                    out.flush();
                    lastCollect = now;
                }
                if (finishing) {
                    break;
                }
                if (!took) {
                    // Woken by a full batch, a reload or close; otherwise at the next collection
                    // (and, while the log is off, only to look again now and then).
                    long next = lastCollect + TimeUnit.MILLISECONDS.toNanos(FLUSH_MILLIS) - ticker.nanos();
                    LockSupport.parkNanos(wanted.enabled() ? Math.max(next, 0) : TimeUnit.SECONDS.toNanos(1));
                }
                finishing = closed;
            } catch (IOException | RuntimeException e) {
                log.error("access log write failed: {}", e.toString());
                close(out);
                out = null; // reopened on the next turn
                block.reset(block.bytes().length == BLOCK ? block.bytes() : new byte[BLOCK]);
                lines = 0;
                if (closed) {
                    break;
                }
                // A second before trying again: event loops handing off batches unpark this
                // thread, so one park alone would retry (and log) at their pace.
                long until = ticker.nanos() + TimeUnit.SECONDS.toNanos(1);
                for (long left; !closed && (left = until - ticker.nanos()) > 0; ) {
                    LockSupport.parkNanos(left);
                }
            }
        }
        close(out);
    }

    private void write(Output out, JsonLine block, int lines) throws IOException {
        if (lines == 0) {
            return;
        }
        out.write(block.bytes(), block.length());
        written.add(lines);
        // A line longer than the room left grew the block: go back to the usual size.
        block.reset(block.bytes().length == BLOCK ? block.bytes() : new byte[BLOCK]);
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

    private static void close(@Nullable Output out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                log.warn("closing the access log: {}", e.toString());
            }
        }
    }

    /** Writes every line taken so far and stops the writer. */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How the access log keeps up: lines written, and dropped because the writer was behind. */
    public MeterBinder meters() {
        return registry -> {
            FunctionCounter.builder("orchestrator.access.log.lines", this, AccessLog::written)
                    .description("access log lines written")
                    .register(registry);
            FunctionCounter.builder("orchestrator.access.log.dropped", this, AccessLog::dropped)
                    .description("access log lines dropped because the writer was behind")
                    .register(registry);
        };
    }
}
