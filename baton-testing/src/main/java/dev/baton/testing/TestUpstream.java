package dev.baton.testing;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP upstream on an ephemeral loopback port for integration tests. It
 * records what reached it (method, URI, headers) before handing the request to the
 * test's handler; the default handler answers 200 with a small JSON body.
 */
public final class TestUpstream implements AutoCloseable {
    private final Vertx vertx;
    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    /** What the upstream saw of one request. */
    public record Received(String method, String uri, MultiMap headers) {}

    private TestUpstream(Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler) {
        this.vertx = vertx;
        this.server = vertx.createHttpServer(options.setHost("127.0.0.1").setPort(0))
                .requestHandler(req -> {
                    MultiMap copy = MultiMap.caseInsensitiveMultiMap().addAll(req.headers());
                    received.add(new Received(req.method().name(), req.uri(), copy));
                    handler.handle(req);
                });
        await(server.listen().toCompletionStage().toCompletableFuture());
    }

    public static TestUpstream start(Vertx vertx, Handler<HttpServerRequest> handler) {
        return new TestUpstream(vertx, new HttpServerOptions(), handler);
    }

    public static TestUpstream start(Vertx vertx, HttpServerOptions options, Handler<HttpServerRequest> handler) {
        return new TestUpstream(vertx, options, handler);
    }

    /** An upstream that answers every request with 200 and {@code {"ok":true,"path":...}}. */
    public static TestUpstream ok(Vertx vertx) {
        return start(
                vertx,
                req -> req.response()
                        .putHeader("content-type", "application/json")
                        .end("{\"ok\":true,\"path\":\"" + req.path() + "\"}"));
    }

    public int port() {
        return server.actualPort();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    public Received last() {
        if (received.isEmpty()) {
            throw new AssertionError("the upstream received no request");
        }
        return received.get(received.size() - 1);
    }

    public Vertx vertx() {
        return vertx;
    }

    @Override
    public void close() {
        await(server.close().toCompletionStage().toCompletableFuture());
    }

    static <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
