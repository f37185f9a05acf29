package dev.baton.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A server some tests need running on this machine (Baton's store, cluster and
 * broker features are tested against the real thing, never a mock). {@link
 * #require} fails the test at once with one line naming the server, its address
 * and the command that starts it, instead of letting the test fail later with
 * something that says none of that.
 */
public enum RequiredServer {
    REDIS("Redis", 6379, "redis-server --daemonize yes --port 6379 --save ''"),
    POSTGRESQL(
            "PostgreSQL",
            5432,
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
                    + " (trust auth for 127.0.0.1, database 'test')"),
    RABBITMQ("RabbitMQ", 5672, "rabbitmq-server -detached (user guest/guest)"),
    NATS("NATS with JetStream", 4222, "nats-server -js -a 127.0.0.1 -p 4222 &");

    private static final int CONNECT_TIMEOUT_MS = 1000;

    private final String label;
    private final int port;
    private final String start;

    RequiredServer(String label, int port, String start) {
        this.label = label;
        this.port = port;
        this.start = start;
    }

    /** Where the tests expect it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Throws an {@link AssertionError} of one line unless the server accepts a connection. */
    public void require() {
        require(label, port, start);
    }

    static void require(String label, int port, String start) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw new AssertionError(
                    "this test needs " + label + " on 127.0.0.1:" + port + ", which does not answer; start it with: "
                            + start,
                    null);
        }
    }
}
