package dev.baton.proxy;

import dev.baton.testing.RawUpstream;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/**
 * The hostile suites' fixture: a proxy on port 0, with a Vert.x of its own, in front
 * of one recording {@link RawUpstream} that a route {@code /**} reaches; {@code yaml}
 * adds config above the service, such as {@code limits:}.
 */
final class RawProxy implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    final RawUpstream upstream;
    final ProxyHarness proxy;

    private RawProxy(String yaml) throws Exception {
        upstream = RawUpstream.start();
        proxy = new ProxyHarness(
                vertx,
                yaml + "\nservices: { s: { instances: [\"" + upstream.url() + "\"] } }\n"
                        + "routes: [{ path: /**, service: s }]");
    }

    static RawProxy start(String yaml) throws Exception {
        return new RawProxy(yaml);
    }

    int port() {
        return proxy.port();
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        upstream.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
