package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Upstream;
import dev.baton.proxy.internal.Exchange.Phase;
import dev.baton.proxy.internal.upstream.Failures;
import dev.baton.proxy.internal.upstream.UpstreamConnection;
import dev.baton.proxy.internal.upstream.UpstreamPool;
import dev.baton.resilience.Outcome;
import dev.baton.security.SecurityViolations;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.http.HttpServerRequest;
import java.util.Objects;
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
final class UpstreamLeg implements UpstreamConnection.Listener, UpstreamPool.Acquired {
    private static final Logger log = LoggerFactory.getLogger(UpstreamLeg.class);
    static final long MAX_CONNECT_TIMEOUT_MS = 10_000;

    private final Exchange exchange;
    private final Admitted admitted;
    private final ProxyContext ctx;
    private final HttpServerRequest req;
    private final RouteTarget route;
    private final RequestBody body;
    private final ExchangeTimer timer;
    private final @Nullable Retrying retrying; // null when the route does not retry
    private @Nullable Attempt attempt; // the current (or last) try, once an instance is chosen
    private @Nullable Upstream avoid; // the instance the last try failed on
    private @Nullable ResponseRelay relay; // once a response head came
    private boolean staleRetried;
    private int tries;
    private long upstreamNanos = -1;

    UpstreamLeg(
            Exchange exchange,
            Admitted admitted,
            ProxyContext ctx,
            HttpServerRequest req,
            RequestBody body,
            ExchangeTimer timer,
            @Nullable Retrying retrying) {
        this.exchange = exchange;
        this.admitted = admitted;
        this.ctx = ctx;
        this.req = req;
        this.route = admitted.route();
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
        ctx.upstreams().acquire(current().upstream(), fresh, connectTimeout, this);
    }

    @Override
    public void connected(UpstreamConnection c) {
        if (exchange.over()) {
            c.abandon();
        } else {
            send(c);
        }
    }

    @Override
    public void failed(Throwable failure) {
        if (failure instanceof IllegalStateException) {
            exchange.abort(503, "the gateway is shutting down");
        } else {
            upstreamFailed(failure, false);
        }
    }

    /**
     * Picks the instance and starts a try on it; false, with the client answered (503,
     * or the breaker's fallback), when the service has no available instance.
     */
    boolean choose() {
        ServiceTarget.Pick pick = route.service().pick(new ServerRequestKey(req), avoid);
        if (pick instanceof ServiceTarget.Shed) {
            Unavailable.breakerOpen(exchange, req, route, ctx.clock());
            return false;
        }
        if (!(pick instanceof ServiceTarget.Picked picked)) {
            Unavailable.noInstance(exchange, req, route.service());
            return false;
        }
        attempt = new Attempt(new Assignment(route.service(), picked.upstream(), ctx.ticker()));
        tries++;
        admitted.trace().newTry();
        return true;
    }

    /** The request cannot be written upstream (see {@link UpstreamRequest.Unwritable}): 400, and the connection closes. */
    void unwritable(UpstreamRequest.Unwritable why) {
        ctx.violations().count(SecurityViolations.INVALID_HEADER);
        exchange.reject(400, why.message(), true);
    }

