package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Upstream;
import dev.baton.proxy.internal.Exchange.Phase;
import dev.baton.proxy.internal.http.ForwardedHeaders;
import dev.baton.proxy.internal.http.HeaderGate;
import dev.baton.proxy.internal.upstream.Failures;
import dev.baton.proxy.internal.upstream.UpstreamConnection;
import dev.baton.resilience.Outcome;
import dev.baton.security.SecurityViolations;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream half of an {@link Exchange}, once the request is through its stages:
 * chooses an instance, acquires a connection, sends the request, hears the upstream
 * ({@link UpstreamConnection.Listener}) and relays its response, and on a failure or
 * a retryable status decides, under {@link Retrying}, whether to try again. It moves
 * the exchange through CONNECTING, SENT and RESPONDING; the exchange keeps the client
 * side, the answers Baton makes itself and the end. Like its exchange it lives on
 * one event loop.
 */
// Its fields follow the exchange's phases: choose() sets the attempt and its upstream
// before anything that reads them runs, and a response head the relay; the pool gives
// a connection or a failure. NullAway cannot follow phases, so it is told not to look
// here; the fields still say they may be null. (To go once the package split settles.)
@SuppressWarnings("NullAway")
final class UpstreamLeg implements UpstreamConnection.Listener {
    private static final Logger log = LoggerFactory.getLogger(UpstreamLeg.class);
    static final long MAX_CONNECT_TIMEOUT_MS = 10_000;

    private final Exchange exchange;
    private final ProxyContext ctx;
    private final HttpServerRequest req;
    private final RouteTarget route;
    private final RequestBody body;
    private final ExchangeTimer timer;
    private final @Nullable Retrying retrying; // null when the route does not retry
    private @Nullable Attempt attempt; // the current try, once an instance is chosen
    private @Nullable Upstream upstream; // the current try's instance, once chosen
    private @Nullable Upstream avoid; // the instance the last try failed on
    private @Nullable ResponseRelay relay; // once a response head came
    private boolean staleRetried;
    private int tries;
    private long upstreamNanos = -1;

