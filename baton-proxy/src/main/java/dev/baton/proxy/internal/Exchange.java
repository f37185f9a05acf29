package dev.baton.proxy.internal;

import dev.baton.config.JsonMapping;
import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.http.RequestIds;
import dev.baton.proxy.ProxiedRequest;
import dev.baton.resilience.Bulkhead;
import dev.baton.resilience.Outcome;
import dev.baton.security.Caller;
import dev.baton.security.SecurityViolations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.impl.headers.HeadersAdaptor;
import io.vertx.core.http.impl.headers.HeadersMultiMap;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request proxied to one upstream, from route match to the last byte of
 * the response. Runs entirely on its connection's event loop, so it needs no locks.
 * Every expected failure becomes Baton's JSON error or, once the
 * response has started, a reset connection; nothing is thrown to Vert.x.
 */
public final class Exchange implements Deadlines.Idle, UpstreamConnection.Listener, ProxiedRequest {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    static final long MAX_CONNECT_TIMEOUT_MS = 10_000;
    private final ProxyContext ctx;
    private final HttpServerRequest req;
    private final HttpServerResponse res;
    private final Snapshot snapshot;
    private String requestId;
    private RouteTarget route;
    private Upstream upstream;
    private UpstreamConnection conn;
    private boolean responseStarted;
    private boolean reusedConnectionFailed;
    private boolean hasBody;
    private long bodyBytes;
    private boolean released;
    private boolean counted;
    private boolean retried;
    private boolean upgrade;
    private Deadlines.Entry deadline;
    private long lastActivity;
    private Assignment assigned;
    private FallbackCapture capture;
    private Retrying retrying;
    private Bulkhead entered;
    private RateLimiting limits;
    private Caller caller;
    private byte[] bufferedBody;
    private String clientAddress;
    private io.vertx.core.net.HostAndPort authority;
    private Buffer firstChunk;
    private boolean bodyPhase; // reading the client's body: limits.body-timeout is the deadline
    private JsonMapping responseMapping;
    private java.io.ByteArrayOutputStream mappedResponse;
    private Upstream avoid;
    private boolean sent;
    private boolean bodyComplete;
    private final long created;
    private final long startMillis;
    private long deadlineStart;
    private TraceContext trace; // only while tracing is on
    private String traceparent;
    private String traceId;
    private String spanId;
    private String trySpanId;
    private int tries;
    private long tryStart;
    private boolean tryReported;
    private long upstreamNanos = -1;
    private boolean aborted;
    private boolean observed;
    // Read once when the exchange ends: the response's getters lock its connection, and
    // every observer asks.
    private int finalStatus;
    private long finalBytesOut;
    private long durationNanos;

    public Exchange(ProxyContext ctx, HttpServerRequest req) {
        this.ctx = ctx;
        this.req = req;
        this.res = req.response();
        this.snapshot = ctx.snapshots().get();
        this.created = ctx.ticker().nanos();
        this.startMillis = ctx.clock().millis();
    }

    public void start() {
        req.pause();
        if (ctx.closing().contains(req.connection())) {
            req.connection().close();
            return;
        }
        String given = req.getHeader("x-request-id");
        if (given != null && !RequestIds.isValid(given)) {
            requestId = RequestIds.generate();
            reject(400, "invalid X-Request-ID (allowed: [A-Za-z0-9._-]{1,100})", false);
            return;
        }
        requestId = given != null ? given : RequestIds.generate();
        var tracing = snapshot.config().observability().tracing();
        String clientTrace = req.getHeader("traceparent");
        if (tracing.enabled()) {
            trace = TraceContext.of(clientTrace, tracing.sampleRate());
            traceparent = trace.header(trace.parentId() != null ? trace.parentId() : TraceContext.randomHex(8));
            if (trace.sampled()) {
                spanId = TraceContext.randomHex(8);
            }
        } else if (clientTrace != null && TraceContext.valid(clientTrace)) {
            traceparent = clientTrace; // passed on as it came; made only when needed otherwise
        }
        RequestSyntax.Head head = RequestSyntax.check(req);
        if (head.problem() != null) {
            ctx.violations().count(head.problem().violation());
            reject(400, head.problem().message(), true);
            return;
        }
        authority = head.authority();
        String framing = Framing.problem(req);
        if (framing != null) {
            reject(400, framing, true);
            return;
        }
        res.closeHandler(v -> clientGone());
        req.exceptionHandler(this::clientFailed);
        if (req.version() == HttpVersion.HTTP_2
                && !req.isEnded()
                && req.getHeader("content-length") == null
                && req.getHeader("expect") == null) {
            awaitBodyOrEnd();
            return;
        }
        admit();
    }

