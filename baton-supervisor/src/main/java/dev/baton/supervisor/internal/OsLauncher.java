package dev.baton.supervisor.internal;

import dev.baton.logs.RotatingFile;
import dev.baton.supervisor.Launcher;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Launches real programs: no shell unless the command is one, Baton's environment
 * plus the spec's, stdout and stderr line by line into one size-rotated log file,
 * and a pid file for as long as the program lives, so a Baton that was killed can
 * end what it left behind when it next starts ({@link PidFiles}).
 */
public final class OsLauncher implements Launcher {
    private static final Logger log = LoggerFactory.getLogger(OsLauncher.class);

    private final PidFiles pids;

    public OsLauncher(PidFiles pids) {
        this.pids = pids;
    }

    @Override
    public Child launch(Spec spec) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(spec.command());
        pb.environment().putAll(spec.env());
        spec.workingDir().ifPresent(d -> pb.directory(d.toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        RotatingFile file = new RotatingFile(spec.log(), spec.logMaxSize(), spec.logFiles());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            file.close();
            throw e;
        }
        Path pidFile = pids.record(spec.id(), process.toHandle(), spec.command());
        LogSink sink = new LogSink(file);
        Thread out = pump(process.getInputStream(), sink, spec.id() + " stdout");
        Thread err = pump(process.getErrorStream(), sink, spec.id() + " stderr");
        CompletableFuture<Integer> exit = process.onExit().thenApply(p -> {
            try {
                // The last lines a dying program wrote are the ones people look for.
                out.join(2000);
                err.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sink.close();
            pids.forget(pidFile);
            return p.exitValue();
        });
        return new OsChild(process, exit, () -> {
            if (process.isAlive() && !exit.isDone()) {
                pids.record(spec.id(), process.toHandle(), spec.command());
            }
        });
    }

    private static Thread pump(InputStream in, LogSink sink, String name) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[8192];
                    java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
                    try (in) {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            pending.write(buf, 0, n);
                            sink.lines(pending, false);
                        }
                    } catch (IOException e) {
                        // the pipe closed with the process
                    }
                    sink.lines(pending, true);
                    sink.endOfStream();
                },
                "baton-log " + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** A launched program and everything it started, signalled together. */
    private static final class OsChild implements Child {
        private final Process process;
        private final CompletableFuture<Integer> exit;
        /** Descendants seen so far: they leave the tree when their parent dies, and must still be ended. */
        private final Set<ProcessHandle> family = new LinkedHashSet<>();

        private final Runnable rerecord;

        OsChild(Process process, CompletableFuture<Integer> exit, Runnable rerecord) {
            this.process = process;
            this.exit = exit;
            this.rerecord = rerecord;
        }

        /** The pid file again: a shell wrapper has exec'd its program by now, which changes what it records. */
        @Override
        public void ready() {
            rerecord.run();
        }

        @Override
        public long pid() {
            return process.pid();
        }

        @Override
        public CompletableFuture<Integer> exit() {
            return exit;
        }

        @Override
        public synchronized void terminate() {
            process.descendants().forEach(family::add);
            process.destroy();
            family.forEach(ProcessHandle::destroy);
        }

        @Override
        public synchronized void kill() {
            process.descendants().forEach(family::add);
            process.destroyForcibly();
            family.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * One log file shared by a program's stdout and stderr, written in whole lines so
     * the two never interleave within a line and a line never spans two files.
     */
    static final class LogSink {
        /** A longer line is cut: a program that never writes a newline must not grow a buffer forever. */
        private static final int MAX_LINE = 16 * 1024;

        private final RotatingFile file;
        private int open = 2;
        private boolean closed;
        private boolean failed;

        LogSink(RotatingFile file) {
            this.file = file;
        }

        /** Writes the complete lines in {@code pending} and keeps the rest; at the end, the rest too. */
        void lines(java.io.ByteArrayOutputStream pending, boolean end) {
            byte[] b = pending.toByteArray();
            int last = b.length - 1;
            while (last >= 0 && b[last] != '\n') {
                last--;
            }
            int cut = end || b.length - (last + 1) > MAX_LINE ? b.length : last + 1;
            if (cut == 0) {
                return;
            }
            byte[] out = java.util.Arrays.copyOf(b, cut + (b[cut - 1] == '\n' ? 0 : 1));
            out[out.length - 1] = '\n';
            pending.reset();
            pending.write(b, cut, b.length - cut);
            write(out);
        }

        private synchronized void write(byte[] bytes) {
            if (failed || closed) {
                return;
            }
            try {
                file.writeLines(bytes, bytes.length);
                file.flush();
            } catch (IOException e) {
                failed = true;
                log.warn("cannot write {}: {}; its output is dropped", file.path(), e.toString());
            }
        }

        synchronized void endOfStream() {
            if (--open == 0) {
                close();
            }
        }

        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                file.close();
            } catch (IOException e) {
                log.debug("closing {}: {}", file.path(), e.toString());
            }
        }
    }
}
