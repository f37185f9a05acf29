package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.http.RequestIds;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.stage.Pipeline;
import dev.baton.proxy.stage.Step;
import dev.baton.resilience.Bulkhead;
import dev.baton.resilience.Outcome;
import dev.baton.security.SecurityViolations;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request proxied to one upstream, from route match to the last byte of
 * the response. Runs entirely on its connection's event loop, so it needs no locks.
 * It keeps the request's {@link Phase} and moves it on: the head's checks and
 * admission, the route's {@link Pipeline} of stages ({@link StageRun}), tries of the
 * upstream ({@link Attempt}, retried under {@link Retrying}), the body ({@link
 * RequestBody}) and the response ({@link ResponseRelay}), then the end, which its
 * observers hear of as an immutable {@link ProxiedRequest}. Every expected failure
 * becomes Baton's JSON error or, once the response has started, a reset; nothing is
 * thrown to Vert.x.
 */
public final class Exchange implements UpstreamConnection.Listener, StageRun.Outcome, RequestBody.Events {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    static final long MAX_CONNECT_TIMEOUT_MS = 10_000;

    /** Where the exchange is; it only moves forward, except a retry's return to CONNECTING. */
    enum Phase {
        /** The head is being checked and admitted. */
        HEAD,
        /** The route's stages run. */
        STAGES,
        /** Choosing an instance and acquiring a connection (or waiting to retry). */
        CONNECTING,
        /** The request went upstream; no response yet. */
        SENT,
        /** The upstream's response is on its way to the client. */
        RESPONDING,
        /** A protocol upgrade: the handshake, then a tunnel. */
        TUNNEL,
        /** Over: everything it held is given back. */
        DONE
    }

    private final ProxyContext ctx;
    private final HttpServerRequest req;
    private final HttpServerResponse res;
    private final Snapshot snapshot;
    private final long created;
    private final long startMillis;
    private final RequestBody body;
    private final ExchangeTimer timer;
    private Phase phase = Phase.HEAD;
    private String requestId;
    private TraceState trace;
    private HostAndPort authority;
    private String clientAddress;
    private RouteTarget route;
    private Pipeline pipeline;
    private StageRun stages;
    private Retrying retrying;
    private Bulkhead entered;
    private Attempt attempt;
    private Upstream upstream;
    private Upstream avoid;
    private ResponseRelay relay;
    private boolean counted;
    private boolean staleRetried;
    private boolean aborted;
    private int tries;
    private long upstreamNanos = -1;
    private ProxiedRequest record; // once over

    public Exchange(ProxyContext ctx, HttpServerRequest req) {
        this.ctx = ctx;
        this.req = req;
        this.res = req.response();
        this.snapshot = ctx.snapshots().get();
        this.created = ctx.ticker().nanos();
        this.startMillis = ctx.clock().millis();
        var limits = snapshot.config().limits();
        this.body = new RequestBody(req, limits.maxBodySize(), this);
        this.timer = new ExchangeTimer(
                ctx.deadlines(), ctx.ticker(), limits.bodyTimeout().toNanos(), this::timedOut);
    }

    public void start() {
        req.pause();
        if (ctx.closing().contains(req.connection())) {
            req.connection().close();
            return;
        }
        String given = req.getHeader("x-request-id");
        requestId = given != null && RequestIds.isValid(given) ? given : RequestIds.generate();
        trace = TraceState.of(snapshot.config().observability().tracing(), req.getHeader("traceparent"));
        Admission.Head head = Admission.head(req, requestId);
        if (head.refusal() != null) {
            refuse(head.refusal());
            return;
        }
        authority = head.authority();
        res.closeHandler(v -> clientGone());
        req.exceptionHandler(this::clientFailed);
        if (req.version() == HttpVersion.HTTP_2
                && !req.isEnded()
                && req.getHeader("content-length") == null
                && req.getHeader("expect") == null) {
            body.awaitFirstEvent(this::admit);
            return;
        }
        admit();
    }

