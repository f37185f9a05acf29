package dev.baton.control.watch;

import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a config file, or a directory of discovery files, and calls back once
 * the content has changed and settled.
 *
 * <p>It polls rather than subscribing to the directory's change events: a
 * directory watch wakes two threads for every write to any file beside ours, and
 * an access log written next to the config made that a measurable share of the
 * proxy's CPU. Every {@link #POLL_MILLIS} it reads the watched files' attributes
 * (size, modification time, file key, following symlinks, so an editor's rename or
 * a Kubernetes ConfigMap's {@code ..data} swap shows as a new file); once they have
 * changed and then held still for one poll, it hashes the contents and calls back
 * if those changed. Touching a file therefore triggers nothing, and a file caught
 * mid-write is not read until it settles. The contents are also hashed every
 * {@link #RECHECK_POLLS} polls whatever the attributes say, for file systems whose
 * modification times are too coarse to see two quick edits. Runs on its own daemon
 * thread; what one poll does is apart from when polls happen, so tests poll by hand
 * rather than waiting for the thread.
 */
public final class FileWatcher implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);
    static final long POLL_MILLIS = 100;
    static final int RECHECK_POLLS = 50;

    private final Path dir;
    private final Predicate<Path> watched;
    private final @Nullable Path file; // the one file watched, or null for a directory
    private final Runnable onChange;
    private final Thread thread;
    private volatile boolean closed;
    private @Nullable String seen; // attributes at the last poll
    private @Nullable String hashed; // attributes when the contents were last hashed
    private byte @Nullable [] lastHash;
    private int polls;

    private FileWatcher(Path dir, Predicate<Path> watched, @Nullable Path file, Runnable onChange, String name) {
        this.dir = dir.toAbsolutePath();
        this.watched = watched;
        this.file = file;
        this.onChange = onChange;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Calls {@code onChange} when the content of {@code file} changes. */
    public static FileWatcher file(Path file, Runnable onChange) {
        Path abs = file.toAbsolutePath();
        Path parent = abs.getParent();
        if (parent == null) {
            throw new IllegalArgumentException(file + " is a root directory, not a file");
        }
        return new FileWatcher(
                parent, p -> p.getFileName().equals(abs.getFileName()), abs, onChange, "baton-config-watcher");
    }

    /** Calls {@code onChange} when any file in {@code dir} that {@code watched} accepts changes, appears or goes. */
    public static FileWatcher directory(Path dir, Predicate<Path> watched, Runnable onChange) {
        return new FileWatcher(dir, watched, null, onChange, "baton-discovery-watcher");
    }

    /** Takes the files as they are now as what changes are seen against, and polls every {@link #POLL_MILLIS}. */
    @Override
    public void start() {
        begin();
        thread.start();
    }

    /** Takes the files as they are now as what later polls compare with. */
    void begin() {
        seen = attributes();
        hashed = seen;
        lastHash = hash();
    }

    private void run() {
        while (!closed) {
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
                poll();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("watching {} for changes: {}", file != null ? file : dir, e.toString());
            }
        }
    }

    /** One look at the files, calling back if they changed and have settled; one thread at a time. */
    void poll() {
        String now = attributes();
        if (now == null) {
            return; // mid-replace, or gone: look again
        }
        boolean settled = now.equals(seen);
        seen = now;
        boolean recheck = ++polls >= RECHECK_POLLS;
        if (!settled || (now.equals(hashed) && !recheck)) {
            return;
        }
        polls = 0;
        hashed = now;
        byte[] h = hash();
        if (h == null) {
            hashed = null; // unreadable for now: hash again at the next settled poll
        } else if (!Arrays.equals(h, lastHash)) {
            lastHash = h;
            onChange.run();
        }
    }

    /** The watched files, sorted; null while the one file watched is missing. */
    private @Nullable List<Path> files() throws IOException {
        if (file != null) {
            return Files.exists(file) ? List.of(file) : null;
        }
        try (Stream<Path> all = Files.list(dir)) {
            return all.filter(watched).sorted().toList();
        }
    }

    /** The names, sizes, modification times and identities of the watched files, or null while unreadable. */
    private @Nullable String attributes() {
        try {
            List<Path> files = files();
            if (files == null) {
                return null;
            }
            StringBuilder s = new StringBuilder();
            for (Path f : files) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                s.append(f.getFileName())
                        .append('\0')
                        .append(a.size())
                        .append('\0')
                        .append(a.lastModifiedTime().to(TimeUnit.NANOSECONDS))
                        .append('\0')
                        .append(a.fileKey())
                        .append('\n');
            }
            return s.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** A hash over the names and contents of the watched files, or null while one is unreadable. */
    private byte @Nullable [] hash() {
        try {
            List<Path> files = files();
            if (files == null) {
                return null; // a config file mid-replace: wait for it to be back
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                digest.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Files.readAllBytes(f));
            }
            return digest.digest();
        } catch (IOException e) {
            return null; // mid-replace, or deleted: wait for the next poll
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