    /**
     * An HTTP/2 request without Content-Length may have a body or not: its HEADERS
     * frame says so by ending the stream, but Vert.x tells that only by delivering the
     * end, after this handler. So the first event decides: the end (no body: the
     * upstream gets no framing headers, RFC 9113 §8.1) or a first chunk, kept for
     * whoever reads the body.
     */
    private void awaitBodyOrEnd() {
        bodyPhase = true;
        armTimer();
        req.handler(chunk -> {
            if (bodyOrEndArrived()) {
                firstChunk = chunk;
                admit();
            }
        });
        req.endHandler(v -> {
            if (bodyOrEndArrived()) {
                admit();
            }
        });
        req.fetch(1);
    }

    private boolean bodyOrEndArrived() {
        req.handler(null);
        req.endHandler(null);
        if (released) {
            return false;
        }
        bodyPhase = false;
        cancelTimer();
        return true;
    }

    /**
     * Lets the client's request flow again, unless it has ended: Vert.x refuses to
     * resume an HTTP/2 request whose end it has delivered (see awaitBodyOrEnd).
     */
    void resumeRequest() {
        if (!req.isEnded()) {
            req.resume();
        }
    }

    /** The client's body is being read whole (true) or has been (false): the body-timeout applies meanwhile. */
    void readingBody(boolean reading) {
        bodyPhase = reading;
        if (reading) {
            armTimer();
        } else {
            cancelTimer();
        }
    }

    /** Body bytes arrived: the body-timeout counts from now. */
    void bodyActivity() {
        lastActivity = ctx.ticker().nanos();
    }

    /** The chunk that told a streamed HTTP/2 body from none, for the body's reader to take first. */
    Buffer takeFirstChunk() {
        Buffer c = firstChunk;
        firstChunk = null;
        return c;
    }

