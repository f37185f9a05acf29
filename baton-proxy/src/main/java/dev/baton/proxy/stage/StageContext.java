package dev.baton.proxy.stage;

import dev.baton.control.RouteTarget;
import dev.baton.security.Caller;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a {@link Stage} sees of one request and may do with it. The data plane's
 * exchange is one; a test gives a fake. Every method is called on the request's
 * event loop, and so are the continuations a stage hands to {@link #await} and
 * {@link #readBody}.
 */
public interface StageContext {
    /** The request's method, as sent. */
    String method();

    /** The request target as sent (path and query). */
    String uri();

    /** The request's headers, as the client sent them: read, never changed. */
    MultiMap headers();

    /** The matched route. */
    RouteTarget route();

    /** The client's address: the peer's, or from X-Forwarded-For behind trusted proxies. */
    String clientAddress();

    /** Whether a body follows the head. */
    boolean hasBody();

    /** The caller a token stage verified, if any. */
    Optional<Caller> caller();

    /** Records the verified caller, for later stages, rate-limit keys and forwarded claims. */
    void caller(Caller verified);

    /** Wall-clock time (signature windows). */
    Clock clock();

    /**
     * Reads the whole request body (at most {@code limits.max-body-size}) and hands it
     * to {@code then} on the event loop; the step {@code then} returns resumes the
     * pipeline. A body over the limit answers 413 without calling {@code then}. The
     * caller returns {@link Step#pause()}.
     */
    void readBody(Function<byte[], Step> then);

    /** The body that goes upstream instead of the one read (a mapping's result). */
    void replaceBody(byte[] body);

    /**
     * Runs {@code work} (on any thread Vert.x chooses), then resumes the pipeline with
     * the step {@code then} makes of its outcome, back on the request's loop, unless
     * the request has ended meanwhile. The caller returns {@link Step#pause()}.
     */
    <T> void await(Future<T> work, Function<io.vertx.core.AsyncResult<T>, Step> then);

    /** For work nobody waits for (a key refresh ahead of need). */
    Vertx vertx();

    /** This loop's Redis rate limiter, when {@code redis.url} was set at start. */
    Optional<RedisRateLimiter> redisLimits();

    /** Keeps {@code value} for this request under {@code key}, for the response side. */
    <T> void note(Class<T> key, T value);

    /** What {@link #note} kept under {@code key}. */
    <T> Optional<T> noted(Class<T> key);
}
