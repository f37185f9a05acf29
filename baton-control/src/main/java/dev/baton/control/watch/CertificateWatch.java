package dev.baton.control.watch;

import dev.baton.config.TlsConfig;
import dev.baton.control.Snapshot;
import dev.baton.lifecycle.Component;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the listener's certificate files and loads renewed ones on every
 * listener without a restart or a dropped connection. A renewal that does not load
 * is logged, and the old certificate keeps serving.
 */
public final class CertificateWatch implements Component<Snapshot> {
    private static final Logger log = LoggerFactory.getLogger(CertificateWatch.class);
    private final List<FileWatcher> watchers = new ArrayList<>();

    /** Watches {@code tls}'s files; {@code reload} loads them on every listener. */
    public CertificateWatch(TlsConfig tls, Function<TlsConfig, Future<Void>> reload) {
        Set<Path> names = new HashSet<>();
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path f : tls.files()) {
            names.add(f.toAbsolutePath().getFileName());
            dirs.add(f.toAbsolutePath().getParent());
        }
        for (Path dir : dirs) {
            FileWatcher w = FileWatcher.directory(
                    dir,
                    p -> names.contains(p.getFileName()),
                    () -> reload.apply(tls)
                            .onSuccess(v -> log.info("TLS certificate reloaded from {}", tls.files()))
                            .onFailure(e -> log.error(
                                    "renewed TLS certificate not loaded, the old one keeps serving: {}",
                                    e.toString())));
            watchers.add(w);
        }
    }

    /** Starts watching the files' directories. */
    @Override
    public void start() {
        watchers.forEach(FileWatcher::start);
    }

    @Override
    public void close() {
        watchers.forEach(FileWatcher::close);
    }
}
