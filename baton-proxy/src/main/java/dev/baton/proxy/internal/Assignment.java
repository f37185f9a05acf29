package dev.baton.proxy.internal;

import dev.baton.control.ServiceTarget;
import dev.baton.control.Upstream;
import dev.baton.resilience.Outcome;
import dev.baton.time.Ticker;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The instance one exchange goes to: chosen by its service's balancer with a
 * circuit-breaker permit, counted as in flight on it until {@link #done}, told how
 * the attempt went (breaker and outlier detection, once), and pinned by cookie
 * when the balancer is sticky. A permit whose call says nothing about the upstream
 * (the client left, the body was too large) is released at {@link #done}.
 */
final class Assignment {
    private final ServiceTarget service;
    private final Upstream upstream;
    private final Ticker ticker;
    private final long started;
    private boolean settled;
    private boolean done;

    /** The exchange goes to {@code upstream}, which {@code service} picked: it is in flight there from now. */
    Assignment(ServiceTarget service, Upstream upstream, Ticker ticker) {
        this.ticker = ticker;
        this.started = ticker.nanos();
        this.service = service;
        this.upstream = upstream;
        upstream.endpoint().started();
    }

    /** The data plane's ticker when the instance was chosen. */
    long started() {
        return started;
    }

    Upstream upstream() {
        return upstream;
    }

    /** The attempt is over: the instance's in-flight count and latency average learn it. Once only. */
    void done() {
        if (!done) {
            done = true;
            upstream.endpoint().finished(ticker.nanos() - started);
            if (!settled) {
                settled = true;
                service.abandoned(upstream);
            }
        }
    }

    /** The instance answered with {@code status}: the breaker judges it, and a 5xx counts towards ejection. */
    void answered(int status) {
        if (!settled) {
            settled = true;
            service.answered(upstream, status, ticker.nanos() - started);
        }
    }

    /** The instance could not be reached, reset, or went silent. */
    void failed(Outcome outcome) {
        if (!settled) {
            settled = true;
            service.failed(upstream, outcome, ticker.nanos() - started);
        }
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
