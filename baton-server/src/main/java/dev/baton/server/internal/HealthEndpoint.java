package dev.baton.server.internal;

import dev.baton.config.HostPort;
import dev.baton.proxy.internal.ErrorResponses;
import dev.baton.proxy.internal.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.TimeUnit;

/**
 * The admin listener's {@code GET /health} (CONTRACT §3), answering 200 while the
 * gateway serves. The rest of the admin API arrives with the registry.
 */
public final class HealthEndpoint {
    private final Vertx vertx;
    private final HostPort listen;
    private HttpServer server;

    public HealthEndpoint(Vertx vertx, HostPort listen) {
        this.vertx = vertx;
        this.listen = listen;
    }

    public Future<Integer> start() {
        server = vertx.createHttpServer(
                        new HttpServerOptions().setHost(listen.host()).setPort(listen.port()))
                .requestHandler(this::handle);
        return server.listen().map(HttpServer::actualPort);
    }

    private void handle(HttpServerRequest req) {
        var res = req.response().putHeader("content-type", "application/json");
        if (req.path().equals("/health")) {
            if (req.method().name().equals("GET") || req.method().name().equals("HEAD")) {
                res.end("{\"status\":\"UP\"}");
            } else {
                res.putHeader("allow", "GET, HEAD");
                ErrorResponses.send(res, 405, "use GET /health", RequestIds.generate());
            }
        } else {
            ErrorResponses.send(res, 404, "no admin endpoint " + req.path(), RequestIds.generate());
        }
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> stop() {
        return server.shutdown(1, TimeUnit.SECONDS);
    }
}