    /** The head is sound: on to the limits, the IP rules, admission and the route's checks. */
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
            reject(403, "client address " + clientAddress + " is not allowed", hasBody(req));
            return;
        }
        Admission.Verdict verdict = Admission.check(req, snapshot, authority);
        if (verdict instanceof Admission.Preflight preflight) {
            route = preflight.route();
            answerPreflight();
            return;
        }
        if (verdict instanceof Admission.Refuse refuse) {
            if (refuse.violation() != null) {
                ctx.violations().count(refuse.violation());
            }
            if (refuse.allow() != null) {
                res.putHeader("allow", refuse.allow());
            }
            reject(refuse.status(), refuse.message(), refuse.close());
            return;
        }
        Admission.Admit admit = (Admission.Admit) verdict;
        route = admit.route();
        hasBody = admit.hasBody();
        if (route.checked()) {
            new RouteChecks(this).run(this::authenticated);
        } else {
            authenticated(); // most routes: no stage objects, no allocation
        }
    }

    /** A CORS preflight: 204 with what the route allows, or 403; never sent upstream. */
    private void answerPreflight() {
        String origin = req.getHeader("origin");
        if (!route.cors().allows(origin)) {
            reject(403, "origin " + origin + " is not allowed on this route", false);
            return;
        }
        io.vertx.core.MultiMap headers = io.vertx.core.MultiMap.caseInsensitiveMultiMap();
        String why = route.cors()
                .preflight(
                        req.getHeader("access-control-request-method"),
                        req.getHeader("access-control-request-headers"),
                        headers);
        if (why != null) {
            reject(403, why, false);
        } else {
            answer(204, headers, new byte[0]);
        }
    }

    /** The route's checks passed: on to the rate limits. */
    private void authenticated() {
        if (route.limits().isEmpty()) {
            proceed();
            return;
        }
        limits = new RateLimiting(this);
        limits.check(this::proceed);
    }

    /** Admitted and within its limits: the bulkhead, retries, upgrade or the upstream call. */
    private void proceed() {
        Bulkhead bulkhead = route.service().bulkhead();
        if (bulkhead != null) {
            if (!bulkhead.tryEnter()) {
                reject(
                        503,
                        "service " + route.service().id() + " has its max-concurrent of " + bulkhead.max()
                                + " requests in flight",
                        hasBody && !req.isEnded());
                return;
            }
            entered = bulkhead;
        }
        retrying = Retrying.of(route, req, hasBody);
        if (Upgrades.isUpgrade(req)) {
            upgrade = true;
            new Upgrades(this).start();
            return;
        }
        if (hasBody && !bodyComplete && "100-continue".equalsIgnoreCase(req.getHeader("expect"))) {
            res.writeContinue();
        }
        connect(false);
    }

    private void connect(boolean fresh) {
        if (!choose()) {
            return;
        }
        int connectTimeout = (int) Math.min(route.timeoutMillis(), MAX_CONNECT_TIMEOUT_MS);
        ctx.upstreams().acquire(upstream, fresh, connectTimeout, (c, failure) -> {
            if (failure instanceof IllegalStateException) {
                abort(503, "the gateway is shutting down");
            } else if (failure != null) {
                upstreamFailed(failure);
            } else if (released) {
                c.abandon();
            } else {
                send(c);
            }
        });
    }

    /**
     * Picks the instance and counts the request on it; false, with the client answered
     * 503, when the service has no available instance.
     */
    boolean choose() {
        assigned = Assignment.pick(route.service(), req, avoid, ctx.ticker());
        if (assigned == Assignment.SHED) {
            assigned = null;
            Fallbacks.respond(this, route.service());
            return false;
        }
        if (assigned == null) {
            reject(503, "no available instance of service " + route.service().id(), hasBody && !req.isEnded());
            return false;
        }
        upstream = assigned.upstream();
        tries++;
        tryStart = ctx.ticker().nanos();
        tryReported = false;
        if (spanId != null) {
            trySpanId = TraceContext.randomHex(8);
        }
        return true;
    }

    private void endpointDone() {
        if (assigned != null) {
            assigned.done();
        }
    }

    /**
     * Writes the upstream request's headers (see {@link ForwardedHeaders#request});
     * false, with the client answered 400, when one of them cannot be written: a value
     * that reached here with a line break or another control character, from the
     * client, a claim or a transform, must never reach an HTTP/1.1 upstream.
     */
    boolean copyHeaders(MultiMap headers, boolean upgrade) {
        ForwardedHeaders.request(
                req, authority, headers, upgrade, route.preserveHost(), upstream.authority(), requestId);
        if (spanId != null) {
            // Recorded: the upstream's parent is this try's span.
            headers.set("traceparent", trace.header(trySpanId));
        } else {
            headers.set("traceparent", traceparent());
        }
        if (caller != null) {
            route.auth().forward(caller, headers);
        }
        if (route.transform() != null) {
            route.transform().request(headers);
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
        conn = c;
        sent = true;
        HeadersMultiMap headers = HeadersMultiMap.caseInsensitive();
        String uri = route.upstreamUri(req.path(), req.query(), upstream);
        if (!HeaderGate.isTarget(uri)) {
            ctx.violations().count(SecurityViolations.INVALID_HEADER);
            c.abandon();
            conn = null;
            reject(400, "the request target holds a space or a control character", true);
            return;
        }
        if (!copyHeaders(headers, false)) {
            c.abandon();
            conn = null;
            return;
        }
        io.netty.handler.codec.http.HttpMethod method = req.method().toNetty();
        if (!hasBody || bodyComplete) {
            ByteBuf content = Unpooled.EMPTY_BUFFER;
            if (!hasBody && HeaderGate.expectsContent(req.method())) {
                // RFC 9110 §8.6: a POST, PUT or PATCH without a body says so (some servers want 411 else).
                headers.set("content-length", "0");
            }
            if (hasBody) {
                // Read whole for a signature check, or a retry of a body kept by Retrying.
                byte[] body = bufferedBody != null ? bufferedBody : retrying.body();
                headers.remove("transfer-encoding");
                headers.set("content-length", Integer.toString(body.length));
                content = Unpooled.wrappedBuffer(body);
            }
            c.start(
                    this,
                    new DefaultFullHttpRequest(
                            io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                            method,
                            uri,
                            content,
                            headers,
                            EmptyHttpHeaders.INSTANCE),
                    true);
            armTimer();
            resumeRequest();
            return;
        }
        if (req.getHeader("content-length") == null) {
            headers.add("transfer-encoding", "chunked");
        }
        c.start(
                this,
                new DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1, method, uri, headers),
                false);
        if (retrying != null) {
            retrying.streaming();
        }
        req.handler(this::bodyChunk);
        req.endHandler(v -> {
            bodyComplete = true;
            bodyPhase = false;
            if (!released && conn != null) {
                conn.end();
                armTimer();
            }
        });
        bodyPhase = true;
        armTimer();
        Buffer first = takeFirstChunk();
        if (first != null) {
            bodyChunk(first);
        }
        if (!released && conn.writable()) {
            resumeRequest();
        }
    }

    /** A chunk of a streamed request body: counted, kept for a retry, sent on. */
    private void bodyChunk(Buffer chunk) {
        if (released) {
            return;
        }
        lastActivity = ctx.ticker().nanos();
        bodyBytes += chunk.length();
        if (bodyBytes > snapshot.config().limits().maxBodySize()) {
            ctx.violations().count(SecurityViolations.BODY_TOO_LARGE);
            abort(
                    413,
                    "request body exceeds the limit of "
                            + snapshot.config().limits().maxBodySize() + " bytes");
            return;
        }
        if (retrying != null) {
            retrying.copy(chunk.getBytes());
        }
        // Vert.x hands the server's bytes over as unreleasable heap buffers: no copy needed.
        conn.write(((BufferInternal) chunk).getByteBuf());
        if (!conn.writable()) {
            req.pause();
        }
    }

    @Override
    public void onWritable() {
        if (!released) {
            resumeRequest();
        }
    }

    /** The upstream's response head: the client's response starts. */
    @Override
    public void onHead(HttpResponse head) {
        if (released) {
            return;
        }
        int status = head.status().code();
        assigned.answered(status);
        upstreamNanos = ctx.ticker().nanos() - tryStart;
        reportTry(Outcome.ANSWERED, status);
        if (retrying != null && retrying.retriesStatus(status) && retryLater(Outcome.ANSWERED, status)) {
            return;
        }
        responseStarted = true;
        lastActivity = ctx.ticker().nanos();
        res.setStatusCode(status);
        if (req.version() != HttpVersion.HTTP_2) {
            res.setStatusMessage(head.status().reasonPhrase());
        }
        ForwardedHeaders.response(
                new HeadersAdaptor(head.headers()), res.headers(), requestId, req.version() == HttpVersion.HTTP_2);
        if (!res.headers().contains("date")) {
            res.headers().set("date", ctx.dates().now());
        }
        if (route.transform() != null) {
            route.transform().response(res.headers());
            boolean noBody = req.method() == HttpMethod.HEAD || status == 204 || status == 304;
            responseMapping = noBody
                    ? null
                    : route.transform()
                            .responseBody(
                                    head.headers().get("content-type"),
                                    head.headers().get("content-length"));
            if (responseMapping != null) {
                res.headers().remove("content-length"); // the mapped body has its own length
                mappedResponse = new java.io.ByteArrayOutputStream();
            }
        }
        corsHeaders();
        if (limits != null) {
            limits.headers(res.headers());
        }
        String invalid = HeaderGate.firstInvalid(res.headers());
        if (invalid != null) {
            // Nothing of the response has been written: the client gets a 502 of ours instead.
            res.headers().clear();
            responseStarted = false;
            String what = "upstream " + upstream.id() + " (" + upstream.authority() + ")";
            log.warn("request {}: {} sent an invalid header {}", requestId, what, invalid);
            assigned.failed(Outcome.RESET);
            abort(502, what + " answered with an invalid header " + invalid);
            return;
        }
        assigned.pin(req, res);
        capture = FallbackCapture.start(route, req, status, res.headers());
        boolean bodyless = req.method() == HttpMethod.HEAD || status == 204 || status == 304;
        if (!bodyless && !head.headers().contains("content-length") && req.version() != HttpVersion.HTTP_2) {
            res.setChunked(true);
        }
    }

    /** Streams response bytes to the client, pausing the upstream while the client is behind. */
    @Override
    public void onContent(ByteBuf content) {
        if (released) {
            return;
        }
        lastActivity = ctx.ticker().nanos();
        // A copy: the bytes belong to the upstream's pooled buffer, released after this call.
        byte[] bytes = ByteBufUtil.getBytes(content);
        if (capture != null && !capture.append(bytes)) {
            capture = null;
        }
        if (mappedResponse != null) {
            mappedResponse.writeBytes(bytes); // bounded by the mapping's max-size
            return;
        }
        res.write(Buffer.buffer(bytes));
        if (res.writeQueueFull()) {
            conn.pauseReading();
            res.drainHandler(v -> {
                if (!released) {
                    conn.resumeReading();
                }
            });
        }
    }

    @Override
    public void onEnd(ByteBuf last) {
        if (!released) {
            conn = null; // back in the pool, or closed: no longer ours
            // Counted as finished before the client can see the end, so counters never lag it.
            release();
            byte[] bytes = last.isReadable() ? ByteBufUtil.getBytes(last) : null;
            if (capture != null && (bytes == null || capture.append(bytes))) {
                capture.store(ctx.clock().millis());
            }
            capture = null;
            if (mappedResponse != null) {
                if (bytes != null) {
                    mappedResponse.writeBytes(bytes);
                }
                byte[] all = mappedResponse.toByteArray();
                bytes = responseMapping.apply(all).orElse(all);
                mappedResponse = null;
            }
            if (bytes != null) {
                res.end(Buffer.buffer(bytes)); // one write for a small body
            } else {
                res.end();
            }
            observe();
        }
    }

    @Override
    public void onFailure(Throwable cause) {
        reusedConnectionFailed = conn != null && conn.reused();
        conn = null;
        upstreamFailed(cause);
    }

    private void upstreamFailed(Throwable cause) {
        if (released) {
            return;
        }
        if (!responseStarted
                && conn == null
                && reusedConnectionFailed
                && !retried
                && !upgrade
                && !hasBody
                && Retrying.idempotent(req.method())
                && Failures.isStaleConnection(cause)) {
            // The pooled connection was closed by the upstream while idle, racing with
            // our request: nothing reached the application, so one retry on a new
            // connection is safe and hides the race (Spring Cloud Gateway's
            // "Connection prematurely closed BEFORE response").
            retried = true;
            cancelTimer();
            endpointDone();
            log.debug("request {}: retrying on a fresh connection after {}", requestId, cause.toString());
            connect(true);
            return;
        }
        Outcome outcome = Failures.outcome(cause);
        if (assigned != null && !responseStarted) {
            assigned.failed(outcome);
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

    /** Ends the exchange with an error: JSON if nothing was sent yet, else a reset. */
    void abort(int status, String message) {
        if (released) {
            return;
        }
        // Answer the client first: resetting the upstream fails its futures, and
        // those must find the exchange already released.
        if (res.headWritten()) {
            release();
            res.reset();
            aborted = true;
            observe();
        } else {
            reject(status, message, hasBody && !req.isEnded());
        }
        resetUpstream();
    }

    private void resetUpstream() {
        if (conn != null) {
            UpstreamConnection c = conn;
            conn = null;
            c.abandon();
        }
    }

    /** Answers with Baton's JSON error; {@code close} drops the connection after it (unread body, bad framing). */
    void reject(int status, String message, boolean close) {
        finish(close, () -> ErrorResponses.send(res, status, message, requestId));
    }

    /**
     * Answers with a response Baton makes itself (a breaker's fallback) without
     * calling an upstream; an unread request body closes the connection after it.
     */
    void answer(int status, Iterable<Map.Entry<String, String>> headers, byte[] body) {
        finish(hasUnreadBody(), () -> {
            headers.forEach(h -> res.headers().add(h.getKey(), h.getValue()));
            res.headers().set("x-request-id", requestId);
            return res.setStatusCode(status).end(Buffer.buffer(body));
        });
    }

    private void finish(boolean close, java.util.function.Supplier<io.vertx.core.Future<Void>> write) {
        release();
        if (res.ended() || res.closed()) {
            observe();
            return;
        }
        corsHeaders(); // a script must be able to read Baton's own errors too
        res.headers().set("date", ctx.dates().now());
        if (close && req.version() != HttpVersion.HTTP_2) {
            res.putHeader("connection", "close");
            ctx.closing().add(req.connection());
        }
        write.get().onComplete(ar -> {
            if (close) {
                if (req.version() == HttpVersion.HTTP_2) {
                    res.reset();
                } else {
                    req.connection().close();
                }
            }
        });
        if (!close) {
            resumeRequest();
        }
        observe();
    }

    /**
     * The client's request broke after its head (a chunk size that is not hex, a bare
     * LF, an HTTP/2 stream reset): nothing more of it may reach the upstream, which
     * sees its connection closed mid-request and so never a whole one.
     */
    private void clientFailed(Throwable cause) {
        if (released) {
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
        if (!released) {
            if (assigned != null && !responseStarted) {
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

    private void reportTry(Outcome outcome, int status) {
        if (!tryReported && upstream != null) {
            tryReported = true;
            try {
                ctx.observer()
                        .tried(this, upstream, outcome, status, ctx.ticker().nanos() - tryStart);
            } catch (RuntimeException e) {
                log.warn("request observer failed: {}", e.toString());
            }
        }
    }

    /** Tells the observer, once, that the request is over. */
    private void observe() {
        if (observed) {
            return;
        }
        observed = true;
        durationNanos = ctx.ticker().nanos() - created;
        finalStatus = res.headWritten() ? res.getStatusCode() : CLIENT_CLOSED;
        finalBytesOut = res.bytesWritten();
        try {
            ctx.observer().completed(this);
        } catch (RuntimeException e) {
            log.warn("request observer failed: {}", e.toString());
        }
    }

    private void armTimer() {
        lastActivity = ctx.ticker().nanos();
        if (deadlineStart == 0 && !bodyPhase) {
            deadlineStart = lastActivity;
        }
        if (deadline == null) {
            deadline = ctx.deadlines().arm(this);
        }
    }

    @Override
    public long lastActivityNanos() {
        return lastActivity;
    }

    /**
     * Until the response starts: the route's timeout is a deadline for the whole
     * exchange, retries included, counted from when the request was sent, and each
     * try also has the retry policy's {@code per-try-timeout}. Once it streams: the
     * longest silence allowed.
     */
    @Override
    public long timeoutNanos() {
        if (bodyPhase && !responseStarted) {
            return snapshot.config().limits().bodyTimeout().toNanos();
        }
        long routeTimeout = TimeUnit.MILLISECONDS.toNanos(route.timeoutMillis());
        if (responseStarted) {
            return routeTimeout;
        }
        long left = routeTimeout - (lastActivity - deadlineStart);
        long perTry = retrying == null ? Long.MAX_VALUE : retrying.perTryTimeoutNanos();
        return Math.max(0, Math.min(perTry, left));
    }

    /**
     * Tries again, elsewhere when possible, after a jittered wait, if the policy,
     * the method, the body, the deadline and the service's retry budget all allow;
     * false leaves the failure to the caller.
     */
    private boolean retryLater(Outcome outcome, int status) {
        if (retrying == null || released || upgrade || responseStarted) {
            return false;
        }
        if (!retrying.allows(outcome, status, sent, bodyComplete)) {
            return false;
        }
        long wait = retrying.nextTry();
        long start = deadlineStart != 0 ? deadlineStart : created;
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(route.timeoutMillis());
        boolean gone = outcome == Outcome.CONNECT_FAILURE || outcome == Outcome.RESET;
        if (ctx.ticker().nanos() + TimeUnit.MILLISECONDS.toNanos(wait) >= deadline
                || !retrying.takeSlot(gone && anotherInstanceAvailable())) {
            return false;
        }
        Upstream previous = upstream;
        cancelTimer();
        endpointDone();
        resetUpstream();
        sent = false;
        log.debug(
                "request {}: try {} of {} after {} ms ({} {})",
                requestId,
                retrying.tries(),
                route.service().id(),
                wait,
                outcome,
                status);
        ctx.vertx().setTimer(Math.max(1, wait), t -> {
            if (!released) {
                avoid = previous;
                connect(false);
            }
        });
        return true;
    }

    /** Whether the service has an available instance besides the one that just failed. */
    private boolean anotherInstanceAvailable() {
        for (Upstream u : route.service().instances()) {
            if (u != upstream && u.endpoint().available()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void idleTimeout() {
        deadline = null;
        if (released) {
            return;
        }
        if (bodyPhase && !responseStarted) {
            long ms = snapshot.config().limits().bodyTimeout().toMillis();
            log.debug("request {}: the client sent no body bytes for {} ms", requestId, ms);
            ctx.violations().count(SecurityViolations.SLOW_CLIENT);
            abort(408, "the request body stalled: no bytes for " + ms + " ms (limits.body-timeout)");
            return;
        }
        long idle = TimeUnit.NANOSECONDS.toMillis(ctx.ticker().nanos() - lastActivity);
        String what = "upstream " + upstream.id() + " (" + upstream.authority() + ")";
        log.warn("request {}: {} sent nothing for {} ms", requestId, what, idle);
        if (!responseStarted) {
            assigned.failed(Outcome.TIMEOUT);
            reportTry(Outcome.TIMEOUT, 0);
            if (retryLater(Outcome.TIMEOUT, 0)) {
                return;
            }
        }
        abort(504, what + " did not answer within " + route.timeoutMillis() + " ms");
    }

    private void cancelTimer() {
        if (deadline != null) {
            ctx.deadlines().disarm(deadline);
            deadline = null;
        }
    }

    void release() {
        if (!released) {
            released = true;
            cancelTimer();
            endpointDone();
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

    HttpServerRequest request() {
        return req;
    }

    boolean released() {
        return released;
    }

    /** The client's address: the peer's, or from X-Forwarded-For behind trusted proxies. */
    @Override
    public String clientAddress() {
        return clientAddress;
    }

    /** On a CORS route, the response headers that let an allowed origin's scripts read it. */
    private void corsHeaders() {
        if (route != null && route.cors() != null && !res.headWritten()) {
            String origin = req.getHeader("origin");
            if (route.cors().allows(origin)) {
                route.cors().response(origin, res.headers());
            }
        }
    }

    /** A body may follow this head (before admission has said so). */
    private static boolean hasBody(HttpServerRequest req) {
        return req.getHeader("content-length") != null || req.getHeader("transfer-encoding") != null;
    }

    /** The verified caller on a JWT route, else null. */
    Caller caller() {
        return caller;
    }

    void caller(Caller verified) {
        caller = verified;
    }

    /** The whole request body was read (for a signature or a JSON check): it goes upstream from memory. */
    void bodyRead(byte[] body) {
        bufferedBody = body;
        bodyComplete = true;
    }

    boolean hasBody() {
        return hasBody;
    }

    HttpServerResponse response() {
        return res;
    }

    long maxBodySize() {
        return snapshot.config().limits().maxBodySize();
    }

    /** A request body follows that nobody has read: answering early must close the connection. */
    boolean hasUnreadBody() {
        return hasBody && !req.isEnded();
    }

    ProxyContext context() {
        return ctx;
    }

    @Override
    public RouteTarget route() {
        return route;
    }

    @Override
    public Upstream upstream() {
        return upstream;
    }

    /** The upstream accepted an upgrade (101): a success for its breaker. */
    void upgraded() {
        assigned.answered(101);
    }

    /** The upstream answered an upgrade with {@code status}: no retries from here. */
    void responseStarted(int status) {
        responseStarted = true;
        assigned.answered(status);
    }

    void failed(Throwable cause) {
        upstreamFailed(cause);
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public String method() {
        return req.method().name();
    }

    @Override
    public String path() {
        return req.path();
    }

    @Override
    public int status() {
        if (observed) {
            return finalStatus;
        }
        return res.headWritten() ? res.getStatusCode() : CLIENT_CLOSED;
    }

    @Override
    public boolean aborted() {
        return aborted;
    }

    @Override
    public long bytesIn() {
        return bufferedBody != null ? bufferedBody.length : bodyBytes;
    }

    @Override
    public long bytesOut() {
        return observed ? finalBytesOut : res.bytesWritten();
    }

    @Override
    public long durationNanos() {
        return durationNanos;
    }

    @Override
    public long upstreamNanos() {
        return upstreamNanos;
    }

    @Override
    public int tries() {
        return tries;
    }

    @Override
    public long startMillis() {
        return startMillis;
    }

    @Override
    public String traceId() {
        if (traceId == null) {
            traceId = traceparent().substring(3, 35);
        }
        return traceId;
    }

    @Override
    public String spanId() {
        return spanId;
    }

    @Override
    public String trySpanId() {
        return trySpanId;
    }

    @Override
    public String parentSpanId() {
        return trace == null ? null : trace.parentId();
    }

    /** The client's valid traceparent, or one started now (sampled) when it sent none. */
    private String traceparent() {
        if (traceparent == null) {
            traceparent = TraceContext.newHeader();
        }
        return traceparent;
    }

    @Override
    public long startNanos() {
        return created;
    }
}