    private void send(UpstreamConnection c) {
        Attempt attempt = current();
        UpstreamRequest.Built built = UpstreamRequest.build(admitted, req, attempt.upstream(), body, retrying);
        if (!(built instanceof UpstreamRequest.Sending sending)) {
            c.abandon();
            unwritable((UpstreamRequest.Unwritable) built);
            return;
        }
        attempt.sent(c);
        exchange.enter(Phase.SENT);
        c.start(this, sending.head(), sending.whole());
        if (sending.whole()) {
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
                    UpstreamConnection sent = attempt.connection();
                    if (sent != null) {
                        sent.end();
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
        Attempt attempt = current();
        attempt.assignment().answered(status);
        upstreamNanos = ctx.ticker().nanos() - attempt.start();
        reportTry(Outcome.ANSWERED, status);
        if (retrying != null && retrying.retriesStatus(status) && retryLater(Outcome.ANSWERED, status)) {
            return;
        }
        timer.activity();
        ResponseRelay relay = new ResponseRelay(req, route, admitted.idHeader());
        this.relay = relay;
        Optional<String> invalid = relay.head(
                head,
                admitted.requestId(),
                ctx.dates().now(),
                admitted.pipeline(),
                admitted.stages().orElse(null),
                attempt.assignment());
        if (invalid.isPresent()) {
            String what = describe();
            log.warn("request {}: {} sent an invalid header {}", admitted.requestId(), what, invalid.get());
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
            relaying().content(content, Objects.requireNonNull(current().connection(), "not sent"), exchange::over);
        }
    }

    @Override
    public void onEnd(ByteBuf last) {
        if (!exchange.over()) {
            current().released(); // back in the pool, or closed: no longer ours
            // Counted as finished before the client can see the end, so counters never lag it.
            exchange.release();
            relaying().end(last, ctx.clock().millis());
            exchange.observe();
        }
    }

    @Override
    public void onFailure(Throwable cause) {
        Attempt attempt = current();
        UpstreamConnection c = attempt.connection();
        boolean reused = c != null && c.reused();
        attempt.released();
        upstreamFailed(cause, reused);
    }

    private void upstreamFailed(Throwable cause, boolean reusedConnection) {
        if (exchange.over()) {
            return;
        }
        if (exchange.phase() == Phase.SENT
                && reusedConnection
                && !staleRetried
                && Retrying.onFreshConnection(req, body.present(), cause)) {
            staleRetried = true;
            timer.cancel();
            current().done();
            log.debug("request {}: retrying on a fresh connection after {}", admitted.requestId(), cause.toString());
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
        String what = attempt == null ? "upstream" : describe();
        log.warn(
                "request {}: {} {}: {}",
                admitted.requestId(),
                what,
                status == 504 ? "timed out" : "failed",
                cause.toString());
        exchange.abort(status, what + ": " + Failures.describe(cause));
    }

    /** The upstream sent nothing for the per-try or the route's timeout: retried if allowed, else 504. */
    void timedOut() {
        long idle = TimeUnit.NANOSECONDS.toMillis(timer.silentNanos());
        String what = describe();
        log.warn("request {}: {} sent nothing for {} ms", admitted.requestId(), what, idle);
        if (exchange.phase() != Phase.RESPONDING) {
            current().assignment().failed(Outcome.TIMEOUT);
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
        long start = timer.deadlineStart() != 0 ? timer.deadlineStart() : admitted.created();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(route.timeoutMillis());
        Attempt attempt = current(); // every failure that may retry comes after choose()
        boolean sent = attempt.wasSent();
        long wait = retrying.retryWait(
                outcome,
                status,
                sent,
                body.complete(),
                ctx.ticker().nanos(),
                deadline,
                () -> Retrying.anotherInstanceAvailable(route.service(), attempt.upstream()));
        if (wait < 0) {
            return false;
        }
        Upstream previous = attempt.upstream();
        timer.cancel();
        attempt.done();
        reset();
        exchange.enter(Phase.CONNECTING);
        log.debug(
                "request {}: try {} of {} after {} ms ({} {})",
                admitted.requestId(),
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
        current().assignment().answered(101);
    }

    /** The upstream answered an upgrade with {@code status}: no retries from here. */
    void responseStarted(int status) {
        exchange.enter(Phase.RESPONDING);
        current().assignment().answered(status);
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
        Attempt attempt = this.attempt;
        if (attempt != null && attempt.report()) {
            try {
                ctx.observer()
                        .tried(
                                exchange.record(),
                                attempt.upstream(),
                                outcome,
                                status,
                                ctx.ticker().nanos() - attempt.start());
            } catch (RuntimeException e) {
                log.warn("request observer failed: {}", e.toString());
            }
        }
    }

    private String describe() {
        Upstream upstream = current().upstream();
        return "upstream " + upstream.id() + " (" + upstream.authority() + ")";
    }

    /**
     * The current try: what hears the upstream, sends, fails or times out comes after
     * {@link #choose} made it, so its absence is a bug in the phases, not a state.
     */
    private Attempt current() {
        return Objects.requireNonNull(attempt, "no try chosen");
    }

    /** The response being relayed: content and its end come only after the head that made it. */
    private ResponseRelay relaying() {
        return Objects.requireNonNull(relay, "no response head");
    }

    Admitted admitted() {
        return admitted;
    }

    /** The current (or last) try's instance; null before one is chosen. */
    @Nullable
    Upstream upstream() {
        return attempt == null ? null : attempt.upstream();
    }

    int tries() {
        return tries;
    }

    /** Nanoseconds from the last try's start to its response head; -1 without one. */
    long upstreamNanos() {
        return upstreamNanos;
    }
}
