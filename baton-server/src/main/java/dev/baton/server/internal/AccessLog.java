package dev.baton.server.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.baton.config.AccessLogConfig;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.RequestObserver;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one JSON line per proxied request, to a size-rotated file or to
 * standard output. The event loop only copies the request's facts into a record and
 * offers it to a bounded queue (a full queue drops and counts, never waits); a
 * thread of its own formats and writes, flushing whenever it has caught up.
 */
public final class AccessLog implements RequestObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    static final int QUEUE = 64 * 1024;
    private static final JsonFactory JSON = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** What one line says, copied off the event loop's live request. */
    record Entry(
            long startMillis,
            String requestId,
            String traceId,
            String client,
            String method,
            String path,
            String route,
            String service,
            String instance,
            int status,
            long bytesIn,
            long bytesOut,
            long durationNanos,
            long upstreamNanos,
            int tries,
            boolean aborted) {}

    private final BlockingQueue<Entry> queue = new ArrayBlockingQueue<>(QUEUE);
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

    /** Follows a reload: on or off, and where to (the writer reopens its output). */
    public void configure(AccessLogConfig next) {
        config = next;
    }

    @Override
    public void completed(ProxiedRequest r) {
        if (!config.enabled()) {
            return;
        }
        Entry e = new Entry(
                r.startMillis(),
                r.requestId(),
                r.traceId(),
                r.clientAddress(),
                r.method(),
                r.path(),
                r.route() == null ? null : r.route().id(),
                r.route() == null ? null : r.route().service().id(),
                r.upstream() == null ? null : r.upstream().id(),
                r.status(),
                r.bytesIn(),
                r.bytesOut(),
                r.durationNanos(),
                r.upstreamNanos(),
                r.tries(),
                r.aborted());
        if (!queue.offer(e)) {
            dropped.increment();
        }
    }

    /** Lines that could not be queued because the writer was behind. */
    public long dropped() {
        return dropped.sum();
    }

    public long written() {
        return written.sum();
    }

    private void drain() {
        AccessLogConfig current = null;
        Output out = null;
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        List<Entry> batch = new ArrayList<>(256);
        while (!closed || !queue.isEmpty()) {
            try {
                Entry first = queue.poll(200, TimeUnit.MILLISECONDS);
                AccessLogConfig wanted = config;
                if (out == null || !wanted.equals(current)) {
                    close(out);
                    out = open(wanted);
                    current = wanted;
                }
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 255);
                for (Entry e : batch) {
                    line.reset();
                    format(e, line);
                    if (out != null) {
                        out.write(line.toByteArray(), line.size());
                        written.increment();
                    }
                }
                batch.clear();
                if (out != null && queue.isEmpty()) {
                    out.flush();
                }
            } catch (InterruptedException stop) {
                closed = true;
            } catch (IOException | RuntimeException e) {
                log.error("access log write failed: {}", e.toString());
                close(out);
                out = null; // reopened on the next line
                batch.clear();
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
                    f.write(bytes, length);
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
        OutputStream stdout = new java.io.BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
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

    static void format(Entry e, OutputStream to) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(to, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(e.startMillis()).toString());
            g.writeStringField("requestId", e.requestId());
            g.writeStringField("traceId", e.traceId());
            g.writeStringField("client", e.client());
            g.writeStringField("method", e.method());
            g.writeStringField("path", e.path());
            g.writeStringField("route", e.route());
            g.writeStringField("service", e.service());
            g.writeStringField("instance", e.instance());
            g.writeNumberField("status", e.status());
            g.writeNumberField("bytesIn", e.bytesIn());
            g.writeNumberField("bytesOut", e.bytesOut());
            g.writeNumberField("durationMs", Math.round(e.durationNanos() / 1000.0) / 1000.0);
            if (e.upstreamNanos() >= 0) {
                g.writeNumberField("upstreamMs", Math.round(e.upstreamNanos() / 1000.0) / 1000.0);
            }
            g.writeNumberField("tries", e.tries());
            g.writeNumberField("retries", Math.max(0, e.tries() - 1));
            if (e.aborted()) {
                g.writeBooleanField("aborted", true);
            }
            g.writeEndObject();
        }
        to.write('\n');
    }

    /** Writes what is queued and stops the writer. */
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
