package dev.baton.control;

import dev.baton.lifecycle.Component;
import dev.baton.store.Store;
import dev.baton.store.StoreException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's one {@link Store}, opened on first use (creating the database costs
 * half a second, so only a gateway that needs it pays) and closed once. Blocking:
 * callers on an event loop go through a worker thread.
 */
public final class DataStore implements Component<Snapshot> {
    private final Path dataDir;
    private @Nullable Store store; // from first use to close
    private boolean closed;

    public DataStore(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Opens nothing yet: the store is opened on first use (see the class comment). */
    @Override
    public void start() {}

    /** Whether the data directory holds a store already. */
    public boolean exists() {
        return Store.exists(dataDir);
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The store, opened now if it was not; throws StoreException when it cannot be, or once closed. */
    public synchronized Store get() {
        if (closed) {
            throw new StoreException("the gateway is stopping", null);
        }
        if (store == null) {
            store = Store.open(dataDir);
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
