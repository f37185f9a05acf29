package dev.baton.balance;

/** What affinity balancers may read of a request; each returns null when absent. */
public interface RequestKey {
    String clientIp();

    String header(String name);

    String cookie(String name);

    String path();

    /** A request with nothing to read: for balancers that need none, and tests. */
    RequestKey NONE = new RequestKey() {
        @Override
        public String clientIp() {
            return null;
        }

        @Override
        public String header(String name) {
            return null;
        }

        @Override
        public String cookie(String name) {
            return null;
        }

        @Override
        public String path() {
            return null;
        }
    };
}
