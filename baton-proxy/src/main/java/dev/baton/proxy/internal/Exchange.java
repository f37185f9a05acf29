package dev.baton.proxy.internal;

import dev.baton.config.RequestIdConfig;
import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.http.RequestIds;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.proxy.stage.Pipeline;
import dev.baton.proxy.stage.Step;
import dev.baton.resilience.Bulkhead;
import dev.baton.security.SecurityViolations;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.HostAndPort;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request proxied to one upstream, from route match to the last byte of
 * the response. Runs entirely on its connection's event loop, so it needs no locks.
 * It keeps the request's {@link Phase} and moves it on: the head's checks and
 * admission, the route's {@link Pipeline} of stages ({@link StageRun}), the body
 * ({@link RequestBody}), the upstream half ({@link UpstreamLeg}: tries, retries and
 * the response relay), then the end, which its observers hear of as an immutable
 * {@link ProxiedRequest}. Every expected failure
 * becomes Baton's JSON error or, once the response has started, a reset; nothing is
 * thrown to Vert.x.
 */
public final class Exchange implements StageRun.Outcome, RequestBody.Events {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

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
    private final String requestId;
    private final boolean idInvalid; // the client sent a request id that RequestIds refuses
    private final TraceState trace;
    private final Answers answers;
    private Phase phase = Phase.HEAD;
    // Each from the step that finds it; null for a request refused before.
    private @Nullable HostAndPort authority;
    private @Nullable String clientAddress;
    private @Nullable RouteTarget route;
    private @Nullable Pipeline pipeline;
    private @Nullable StageRun stages;
    private @Nullable Bulkhead entered;
    private @Nullable UpstreamLeg leg; // once through the stages
    private boolean counted;
    private boolean aborted;
    private @Nullable ProxiedRequest record; // once over

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
        RequestIdConfig ids = snapshot.config().server().requestId();
        String given = req.getHeader(ids.header());
        this.idInvalid = given != null && !RequestIds.isValid(given);
        this.requestId = given != null && !idInvalid ? given : RequestIds.generate();
        this.trace = TraceState.of(snapshot.config().observability().tracing(), req.getHeader("traceparent"));
        this.answers = new Answers(ctx, req, body, ids.header(), requestId, this::decorate);
    }

    public void start() {
        req.pause();
        if (ctx.closing().contains(req.connection())) {
            req.connection().close();
            return;
        }
        RequestIdConfig ids = snapshot.config().server().requestId();
        boolean refuseId = idInvalid && !ids.replaceInvalid();
        Admission.Head head = Admission.head(req, refuseId ? Optional.of(ids.name()) : Optional.empty());
        Admission.Refuse refusal = head.refusal();
        if (refusal != null) {
            end(a -> a.refuse(refusal));
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
            // Admission finds preflights only on CORS routes.
            end(a -> a.preflight(preflight.route().cors().orElseThrow()));
            return;
        }
        if (verdict instanceof Admission.Refuse refuse) {
            end(a -> a.refuse(refuse));
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
        end(a -> a.refused(answer));
    }

    /** Admitted and through its stages: the bulkhead, retries, upgrade or the upstream call. */
    private void proceed() {
        RouteTarget route = Objects.requireNonNull(this.route, "not admitted");
        Bulkhead bulkhead = route.service().bulkhead().orElse(null);
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
        Retrying retrying = Retrying.of(route, req, body.present());
        timer.route(
                TimeUnit.MILLISECONDS.toNanos(route.timeoutMillis()),
                retrying == null ? Long.MAX_VALUE : retrying.perTryTimeoutNanos());
        Admitted admitted = new Admitted(
                requestId,
                answers.idHeader(),
                authority,
                trace,
                route,
                Objects.requireNonNull(pipeline, "not admitted"),
                Optional.ofNullable(stages),
                created);
        leg = new UpstreamLeg(this, admitted, ctx, req, body, timer, retrying);
        if (Upgrades.isUpgrade(req)) {
            phase = Phase.TUNNEL;
            new Upgrades(this, leg, ctx, req).start();
            return;
        }
        if (body.present() && !body.complete() && "100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
            res.writeContinue();
        }
        leg.connect(false);
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
        // The route's deadline is set as the leg is made: only a body timeout comes before it.
        Objects.requireNonNull(leg).timedOut();
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
        if (leg != null) {
            leg.reset();
        }
    }

    /** Answers with Baton's JSON error; {@code close} drops the connection after it (unread body, bad framing). */
    void reject(int status, String message, boolean close) {
        end(a -> a.error(status, message, close));
    }

    /** Answers with a whole response of Baton's own (a breaker's fallback) without calling an upstream. */
    void answer(int status, Iterable<Map.Entry<String, String>> headers, byte[] content) {
        end(a -> a.content(status, headers, content));
    }

    /** Ends the exchange with one of Baton's own answers: counted as over before the client sees it. */
    private void end(Consumer<Answers> answer) {
        release();
        answer.accept(answers);
        observe();
    }

    /** What the route adds to Baton's own answers: its stages', or a preflight's CORS headers. */
    private void decorate(MultiMap headers) {
        if (stages != null) {
            stages.answered(headers);
        } else if (route != null) {
            String origin = req.getHeader("origin");
            if (origin != null) {
                route.cors().filter(c -> c.allows(origin)).ifPresent(c -> c.response(origin, headers));
            }
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
            if (leg != null) {
                leg.clientGone();
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

    void release() {
        if (phase != Phase.DONE) {
            phase = Phase.DONE;
            timer.cancel();
            if (leg != null) {
                leg.release();
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

    /** Tells the observers, once, that the request is over. */
    void observe() {
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
    ProxiedRequest record() {
        return new ProxiedRequest(
                requestId,
                req.method().name(),
                req.path(),
                route,
                leg == null ? null : leg.upstream(),
                res.headWritten() ? res.getStatusCode() : ProxiedRequest.CLIENT_CLOSED,
                aborted,
                body.bytes(),
                res.bytesWritten(),
                ctx.ticker().nanos() - created,
                leg == null ? -1 : leg.upstreamNanos(),
                leg == null ? 0 : leg.tries(),
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

    // What the upstream leg, an upgrade and a fallback need of their exchange.

    Phase phase() {
        return phase;
    }

    /** Moves to an upstream phase: CONNECTING, SENT or RESPONDING (see {@link UpstreamLeg}). */
    void enter(Phase next) {
        if (phase != Phase.DONE) {
            phase = next;
        }
    }

    void resumeRequest() {
        body.resume();
    }

    /** A request body follows that nobody has read: answering early must close the connection. */
    boolean hasUnreadBody() {
        return body.unread();
    }
}