    /** The head is sound: on to the limits, the IP rules, admission and the route's stages. */
    private void admit() {
        counted = true;
        if (ctx.inFlight().incrementAndGet() > snapshot.config().limits().maxConcurrentRequests()) {
            reject(503, "too many concurrent requests", false);
            return;
        }
        String peer = req.remoteAddress() == null ? "" : req.remoteAddress().hostAddress();
        clientAddress = snapshot.clientAddress(peer, req.getHeader("x-forwarded-for"));
        if (!snapshot.ipPolicy().open() && !snapshot.ipPolicy().permits(clientAddress)) {
            ctx.violations().count(SecurityViolations.IP_DENIED);
            reject(403, "client address " + clientAddress + " is not allowed", Admission.mayHaveBody(req));
            return;
        }
        Admission.Verdict verdict = Admission.check(req, snapshot, authority);
        if (verdict instanceof Admission.Preflight preflight) {
            route = preflight.route();
            answerPreflight();
            return;
        }
        if (verdict instanceof Admission.Refuse refuse) {
            refuse(refuse);
            return;
        }
        Admission.Admit admit = (Admission.Admit) verdict;
        route = admit.route();
        body.present(admit.hasBody());
        pipeline = ctx.pipelines().of(snapshot, route);
        if (pipeline.isEmpty()) {
            proceed(); // most routes: no stages, no allocation
            return;
        }
        phase = Phase.STAGES;
        stages = new StageRun(pipeline, req, route, clientAddress, body, ctx, this);
        stages.run();
    }

    private void refuse(Admission.Refuse refuse) {
        if (refuse.violation() != null) {
            ctx.violations().count(refuse.violation());
        }
        if (refuse.allow() != null) {
            res.putHeader("allow", refuse.allow());
        }
        reject(refuse.status(), refuse.message(), refuse.close());
    }

    /** A CORS preflight: 204 with what the route allows, or 403; never sent upstream. */
    private void answerPreflight() {
        var cors = route.cors().orElseThrow(); // Admission finds preflights only on CORS routes
        String origin = req.getHeader("origin");
        if (!cors.allows(origin)) {
            reject(403, "origin " + origin + " is not allowed on this route", false);
            return;
        }
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        String why = cors.preflight(
                req.getHeader("access-control-request-method"),
                req.getHeader("access-control-request-headers"),
                headers);
        if (why != null) {
            reject(403, why, false);
        } else {
            answer(204, headers, new byte[0]);
        }
    }

    @Override
    public boolean over() {
        return phase == Phase.DONE;
    }

    @Override
    public void passed() {
        proceed();
    }

    @Override
    public void refused(Step.Respond answer) {
        answer.violation().ifPresent(ctx.violations()::count);
        answer.headers().forEach(h -> res.headers().add(h.getKey(), h.getValue()));
        reject(answer.status(), answer.message(), answer.close() || body.unread());
    }

    /** Admitted and through its stages: the bulkhead, retries, upgrade or the upstream call. */
    private void proceed() {
        Bulkhead bulkhead = route.service().bulkhead();
        if (bulkhead != null) {
            if (!bulkhead.tryEnter()) {
                reject(
                        503,
                        "service " + route.service().id() + " has its max-concurrent of " + bulkhead.max()
                                + " requests in flight",
                        body.unread());
                return;
            }
            entered = bulkhead;
        }
        retrying = Retrying.of(route, req, body.present());
        timer.route(
                TimeUnit.MILLISECONDS.toNanos(route.timeoutMillis()),
                retrying == null ? Long.MAX_VALUE : retrying.perTryTimeoutNanos());
        if (Upgrades.isUpgrade(req)) {
            phase = Phase.TUNNEL;
            new Upgrades(this).start();
            return;
        }
        if (body.present() && !body.complete() && "100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
            res.writeContinue();
        }
        connect(false);
    }

