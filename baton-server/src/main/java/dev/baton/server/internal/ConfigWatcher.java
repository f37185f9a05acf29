package dev.baton.server.internal;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a config file and calls back once its content has changed and settled.
 *
 * <p>It watches the file's directory, not the file, because editors and Kubernetes
 * ConfigMaps replace files by rename; and it compares content hashes, so touching
 * the file or an unrelated change in the directory triggers nothing. Events within
 * the debounce window are folded into one reload. Runs on its own daemon thread,
 * since the watch service blocks.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfigWatcher.class);
    static final long DEBOUNCE_MILLIS = 200;

    private final Path file;
    private final Runnable onChange;
    private final Thread thread;
    private volatile WatchService watchService;
    private byte[] lastHash;

    public ConfigWatcher(Path file, Runnable onChange) {
        this.file = file.toAbsolutePath();
        this.onChange = onChange;
        this.thread = new Thread(this::run, "baton-config-watcher");
        this.thread.setDaemon(true);
    }

    public void start() {
        try {
            lastHash = hash();
            watchService = file.getFileSystem().newWatchService();
            file.getParent()
                    .register(
                            watchService,
                            StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            log.warn("cannot watch {} for changes ({}); restart to apply edits", file, e.toString());
            return;
        }
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                key.pollEvents();
                key.reset();
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

    private byte[] hash() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
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
