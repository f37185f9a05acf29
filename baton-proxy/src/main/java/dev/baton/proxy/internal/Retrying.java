package dev.baton.proxy.internal;

import dev.baton.config.ServiceConfig;
import dev.baton.control.RouteTarget;
import dev.baton.control.ServiceTarget;
import dev.baton.proxy.internal.upstream.Failures;
import dev.baton.resilience.Backoff;
import dev.baton.resilience.Outcome;
import dev.baton.resilience.RetryBudget;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * One exchange's retries under its service's {@code retry:} policy: whether an
 * outcome may be retried (attempts left, {@code retry-on}, a safe method, a
 * replayable body), the jittered wait, the budget slot, and the copy of the
 * request body that a retry sends again. Confined to the exchange's event loop.
 */
final class Retrying {
    private final ServiceConfig.Retry policy;
    private final RetryBudget budget;
    private final boolean methodAllowed;
    private final @Nullable ByteArrayOutputStream body; // a copy of the body, to send it again
    private boolean bodyTooLarge;
    private boolean streamed;
    private int tries = 1;
    private boolean holdsSlot;
    private boolean ended;

    private Retrying(ServiceConfig.Retry policy, RetryBudget budget, boolean methodAllowed, boolean hasBody) {
        this.policy = policy;
        this.budget = budget;
        this.methodAllowed = methodAllowed;
        this.body = hasBody ? new ByteArrayOutputStream() : null;
        budget.requestStarted();
    }

    /** The retry state of a request on {@code route}, or null when its service does not retry. */
    static @Nullable Retrying of(RouteTarget route, HttpServerRequest req, boolean hasBody) {
        ServiceTarget service = route.service();
        ServiceConfig.Retry policy = service.config().retry().orElse(null);
        RetryBudget budget = service.retryBudget().orElse(null); // there is one exactly when there is a policy
        if (policy == null || policy.attempts() < 2 || budget == null) {
            return null;
        }
        boolean allowed = idempotent(req.method())
                || policy.methods().contains(req.method().name())
                || route.retryMethods().contains(req.method().name())
                || req.headers().contains("idempotency-key");
        return new Retrying(policy, budget, allowed, hasBody);
    }

    /**
     * Whether a request that failed on a reused pooled connection before any response
     * goes once more on a fresh one, whatever the route's policy: the upstream closed
     * the connection while idle, racing with the request, so nothing reached the
     * application and a bodiless idempotent request is safe to send again. This hides
     * the race (Spring Cloud Gateway's "Connection prematurely closed BEFORE response").
     */
    static boolean onFreshConnection(HttpServerRequest req, boolean hasBody, Throwable cause) {
        return !hasBody && idempotent(req.method()) && Failures.isStaleConnection(cause);
    }

    static boolean idempotent(HttpMethod m) {
        return m == HttpMethod.GET
                || m == HttpMethod.HEAD
                || m == HttpMethod.OPTIONS
                || m == HttpMethod.PUT
                || m == HttpMethod.DELETE
                || m == HttpMethod.TRACE;
    }

    /** The client's body has started to flow upstream: from now on only the kept copy can go again. */
    void streaming() {
        streamed = true;
    }

    /** Keeps a copy of request body bytes going upstream on the first try, up to {@code body-buffer}. */
    void copy(byte[] bytes) {
        if (body == null || bodyTooLarge || tries > 1) {
            return;
        }
        if (body.size() + (long) bytes.length > policy.bodyBuffer()) {
            bodyTooLarge = true;
            body.reset();
        } else {
            body.writeBytes(bytes);
        }
    }

    /** The whole request body, for a retry to send again (empty for a request without one). */
    byte[] body() {
        return body == null ? new byte[0] : body.toByteArray();
    }

    /**
     * Whether this outcome may be retried. {@code sent}: the request reached the
     * upstream, so only a safe method may go again; a request that never left
     * (refused or timed-out connect) may always. {@code bodyComplete}: the client's
     * whole body is here and kept.
     */
    boolean allows(Outcome outcome, int status, boolean sent, boolean bodyComplete) {
        if (tries >= policy.attempts()) {
            return false;
        }
        ServiceConfig.FailureOn on = policy.retryOn();
        boolean wanted = !sent
                ? on.connect()
                : switch (outcome) {
                    case ANSWERED -> on.statuses().contains(status);
                    case CONNECT_FAILURE -> on.connect();
                    case TIMEOUT -> on.timeout();
                    case RESET -> on.reset();
                };
        if (!wanted || (sent && !methodAllowed)) {
            return false;
        }
        // A body not yet read can still be streamed; one that was needs the whole kept copy.
        return body == null || !streamed || (bodyComplete && !bodyTooLarge);
    }

    /** Whether a response with this status might be retried (so its head must wait). */
    boolean retriesStatus(int status) {
        return tries < policy.attempts() && policy.retryOn().statuses().contains(status);
    }

    /**
     * Takes the budget slot this exchange's retries share; false when the budget is
     * spent. {@code elsewhere}: the try failed because its instance is gone and
     * another is available, which the budget lets through (see {@link RetryBudget#retryElsewhere}).
     */
    boolean takeSlot(boolean elsewhere) {
        if (!holdsSlot) {
            if (elsewhere) {
                budget.retryElsewhere();
                holdsSlot = true;
            } else {
                holdsSlot = budget.tryRetry();
            }
        }
        return holdsSlot;
    }

    /**
     * The wait in milliseconds before the next try, which it counts, when the policy,
     * the method, the body ({@link #allows}), the exchange's {@code deadline} on the
     * ticker (now {@code now}) and the budget all allow it; -1 when they do not.
     * {@code anotherInstance}: whether the service has an available instance besides
     * the one that failed, asked only when the instance is gone.
     */
    long retryWait(
            Outcome outcome,
            int status,
            boolean sent,
            boolean bodyComplete,
            long now,
            long deadline,
            java.util.function.BooleanSupplier anotherInstance) {
        if (!allows(outcome, status, sent, bodyComplete)) {
            return -1;
        }
        long wait = nextTry();
        boolean gone = outcome == Outcome.CONNECT_FAILURE || outcome == Outcome.RESET;
        if (now + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(wait) >= deadline
                || !takeSlot(gone && anotherInstance.getAsBoolean())) {
            return -1;
        }
        return wait;
    }

    /** Whether {@code service} has an available instance besides {@code failed}. */
    static boolean anotherInstanceAvailable(ServiceTarget service, dev.baton.control.Upstream failed) {
        for (dev.baton.control.Upstream u : service.instances()) {
            if (u != failed && u.endpoint().available()) {
                return true;
            }
        }
        return false;
    }

    /** Counts the next try and returns its jittered wait in milliseconds. */
    long nextTry() {
        tries++;
        return Backoff.fullJitterMillis(policy.backoff(), policy.maxBackoff(), tries - 1, ThreadLocalRandom.current());
    }

    int tries() {
        return tries;
    }

    /** Each try's limit to start answering, or Long.MAX_VALUE. */
    long perTryTimeoutNanos() {
        return policy.perTryTimeout().map(d -> d.toNanos()).orElse(Long.MAX_VALUE);
    }

    /** The exchange is over: give back what it holds of the budget. Once only. */
    void ended() {
        if (!ended) {
            ended = true;
            budget.requestEnded();
            if (holdsSlot) {
                budget.retryEnded();
            }
        }
    }
}