    UpstreamLeg(
            Exchange exchange,
            ProxyContext ctx,
            HttpServerRequest req,
            RouteTarget route,
            RequestBody body,
            ExchangeTimer timer,
            @Nullable Retrying retrying) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.req = req;
        this.route = route;
        this.body = body;
        this.timer = timer;
        this.retrying = retrying;
    }

    void connect(boolean fresh) {
        exchange.enter(Phase.CONNECTING);
        if (!choose()) {
            return;
        }
        int connectTimeout = (int) Math.min(route.timeoutMillis(), MAX_CONNECT_TIMEOUT_MS);
        ctx.upstreams().acquire(upstream, fresh, connectTimeout, (c, failure) -> {
            if (failure instanceof IllegalStateException) {
                exchange.abort(503, "the gateway is shutting down");
            } else if (failure != null) {
                upstreamFailed(failure, false);
            } else if (exchange.over()) {
                c.abandon();
            } else {
                send(c);
            }
        });
    }

    /**
     * Picks the instance and starts a try on it; false, with the client answered (503,
     * or the breaker's fallback), when the service has no available instance.
     */
    boolean choose() {
        ServiceTarget.Pick pick = route.service().pick(new ServerRequestKey(req), avoid);
        if (pick instanceof ServiceTarget.Shed) {
            Fallbacks.respond(exchange, route.service());
            return false;
        }
        if (!(pick instanceof ServiceTarget.Picked picked)) {
            req.response().putHeader("retry-after", Long.toString(retryAfterSeconds(route.service())));
            exchange.reject(
                    503, "no available instance of service " + route.service().id(), exchange.hasUnreadBody());
            return false;
        }
        attempt = new Attempt(new Assignment(route.service(), picked.upstream(), ctx.ticker()));
        upstream = attempt.upstream();
        tries++;
        exchange.trace().newTry();
        return true;
    }

    /**
     * When to try a service without an available instance again: instances come
     * back at a passing health check (a process still starting, one restarting), so
     * after one check interval; a second without checks.
     */
    private static long retryAfterSeconds(ServiceTarget service) {
        return service.config()
                .healthCheck()
                .map(h -> Math.max(1, (h.interval().toMillis() + 999) / 1000))
                .orElse(1L);
    }

    /**
     * Writes the upstream request's headers (see {@link ForwardedHeaders#request}) and
     * the stages' rewrites; false, with the client answered 400, when one of them
     * cannot be written: a value with a line break or another control character, from
     * the client, a claim or a transform, must never reach an HTTP/1.1 upstream.
     */
    boolean copyHeaders(MultiMap headers, boolean upgrade) {
        ForwardedHeaders.request(
                req,
                exchange.authority(),
                headers,
                upgrade,
                route.preserveHost(),
                upstream.authority(),
                exchange.idHeader(),
                exchange.requestId());
        headers.set("traceparent", exchange.trace().upstreamHeader());
        exchange.stages().ifPresent(s -> s.forward(headers));
        String invalid = HeaderGate.firstInvalid(headers);
        if (invalid != null) {
            ctx.violations().count(SecurityViolations.INVALID_HEADER);
            exchange.reject(400, "header " + invalid + " has an invalid name or value and cannot be forwarded", true);
            return false;
        }
        return true;
    }

    /** The request target holds a space or a control character: refused before it is written anywhere. */
    void badTarget() {
        ctx.violations().count(SecurityViolations.INVALID_HEADER);
        exchange.reject(400, "the request target holds a space or a control character", true);
    }

    private void send(UpstreamConnection c) {
        Optional<UpstreamRequest.Sending> sending = UpstreamRequest.build(this, req, route, upstream, body, retrying);
        if (sending.isEmpty()) {
            c.abandon(); // the client has been answered
            return;
        }
        attempt.sent(c);
        exchange.enter(Phase.SENT);
        c.start(this, sending.get().head(), sending.get().whole());
        if (sending.get().whole()) {
            timer.arm();
            body.resume();
            return;
        }
        if (retrying != null) {
            retrying.streaming();
        }
        Retrying copies = retrying;
        body.stream(
                c,
                copies == null ? chunk -> {} : chunk -> copies.copy(chunk.getBytes()),
                () -> {
                    ctx.violations().count(SecurityViolations.BODY_TOO_LARGE);
                    exchange.abort(413, "request body exceeds the limit of " + body.max() + " bytes");
                },
                () -> {
                    if (attempt.connection() != null) {
                        attempt.connection().end();
                        timer.arm();
                    }
                });
    }

    @Override
    public void onWritable() {
        if (!exchange.over()) {
            body.resume();
        }
    }

    /** The upstream's response head: the client's response starts, unless it is retried. */
    @Override
    public void onHead(HttpResponse head) {
        if (exchange.over()) {
            return;
        }
        int status = head.status().code();
        attempt.assignment().answered(status);
        upstreamNanos = ctx.ticker().nanos() - attempt.start();
        reportTry(Outcome.ANSWERED, status);
        if (retrying != null && retrying.retriesStatus(status) && retryLater(Outcome.ANSWERED, status)) {
            return;
        }
        timer.activity();
        relay = new ResponseRelay(req, route, exchange.idHeader());
        Optional<String> invalid = relay.head(
                head,
                exchange.requestId(),
                ctx.dates().now(),
                exchange.pipeline(),
                exchange.stages().orElse(null),
                attempt.assignment());
        if (invalid.isPresent()) {
            String what = describe();
            log.warn("request {}: {} sent an invalid header {}", exchange.requestId(), what, invalid.get());
            attempt.assignment().failed(Outcome.RESET);
            exchange.abort(502, what + " answered with an invalid header " + invalid.get());
            return;
        }
        exchange.enter(Phase.RESPONDING);
        timer.responding();
    }

    @Override
    public void onContent(ByteBuf content) {
        if (!exchange.over()) {
            timer.activity();
            relay.content(content, attempt.connection(), exchange::over);
        }
    }

    @Override
    public void onEnd(ByteBuf last) {
        if (!exchange.over()) {
            attempt.released(); // back in the pool, or closed: no longer ours
            // Counted as finished before the client can see the end, so counters never lag it.
            exchange.release();
            relay.end(last, ctx.clock().millis());
            exchange.observe();
        }
    }

    @Override
    public void onFailure(Throwable cause) {
        boolean reused = attempt.connection() != null && attempt.connection().reused();
        attempt.released();
        upstreamFailed(cause, reused);
    }

    /** A try failed before any response: a timeout, reset or refused connection. */
    void failed(Throwable cause) {
        upstreamFailed(cause, false);
    }

    private void upstreamFailed(Throwable cause, boolean reusedConnection) {
        if (exchange.over()) {
            return;
        }
        if (exchange.phase() == Phase.SENT
                && reusedConnection
                && !staleRetried
                && !body.present()
                && Retrying.idempotent(req.method())
                && Failures.isStaleConnection(cause)) {
            // The pooled connection was closed by the upstream while idle, racing with
            // our request: nothing reached the application, so one retry on a new
            // connection is safe and hides the race (Spring Cloud Gateway's
            // "Connection prematurely closed BEFORE response").
            staleRetried = true;
            timer.cancel();
            attempt.done();
            log.debug("request {}: retrying on a fresh connection after {}", exchange.requestId(), cause.toString());
            connect(true);
            return;
        }
        Outcome outcome = Failures.outcome(cause);
        if (attempt != null && exchange.phase() != Phase.RESPONDING) {
            attempt.assignment().failed(outcome);
            reportTry(outcome, 0);
        }
        if (retryLater(outcome, 0)) {
            return;
        }
        int status = Failures.isTimeout(cause) ? 504 : 502;
        String what = upstream == null ? "upstream" : describe();
        log.warn(
                "request {}: {} {}: {}",
                exchange.requestId(),
                what,
                status == 504 ? "timed out" : "failed",
                cause.toString());
        exchange.abort(status, what + ": " + Failures.describe(cause));
    }

    /** The upstream sent nothing for the per-try or the route's timeout: retried if allowed, else 504. */
    void timedOut() {
        long idle = TimeUnit.NANOSECONDS.toMillis(timer.silentNanos());
        String what = describe();
        log.warn("request {}: {} sent nothing for {} ms", exchange.requestId(), what, idle);
        if (exchange.phase() != Phase.RESPONDING) {
            attempt.assignment().failed(Outcome.TIMEOUT);
            reportTry(Outcome.TIMEOUT, 0);
            if (retryLater(Outcome.TIMEOUT, 0)) {
                return;
            }
        }
        exchange.abort(504, what + " did not answer within " + route.timeoutMillis() + " ms");
    }

    /**
     * Tries again, elsewhere when possible, after a jittered wait, if the policy, the
     * method, the body, the deadline and the service's retry budget all allow; false
     * leaves the failure to the caller.
     */
    private boolean retryLater(Outcome outcome, int status) {
        Phase phase = exchange.phase();
        if (retrying == null || (phase != Phase.CONNECTING && phase != Phase.SENT)) {
            return false;
        }
        long start = timer.deadlineStart() != 0 ? timer.deadlineStart() : exchange.created();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(route.timeoutMillis());
        boolean sent = attempt != null && attempt.wasSent();
        long wait = retrying.retryWait(
                outcome,
                status,
                sent,
                body.complete(),
                ctx.ticker().nanos(),
                deadline,
                () -> Retrying.anotherInstanceAvailable(route.service(), upstream));
        if (wait < 0) {
            return false;
        }
        Upstream previous = upstream;
        timer.cancel();
        attempt.done();
        reset();
        exchange.enter(Phase.CONNECTING);
        log.debug(
                "request {}: try {} of {} after {} ms ({} {})",
                exchange.requestId(),
                retrying.tries(),
                route.service().id(),
                wait,
                outcome,
                status);
        ctx.vertx().setTimer(Math.max(1, wait), t -> {
            if (!exchange.over()) {
                avoid = previous;
                connect(false);
            }
        });
        return true;
    }

    /** The upstream accepted an upgrade (101): a success for its breaker. */
    void upgraded() {
        attempt.assignment().answered(101);
    }

    /** The upstream answered an upgrade with {@code status}: no retries from here. */
    void responseStarted(int status) {
        exchange.enter(Phase.RESPONDING);
        attempt.assignment().answered(status);
    }

    /** The client went away mid-try: the try is reported abandoned, not judged (see Assignment). */
    void clientGone() {
        if (attempt != null && exchange.phase() != Phase.RESPONDING) {
            reportTry(Outcome.RESET, 0);
        }
    }

    /** Drops the current try's connection, if any, without reusing it. */
    void reset() {
        if (attempt != null) {
            attempt.abandon();
        }
    }

    /** The exchange is over: the try and the retry budget are given back. */
    void release() {
        if (attempt != null) {
            attempt.done();
        }
        if (retrying != null) {
            retrying.ended();
        }
    }

    private void reportTry(Outcome outcome, int status) {
        if (attempt != null && attempt.report()) {
            try {
                ctx.observer()
                        .tried(
                                exchange.record(),
                                upstream,
                                outcome,
                                status,
                                ctx.ticker().nanos() - attempt.start());
            } catch (RuntimeException e) {
                log.warn("request observer failed: {}", e.toString());
            }
        }
    }

    private String describe() {
        return "upstream " + upstream.id() + " (" + upstream.authority() + ")";
    }

    Exchange exchange() {
        return exchange;
    }

    RouteTarget route() {
        return route;
    }

    /** The instance of the current or last try; null before the first. */
    /** The current (or last) try's instance; null before one is chosen. */
    @Nullable
    Upstream upstream() {
        return upstream;
    }

    int tries() {
        return tries;
    }

    /** Nanoseconds from the last try's start to its response head; -1 without one. */
    long upstreamNanos() {
        return upstreamNanos;
    }
}
