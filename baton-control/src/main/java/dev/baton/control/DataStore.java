package dev.baton.control;

import dev.baton.config.StoreConfig;
import dev.baton.lifecycle.Component;
import dev.baton.store.Postgres;
import dev.baton.store.Store;
import dev.baton.store.StoreException;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's one {@link Store}, opened on first use and closed once: the
 * embedded H2 in the data directory (creating the database costs half a second, so
 * only a gateway that needs it pays), or the PostgreSQL database of {@code store:},
 * which other Batons may share and so may hold rows already. Blocking: callers on an
 * event loop go through a worker thread.
 */
public final class DataStore implements Component<Snapshot> {
    private final Path dataDir;
    private final Optional<StoreConfig> server;
    private @Nullable Store store; // from first use to close
    private boolean closed;

    /** The PostgreSQL store of {@code server} when given, else the embedded one in {@code dataDir}. */
    public DataStore(Path dataDir, Optional<StoreConfig> server) {
        this.dataDir = dataDir;
        this.server = server;
    }

    /** Opens nothing yet: the store is opened on first use (see the class comment). */
    @Override
    public void start() {}

    /**
     * Whether there may be something to read back: in a PostgreSQL store always
     * (another Baton may have written it), in the embedded one once its file exists.
     */
    public boolean exists() {
        return server.isPresent() || Store.exists(dataDir);
    }

    /** Where the store is, for messages: the database's URL, or the data directory. */
    public String where() {
        return server.map(StoreConfig::shown).orElseGet(dataDir::toString);
    }

    /** The store, opened now if it was not; throws StoreException when it cannot be, or once closed. */
    public synchronized Store get() {
        if (closed) {
            throw new StoreException("the gateway is stopping", null);
        }
        if (store == null) {
            store = server.map(s -> Store.open(new Postgres(s.url(), s.user(), s.password(), s.maxConnections())))
                    .orElseGet(() -> Store.open(dataDir));
        }
        return store;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