    private void connect(boolean fresh) {
        phase = Phase.CONNECTING;
        if (!choose()) {
            return;
        }
        int connectTimeout = (int) Math.min(route.timeoutMillis(), MAX_CONNECT_TIMEOUT_MS);
        ctx.upstreams().acquire(upstream, fresh, connectTimeout, (c, failure) -> {
            if (failure instanceof IllegalStateException) {
                abort(503, "the gateway is shutting down");
            } else if (failure != null) {
                upstreamFailed(failure, false);
            } else if (over()) {
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
        Assignment.Choice choice = Assignment.pick(route.service(), req, avoid, ctx.ticker());
        if (choice instanceof Assignment.Shed) {
            Fallbacks.respond(this, route.service());
            return false;
        }
        if (!(choice instanceof Assignment.Chosen chosen)) {
            reject(503, "no available instance of service " + route.service().id(), body.unread());
            return false;
        }
        attempt = new Attempt(chosen.assignment());
        upstream = attempt.upstream();
        tries++;
        trace.newTry();
        return true;
    }

    /**
     * Writes the upstream request's headers (see {@link ForwardedHeaders#request}) and
     * the stages' rewrites; false, with the client answered 400, when one of them
     * cannot be written: a value with a line break or another control character, from
     * the client, a claim or a transform, must never reach an HTTP/1.1 upstream.
     */
    boolean copyHeaders(MultiMap headers, boolean upgrade) {
        ForwardedHeaders.request(
                req, authority, headers, upgrade, route.preserveHost(), upstream.authority(), requestId);
        headers.set("traceparent", trace.upstreamHeader());
        if (stages != null) {
            stages.forward(headers);
        }
        String invalid = HeaderGate.firstInvalid(headers);
        if (invalid != null) {
            ctx.violations().count(SecurityViolations.INVALID_HEADER);
            reject(400, "header " + invalid + " has an invalid name or value and cannot be forwarded", true);
            return false;
        }
        return true;
    }

    private void send(UpstreamConnection c) {
        Optional<UpstreamRequest.Sending> sending = UpstreamRequest.build(this, req, route, upstream, body, retrying);
        if (sending.isEmpty()) {
            c.abandon(); // the client has been answered
            return;
        }
        attempt.sent(c);
        phase = Phase.SENT;
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
                    abort(413, "request body exceeds the limit of " + body.max() + " bytes");
                },
                () -> {
                    if (attempt.connection() != null) {
                        attempt.connection().end();
                        timer.arm();
                    }
                });
    }

    /** The request target holds a space or a control character: refused before it is written anywhere. */
    void badTarget() {
        ctx.violations().count(SecurityViolations.INVALID_HEADER);
        reject(400, "the request target holds a space or a control character", true);
    }

    @Override
    public void onWritable() {
        if (!over()) {
            body.resume();
        }
    }

    /** The upstream's response head: the client's response starts, unless it is retried. */
    @Override
    public void onHead(HttpResponse head) {
        if (over()) {
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
        relay = new ResponseRelay(req, route);
        Optional<String> invalid =
                relay.head(head, requestId, ctx.dates().now(), pipeline, stages, attempt.assignment());
        if (invalid.isPresent()) {
            String what = "upstream " + upstream.id() + " (" + upstream.authority() + ")";
            log.warn("request {}: {} sent an invalid header {}", requestId, what, invalid.get());
            attempt.assignment().failed(Outcome.RESET);
            abort(502, what + " answered with an invalid header " + invalid.get());
            return;
        }
        phase = Phase.RESPONDING;
        timer.responding();
    }

    @Override
    public void onContent(ByteBuf content) {
        if (!over()) {
            timer.activity();
            relay.content(content, attempt.connection(), this::over);
        }
    }

    @Override
    public void onEnd(ByteBuf last) {
        if (!over()) {
            attempt.released(); // back in the pool, or closed: no longer ours
            // Counted as finished before the client can see the end, so counters never lag it.
            release();
            relay.end(last, ctx.clock().millis());
            observe();
        }
    }

    @Override
    public void onFailure(Throwable cause) {
        boolean reused = attempt.connection() != null && attempt.connection().reused();
        attempt.released();
        upstreamFailed(cause, reused);
    }

    private void upstreamFailed(Throwable cause, boolean reusedConnection) {
        if (over()) {
            return;
        }
        if (phase == Phase.SENT
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
            log.debug("request {}: retrying on a fresh connection after {}", requestId, cause.toString());
            connect(true);
            return;
        }
        Outcome outcome = Failures.outcome(cause);
        if (attempt != null && phase != Phase.RESPONDING) {
            attempt.assignment().failed(outcome);
            reportTry(outcome, 0);
        }
        if (retryLater(outcome, 0)) {
            return;
        }
        int status = Failures.isTimeout(cause) ? 504 : 502;
        String what = upstream == null ? "upstream" : "upstream " + upstream.id() + " (" + upstream.authority() + ")";
        log.warn("request {}: {} {}: {}", requestId, what, status == 504 ? "timed out" : "failed", cause.toString());
        abort(status, what + ": " + Failures.describe(cause));
    }

    /**
     * Tries again, elsewhere when possible, after a jittered wait, if the policy, the
     * method, the body, the deadline and the service's retry budget all allow; false
     * leaves the failure to the caller.
     */
    private boolean retryLater(Outcome outcome, int status) {
        if (retrying == null || (phase != Phase.CONNECTING && phase != Phase.SENT)) {
            return false;
        }
        long start = timer.deadlineStart() != 0 ? timer.deadlineStart() : created;
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
        resetUpstream();
        phase = Phase.CONNECTING;
        log.debug(
                "request {}: try {} of {} after {} ms ({} {})",
                requestId,
                retrying.tries(),
                route.service().id(),
                wait,
                outcome,
                status);
        ctx.vertx().setTimer(Math.max(1, wait), t -> {
            if (!over()) {
                avoid = previous;
                connect(false);
            }
        });
        return true;
    }

    private void timedOut() {
        if (over()) {
            return;
        }
        if (timer.inBody()) {
            long ms = snapshot.config().limits().bodyTimeout().toMillis();
            log.debug("request {}: the client sent no body bytes for {} ms", requestId, ms);
            ctx.violations().count(SecurityViolations.SLOW_CLIENT);
            abort(408, "the request body stalled: no bytes for " + ms + " ms (limits.body-timeout)");
            return;
        }
        long idle = TimeUnit.NANOSECONDS.toMillis(timer.silentNanos());
        String what = "upstream " + upstream.id() + " (" + upstream.authority() + ")";
        log.warn("request {}: {} sent nothing for {} ms", requestId, what, idle);
        if (phase != Phase.RESPONDING) {
            attempt.assignment().failed(Outcome.TIMEOUT);
            reportTry(Outcome.TIMEOUT, 0);
            if (retryLater(Outcome.TIMEOUT, 0)) {
                return;
            }
        }
        abort(504, what + " did not answer within " + route.timeoutMillis() + " ms");
    }

    /** Ends the exchange with an error: JSON if nothing was sent yet, else a reset. */
    void abort(int status, String message) {
        if (over()) {
            return;
        }
        // Answer the client first: resetting the upstream fails its futures, and
        // those must find the exchange already over.
        if (res.headWritten()) {
            release();
            res.reset();
            aborted = true;
            observe();
        } else {
            reject(status, message, body.unread());
        }
        resetUpstream();
    }

    private void resetUpstream() {
        if (attempt != null) {
            attempt.abandon();
        }
    }

    /** Answers with Baton's JSON error; {@code close} drops the connection after it (unread body, bad framing). */
    void reject(int status, String message, boolean close) {
        finish(close, () -> ErrorResponses.send(res, status, message, requestId));
    }

    /**
     * Answers with a response Baton makes itself (a breaker's fallback, a preflight)
     * without calling an upstream; an unread request body closes the connection after it.
     */
    void answer(int status, Iterable<Map.Entry<String, String>> headers, byte[] content) {
        finish(body.unread(), () -> {
            headers.forEach(h -> res.headers().add(h.getKey(), h.getValue()));
            res.headers().set("x-request-id", requestId);
            return res.setStatusCode(status).end(Buffer.buffer(content));
        });
    }

    private void finish(boolean close, Supplier<io.vertx.core.Future<Void>> write) {
        release();
        if (ErrorResponses.answer(req, ctx, close, this::decorate, write) && !close) {
            body.resume();
        }
        observe();
    }

    /** What the route adds to Baton's own answers: its stages', or a preflight's CORS headers. */
    private void decorate(MultiMap headers) {
        if (stages != null) {
            stages.answered(headers);
        } else if (route != null) {
            String origin = req.getHeader("origin");
            route.cors().filter(c -> c.allows(origin)).ifPresent(c -> c.response(origin, headers));
        }
    }

    /**
     * The client's request broke after its head (a chunk size that is not hex, a bare
     * LF, an HTTP/2 stream reset): nothing more of it may reach the upstream, which
     * sees its connection closed mid-request and so never a whole one.
     */
    private void clientFailed(Throwable cause) {
        if (over()) {
            return;
        }
        log.debug("request {}: the client's request failed: {}", requestId, cause.toString());
        if (!res.headWritten() && !res.closed()) {
            resetUpstream();
            reject(400, "malformed request body", true);
        } else {
            clientGone();
        }
    }

    private void clientGone() {
        if (!over()) {
            if (attempt != null && phase != Phase.RESPONDING) {
                reportTry(Outcome.RESET, 0); // abandoned, not judged: see Assignment
            }
            release();
            resetUpstream();
            aborted = res.headWritten();
            observe();
        }
    }

    /** Ends an exchange that is over by other means (an upgrade's tunnel closing). */
    void complete() {
        release();
        observe();
    }

    private void release() {
        if (phase != Phase.DONE) {
            phase = Phase.DONE;
            timer.cancel();
            if (attempt != null) {
                attempt.done();
            }
            if (retrying != null) {
                retrying.ended();
            }
            if (entered != null) {
                entered.leave();
                entered = null;
            }
            if (counted) {
                ctx.inFlight().decrementAndGet();
            }
        }
    }

    private void reportTry(Outcome outcome, int status) {
        if (attempt != null && attempt.report()) {
            try {
                ctx.observer()
                        .tried(record(), upstream, outcome, status, ctx.ticker().nanos() - attempt.start());
            } catch (RuntimeException e) {
                log.warn("request observer failed: {}", e.toString());
            }
        }
    }

    /** Tells the observers, once, that the request is over. */
    private void observe() {
        if (record == null) {
            record = record();
            try {
                ctx.observer().completed(record);
            } catch (RuntimeException e) {
                log.warn("request observer failed: {}", e.toString());
            }
        }
    }

    /** What the request has come to so far, as observers see it. */
    private ProxiedRequest record() {
        return new ProxiedRequest(
                requestId,
                req.method().name(),
                req.path(),
                route,
                upstream,
                res.headWritten() ? res.getStatusCode() : ProxiedRequest.CLIENT_CLOSED,
                aborted,
                body.bytes(),
                res.bytesWritten(),
                ctx.ticker().nanos() - created,
                upstreamNanos,
                tries,
                clientAddress,
                startMillis,
                trace.traceId(),
                trace.spanId(),
                trace.trySpanId(),
                trace.parentSpanId(),
                created);
    }

    @Override
    public void reading(boolean reading) {
        timer.body(reading);
        if (reading) {
            timer.arm();
        } else {
            timer.cancel();
        }
    }

    @Override
    public void activity() {
        timer.activity();
    }

    // What an upgrade needs of its exchange (see Upgrades).

    HttpServerRequest request() {
        return req;
    }

    ProxyContext context() {
        return ctx;
    }

    RouteTarget route() {
        return route;
    }

    Upstream upstream() {
        return upstream;
    }

    String requestId() {
        return requestId;
    }

    void resumeRequest() {
        body.resume();
    }

    /** A request body follows that nobody has read: answering early must close the connection. */
    boolean hasUnreadBody() {
        return body.unread();
    }

    /** The upstream accepted an upgrade (101): a success for its breaker. */
    void upgraded() {
        attempt.assignment().answered(101);
    }

    /** The upstream answered an upgrade with {@code status}: no retries from here. */
    void responseStarted(int status) {
        phase = Phase.RESPONDING;
        attempt.assignment().answered(status);
    }

    void failed(Throwable cause) {
        upstreamFailed(cause, false);
    }
}
