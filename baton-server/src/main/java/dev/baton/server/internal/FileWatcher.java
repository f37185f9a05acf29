package dev.baton.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a config file, or a directory of discovery files, and calls back once
 * the content has changed and settled.
 *
 * <p>It watches the file's directory, not the file, because editors and Kubernetes
 * ConfigMaps replace files by rename; and it compares content hashes, so touching
 * a file or an unrelated change in the directory triggers nothing. Events within
 * the debounce window are folded into one call. Runs on its own daemon thread,
 * since the watch service blocks.
 */
public final class FileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FileWatcher.class);
    static final long DEBOUNCE_MILLIS = 200;

    private final Path dir;
    private final Predicate<Path> watched;
    private final boolean singleFile;
    private final Runnable onChange;
    private final Thread thread;
    private volatile WatchService watchService;
    private byte[] lastHash;

    private FileWatcher(Path dir, Predicate<Path> watched, boolean singleFile, Runnable onChange, String name) {
        this.dir = dir.toAbsolutePath();
        this.watched = watched;
        this.singleFile = singleFile;
        this.onChange = onChange;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /** Calls {@code onChange} when the content of {@code file} changes. */
    public static FileWatcher file(Path file, Runnable onChange) {
        Path abs = file.toAbsolutePath();
        return new FileWatcher(
                abs.getParent(),
                p -> p.getFileName().equals(abs.getFileName()),
                true,
                onChange,
                "baton-config-watcher");
    }

    /** Calls {@code onChange} when any file in {@code dir} that {@code watched} accepts changes, appears or goes. */
    public static FileWatcher directory(Path dir, Predicate<Path> watched, Runnable onChange) {
        return new FileWatcher(dir, watched, false, onChange, "baton-discovery-watcher");
    }

    public void start() {
        try {
            lastHash = hash();
            watchService = dir.getFileSystem().newWatchService();
            dir.register(
                    watchService,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); restart to apply edits", dir, e.toString());
            return;
        }
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                boolean relevant = relevant(key.pollEvents());
                key.reset();
                if (!relevant) {
                    continue; // a log or other file written next to ours: not worth a look
                }
                // Fold a burst of events (write, truncate, rename) into one reload.
                WatchKey more;
                while ((more = watchService.poll(DEBOUNCE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
                    more.pollEvents();
                    more.reset();
                }
                byte[] now = hash();
                if (now != null && !Arrays.equals(now, lastHash)) {
                    lastHash = now;
                    onChange.run();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: we are done
        } catch (RuntimeException e) {
            log.error("config watcher stopped: {}", e.toString());
        }
    }

    /**
     * Whether any event concerns a watched file. Names starting with {@code ..} count
     * too: a Kubernetes ConfigMap volume swaps its {@code ..data} symlink, and the file
     * we read, itself a symlink through it, gets no event of its own.
     */
    private boolean relevant(List<WatchEvent<?>> events) {
        for (WatchEvent<?> e : events) {
            if (!(e.context() instanceof Path name)) {
                return true; // OVERFLOW: events were lost, so look
            }
            if (name.toString().startsWith("..") || watched.test(dir.resolve(name))) {
                return true;
            }
        }
        return false;
    }

    /** A hash over the names and contents of the watched files, or null while one is unreadable. */
    private byte[] hash() {
        try (Stream<Path> files = Files.list(dir)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            List<Path> matched = files.filter(watched).sorted().toList();
            if (matched.isEmpty() && singleFile) {
                return null; // a config file mid-replace: wait for it to be back
            }
            for (Path f : matched) {
                digest.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
                digest.update(Files.readAllBytes(f));
            }
            return digest.digest();
        } catch (IOException e) {
            return null; // mid-replace, or deleted: wait for the next event
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (watchService != null) {
                watchService.close();
            }
        } catch (IOException e) {
            log.debug("closing watch service: {}", e.toString());
        }
        thread.interrupt();
    }
}
