package dev.baton.proxy.internal;

import dev.baton.proxy.ServiceTarget;
import dev.baton.proxy.Upstream;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The instance one exchange goes to: chosen by its service's balancer, counted as in
 * flight on it until {@link #done}, told how the attempt went (outlier detection),
 * and pinned by cookie when the balancer is sticky.
 */
final class Assignment {
    private final ServiceTarget service;
    private final Upstream upstream;
    private final long started = System.nanoTime();
    private boolean done;

    private Assignment(ServiceTarget service, Upstream upstream) {
        this.service = service;
        this.upstream = upstream;
        upstream.endpoint().started();
    }

    /** The instance for this request, or null when the service has none available. */
    static Assignment pick(ServiceTarget service, HttpServerRequest req) {
        Upstream u = service.pick(new ServerRequestKey(req));
        return u == null ? null : new Assignment(service, u);
    }

    Upstream upstream() {
        return upstream;
    }

    /** The attempt is over: the instance's in-flight count and latency average learn it. Once only. */
    void done() {
        if (!done) {
            done = true;
            upstream.endpoint().finished(System.nanoTime() - started);
        }
    }

    /** The instance answered; a 5xx counts against it. */
    void answered(int status) {
        if (status >= 500) {
            service.failed(upstream);
        } else {
            service.succeeded(upstream);
        }
    }

    /** The instance could not be reached, reset, or went silent. */
    void failed() {
        service.failed(upstream);
    }

    /** With a sticky balancer, points the client's cookie at this instance unless it already does. */
    void pin(HttpServerRequest req, HttpServerResponse res) {
        service.stickyCookie().ifPresent(cookie -> {
            Cookie sent = req.getCookie(cookie);
            if (sent == null || !sent.getValue().equals(upstream.id())) {
                res.headers().add("set-cookie", cookie + "=" + upstream.id() + "; Path=/; HttpOnly; SameSite=Lax");
            }
        });
    }
}
