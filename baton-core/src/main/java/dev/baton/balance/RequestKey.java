package dev.baton.balance;

import org.jspecify.annotations.Nullable;

/** What affinity balancers may read of a request; each returns null when absent. */
public interface RequestKey {
    @Nullable
    String clientIp();

    @Nullable
    String header(String name);

    @Nullable
    String cookie(String name);

    @Nullable
    String path();

    /** A request with nothing to read: for balancers that need none, and tests. */
    RequestKey NONE = new RequestKey() {
        @Override
        public @Nullable String clientIp() {
            return null;
        }

        @Override
        public @Nullable String header(String name) {
            return null;
        }

        @Override
        public @Nullable String cookie(String name) {
            return null;
        }

        @Override
        public @Nullable String path() {
            return null;
        }
    };
}
