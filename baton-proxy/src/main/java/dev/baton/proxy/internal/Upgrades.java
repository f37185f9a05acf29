package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.control.Upstream;
import dev.baton.proxy.internal.http.ForwardedHeaders;
import dev.baton.proxy.internal.http.HopByHop;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetSocket;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proxies an HTTP/1.1 protocol upgrade (WebSocket and any other {@code Upgrade:}) as a
 * byte tunnel: the handshake goes upstream, and if the upstream answers 101 both
 * connections become raw sockets piped into each other with backpressure. Frames
 * are never parsed, so any subprotocol or extension passes untouched.
 */
final class Upgrades {
    private static final Logger log = LoggerFactory.getLogger(Upgrades.class);
    private final Exchange exchange;
    private final UpstreamLeg leg;
    private final ProxyContext ctx;
    private final HttpServerRequest req;
    private final Admitted admitted;

    Upgrades(Exchange exchange, UpstreamLeg leg, ProxyContext ctx, HttpServerRequest req) {
        this.exchange = exchange;
        this.leg = leg;
        this.ctx = ctx;
        this.req = req;
        this.admitted = leg.admitted();
    }

    /**
     * True when {@code req} asks for an upgrade to tunnel. Not when it has a body: an
     * upgrade request is sent upstream as a head alone, so its body would be left
     * unsent while the upstream waits for it (and would read the tunnel's first bytes
     * as that body). Not for {@code h2c} alone: that protocol is between the client and
     * Baton, which speaks HTTP/1.1 to upstreams. Either is proxied as a plain request,
     * its {@code Upgrade} removed with the other hop-by-hop fields.
     */
    static boolean isUpgrade(HttpServerRequest req) {
        if (req.version() != HttpVersion.HTTP_1_1 || req.getHeader("upgrade") == null || hasBody(req) || onlyH2c(req)) {
            return false;
        }
        for (String c : req.headers().getAll("connection")) {
            for (String token : c.split(",")) {
                if (token.trim().equalsIgnoreCase("upgrade")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasBody(HttpServerRequest req) {
        String length = req.getHeader("content-length");
        return req.headers().contains("transfer-encoding") || (length != null && !length.equals("0"));
    }

    private static boolean onlyH2c(HttpServerRequest req) {
        for (String value : req.headers().getAll("upgrade")) {
            for (String token : value.split(",")) {
                if (!token.isBlank() && !token.trim().equalsIgnoreCase("h2c")) {
                    return false;
                }
            }
        }
        return true;
    }

    void start() {
        if (!leg.choose()) {
            return;
        }
        Upstream upstream = Objects.requireNonNull(leg.upstream()); // chosen just now
        Future<HttpClientRequest> request;
        try {
            request = ctx.tunnels().request(options(upstream));
        } catch (IllegalStateException closed) { // shutdown's grace ran out
            exchange.abort(503, "the gateway is shutting down");
            return;
        }
        request.compose(creq -> {
                    // Failures before the upstream's answer fail connect() below and are
                    // handled there; what the request hears after it is the tunnel
                    // closing, which is how every WebSocket ends: not worth an ERROR line
                    // (Vert.x logs one for a request without a handler).
                    creq.exceptionHandler(e -> log.debug(
                            "request {}: upgrade connection to upstream ended: {}",
                            admitted.requestId(),
                            e.toString()));
                    Optional<UpstreamRequest.Unwritable> unwritable =
                            UpstreamRequest.headers(admitted, req, upstream, creq.headers(), true);
                    if (unwritable.isPresent()) {
                        leg.unwritable(unwritable.get());
                        creq.reset();
                        return Future.failedFuture("invalid header: the client was answered");
                    }
                    return creq.connect();
                })
                .onComplete(ar -> {
                    if (ar.failed()) {
                        leg.failed(ar.cause());
                        return;
                    }
                    HttpClientResponse resp = ar.result();
                    if (resp.statusCode() != 101) {
                        relayRefusal(resp);
                        // Never pooled: the next upgrade must not race an idle close.
                        resp.end().onComplete(v -> resp.request().connection().close());
                        exchange.resumeRequest();
                        return;
                    }
                    leg.upgraded();
                    HopByHop.copy(resp.headers(), req.response().headers(), true);
                    req.response().headers().set(admitted.idHeader(), admitted.requestId());
                    req.toNetSocket().onComplete(sar -> {
                        NetSocket tunnel = resp.netSocket();
                        if (sar.failed()) {
                            tunnel.close();
                            exchange.complete();
                            return;
                        }
                        pipe(sar.result(), tunnel);
                    });
                });
    }

    private RequestOptions options(Upstream upstream) {
        RouteTarget route = admitted.route();
        RequestOptions o = new RequestOptions()
                .setMethod(req.method())
                .setHost(upstream.host())
                .setPort(upstream.port())
                .setURI(route.upstreamUri(Objects.requireNonNull(req.path()), req.query(), upstream)) // admitted
                .setConnectTimeout(Math.min(route.timeoutMillis(), UpstreamLeg.MAX_CONNECT_TIMEOUT_MS));
        if (upstream.tls() != null) {
            o.setSsl(true).setSslOptions(upstream.tls().vertxOptions());
            // A configured server name is what SNI carries and the certificate is checked against.
            upstream.tls()
                    .serverName()
                    .ifPresent(name -> o.setHost(name)
                            .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(
                                    upstream.port(), upstream.host())));
        }
        return o;
    }

    /** The upstream answered the upgrade with a plain response: relay it as one. */
    private void relayRefusal(HttpClientResponse response) {
        leg.responseStarted(response.statusCode());
        HttpServerResponse res = req.response();
        res.setStatusCode(response.statusCode());
        if (response.statusMessage() != null) {
            res.setStatusMessage(response.statusMessage());
        }
        ForwardedHeaders.response(
                response.headers(),
                res.headers(),
                admitted.idHeader(),
                admitted.requestId(),
                req.version() == HttpVersion.HTTP_2);
        if (response.getHeader("content-length") == null) {
            res.setChunked(true);
        }
        response.pipeTo(res).onComplete(ar -> exchange.complete());
    }

    private void pipe(NetSocket client, NetSocket upstream) {
        client.pipeTo(upstream);
        upstream.pipeTo(client);
        client.closeHandler(v -> {
            upstream.close();
            exchange.complete();
        });
        upstream.closeHandler(v -> client.close());
    }
}
