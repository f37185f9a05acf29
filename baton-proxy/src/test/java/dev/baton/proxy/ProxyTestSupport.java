package dev.baton.proxy;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * For proxy tests that start a fresh upstream and proxy per test: one Vert.x per
 * class, and whatever a test started is closed after it.
 */
abstract class ProxyTestSupport {
    static Vertx vertx;
    TestUpstream upstream;
    /** A second upstream, for tests of two instances. */
    TestUpstream other;

    ProxyHarness proxy;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void closeProxyAndUpstream() {
        if (proxy != null) {
            proxy.close(); // a no-op if the test stopped it
        }
        if (upstream != null) {
            upstream.close();
        }
        if (other != null) {
            other.close();
        }
    }

    /** A proxy routing everything to one service at {@code url}. */
    void proxyTo(String url) {
        proxy = new ProxyHarness(
                vertx, "services: { s: { instances: [\"" + url + "\"] } }\nroutes: [{ path: /**, service: s }]");
    }
}
