package dev.baton.control;

import dev.baton.balance.RequestKey;
import dev.baton.resilience.Outcome;
import dev.baton.time.Ticker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Calls that Baton itself makes to services (saga steps, pushed messages), through
 * what the proxy uses too: the service's balancer picks the instance (healthy, not
 * ejected), its breaker must allow the call, a retry takes a slot of its retry
 * budget, and the outcome is recorded to both, so these calls' failures open the
 * breaker like a client's. An answer's body is read up to {@link #MAX_BODY}; a
 * larger one fails the call. Instances with TLS are called with the service's own
 * CA, client certificate and server name.
 */
public final class ServiceCalls implements AutoCloseable {
    public static final int MAX_BODY = 256 * 1024;
    static final int MAX_HEADERS = 64;

    /** A call to make: {@code path} is below the instance's base path; {@code body}, when present, is sent as {@code contentType}. */
    public record Request(
            String service,
            String method,
            String path,
            Map<String, String> headers,
            Optional<byte[]> body,
            String contentType) {
        public Request {
            headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }
    }

    /** How a call ended. */
    public sealed interface Result permits Answered, Failed {}

    /** The service answered; {@code retryAfter} is what its Retry-After said, if anything. */
    public record Answered(
            int status,
            Map<String, String> headers,
            byte[] body,
            @Nullable Duration retryAfter) implements Result {}

    /** No answer: {@code sent} when the request may have reached the service (its outcome is unknown). */
    public record Failed(Kind kind, boolean sent, String error) implements Result {}

    /** Why a call had no answer. */
    public enum Kind {
        /** No service of that name, or no instance to take it: nothing was sent. */
        UNAVAILABLE,
        /** The service's breaker refuses, or its retry budget is spent: wait, without counting an attempt. */
        HELD_BACK,
        CONNECT,
        TIMEOUT,
        RESET
    }

    /** A call on its way; {@link #abort} ends it as failed with {@code kind}, as its timeout does. */
    public static final class Call {
        private final Future<Result> result;
        private final Runnable abort;

        Call(Future<Result> result, Runnable abort) {
            this.result = result;
            this.abort = abort;
        }

        /** How it ended. */
        public Future<Result> result() {
            return result;
        }

        /** Ends it as failed (a timeout), if it has not ended yet. */
        public void abort() {
            abort.run();
        }
    }

    private final HttpClient client;
    private final Supplier<Snapshot> snapshots;
    private final Ticker ticker;
    private final java.time.Clock clock;

    public ServiceCalls(Vertx vertx, Supplier<Snapshot> snapshots, Ticker ticker, java.time.Clock clock) {
        this.clock = clock;
        this.client = vertx.createHttpClient(new HttpClientOptions()
                .setKeepAlive(true)
                .setConnectTimeout(5000)
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(32 * 1024));
        this.snapshots = snapshots;
        this.ticker = ticker;
    }

    /**
     * Whether the service holds calls back now, and why: its breaker is open, or for
     * a {@code retry} its retry budget has no slot. A caller checks before it counts
     * an attempt, so that a wait spends none; {@link #send} checks again.
     */
    public Optional<String> heldBack(String service, boolean retry) {
        ServiceTarget target = snapshots.get().services().get(service);
        if (target == null) {
            return Optional.empty();
        }
        if (retry && target.retryBudget().filter(b -> !b.allowsRetry()).isPresent()) {
            return Optional.of("the retry budget of '" + service + "' is spent");
        }
        boolean open = target.breakers()
                .state()
                .filter(s -> s == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN
                        || s == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.FORCED_OPEN)
                .isPresent();
        return open ? Optional.of("the circuit breaker of '" + service + "' is open") : Optional.empty();
    }

    /**
     * Sends {@code request}; {@code timeout} is a backstop to the caller's own. A
     * {@code retry} takes a slot of the service's retry budget, as the proxy's retries
     * do, or is refused without a call while none is free.
     */
    public Call send(Request request, Duration timeout, boolean retry) {
        ServiceTarget target = snapshots.get().services().get(request.service());
        if (target == null) {
            return done(new Failed(Kind.UNAVAILABLE, false, "no service '" + request.service() + "' is registered"));
        }
        ServiceTarget.Pick pick = target.pick(RequestKey.NONE);
        if (pick instanceof ServiceTarget.Shed) {
            return done(
                    new Failed(Kind.HELD_BACK, false, "the circuit breaker of '" + request.service() + "' is open"));
        }
        if (!(pick instanceof ServiceTarget.Picked picked)) {
            return done(new Failed(
                    Kind.UNAVAILABLE, false, "no instance of service '" + request.service() + "' is available"));
        }
        Upstream u = picked.upstream();
        var budget = target.retryBudget();
        if (retry && budget.isPresent() && !budget.get().tryRetry()) {
            target.abandoned(u);
            return done(new Failed(Kind.HELD_BACK, false, "the retry budget of '" + request.service() + "' is spent"));
        }
        budget.ifPresent(b -> b.requestStarted());
        long started = ticker.nanos();
        Promise<Result> promise = Promise.promise();
        AtomicBoolean settled = new AtomicBoolean();
        AtomicBoolean sent = new AtomicBoolean();
        Holder<HttpClientRequest> out = new Holder<>();
        Runnable abort = () -> {
            if (settled.compareAndSet(false, true)) {
                target.failed(u, Outcome.TIMEOUT, ticker.nanos() - started);
                HttpClientRequest r = out.value;
                if (r != null) {
                    r.reset();
                }
                promise.tryComplete(
                        new Failed(Kind.TIMEOUT, sent.get(), "no answer within " + timeout.toMillis() + " ms"));
            }
        };
        RequestOptions options = new RequestOptions()
                .setHost(u.host())
                .setPort(u.port())
                .setMethod(HttpMethod.valueOf(request.method()))
                .setURI(u.basePath() + request.path())
                .setIdleTimeout(timeout.toMillis() + 5000)
                .putHeader("host", u.authority());
        request.headers().forEach(options::putHeader);
        var tls = u.tls();
        if (tls != null) {
            // The service's own CA, client certificate and server name, as the proxy uses them.
            options.setSsl(true).setSslOptions(tls.vertxOptions());
            // A configured server name is what SNI carries and the certificate is checked against;
            // the connection still goes to the instance's address.
            tls.serverName()
                    .ifPresent(name -> options.setHost(name)
                            .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(u.port(), u.host())));
        }
        client.request(options)
                .onFailure(e -> {
                    if (settled.compareAndSet(false, true)) {
                        target.failed(u, Outcome.CONNECT_FAILURE, ticker.nanos() - started);
                        promise.tryComplete(new Failed(
                                Kind.CONNECT, false, "cannot connect to " + u.authority() + ": " + message(e)));
                    }
                })
                .onSuccess(req -> {
                    out.value = req;
                    if (settled.get()) {
                        req.reset();
                        return;
                    }
                    req.exceptionHandler(e -> {
                        if (settled.compareAndSet(false, true)) {
                            target.failed(u, Outcome.RESET, ticker.nanos() - started);
                            promise.tryComplete(new Failed(
                                    Kind.RESET,
                                    sent.get(),
                                    "the connection to " + u.authority() + " broke: " + message(e)));
                        }
                    });
                    req.response().onSuccess(resp -> read(resp, target, u, started, settled, promise));
                    sent.set(true);
                    if (request.body().isPresent()) {
                        req.putHeader("content-type", request.contentType());
                        req.end(Buffer.buffer(request.body().get()));
                    } else {
                        req.end();
                    }
                });
        Future<Result> result = promise.future()
                .onComplete(ar -> budget.ifPresent(b -> {
                    b.requestEnded();
                    if (retry) {
                        b.retryEnded();
                    }
                }));
        return new Call(result, abort);
    }

    private void read(
            HttpClientResponse resp,
            ServiceTarget target,
            Upstream u,
            long started,
            AtomicBoolean settled,
            Promise<Result> promise) {
        Buffer body = Buffer.buffer();
        resp.handler(chunk -> {
            if (body.length() + chunk.length() > MAX_BODY) {
                if (settled.compareAndSet(false, true)) {
                    target.answered(u, resp.statusCode(), ticker.nanos() - started);
                    resp.request().reset();
                    promise.tryComplete(
                            new Failed(Kind.RESET, true, "the answer's body is over " + MAX_BODY + " bytes"));
                }
                return;
            }
            body.appendBuffer(chunk);
        });
        resp.exceptionHandler(e -> {
            if (settled.compareAndSet(false, true)) {
                target.failed(u, Outcome.RESET, ticker.nanos() - started);
                promise.tryComplete(
                        new Failed(Kind.RESET, true, "the answer from " + u.authority() + " broke off: " + message(e)));
            }
        });
        resp.endHandler(v -> {
            if (!settled.compareAndSet(false, true)) {
                return;
            }
            target.answered(u, resp.statusCode(), ticker.nanos() - started);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : resp.headers().names()) {
                if (headers.size() < MAX_HEADERS) {
                    String value = String.join(", ", resp.headers().getAll(name));
                    headers.put(
                            name.toLowerCase(Locale.ROOT), value.length() > 1000 ? value.substring(0, 1000) : value);
                }
            }
            promise.tryComplete(new Answered(
                    resp.statusCode(),
                    headers,
                    body.getBytes(),
                    retryAfter(resp.getHeader("retry-after"), clock.instant())));
        });
    }

    /** Retry-After as seconds or as an HTTP date; null when absent or neither. */
    public static @Nullable Duration retryAfter(@Nullable String value, Instant now) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.matches("\\d{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Instant at =
                    ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(now, at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static Call done(Result r) {
        return new Call(Future.succeededFuture(r), () -> {});
    }

    @Override
    public void close() {
        client.close();
    }

    /** A slot filled later, read by the abort. */
    private static final class Holder<T> {
        volatile @Nullable T value;
    }
}
