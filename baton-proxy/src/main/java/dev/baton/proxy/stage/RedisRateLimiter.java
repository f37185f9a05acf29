package dev.baton.proxy.stage;

import dev.baton.config.RedisConfig;
import dev.baton.control.RateLimitPolicy;
import dev.baton.resilience.RateDecision;
import dev.baton.time.Ticker;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster-wide rate limits ({@code store: redis}): the whole check is one atomic
 * Lua script in Redis, the same GCRA as {@code TokenBuckets}, timed by Redis's own
 * clock so that nodes with skewed clocks still share one limit. One client per
 * event loop, so answers come back on the exchange's loop. When Redis is down or
 * slower than {@code redis.timeout}, the request passes ({@code fail-open}, the
 * default) or is refused with 503.
 */
public final class RedisRateLimiter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisRateLimiter.class);

    /** KEYS[1] bucket; ARGV[1] microseconds per token; ARGV[2] burst. Returns {allowed, remaining, reset us, retry-after us}. */
    static final String SCRIPT = """
            local interval = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local tolerance = interval * burst
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local tat = tonumber(redis.call('GET', KEYS[1]))
            if not tat or tat < now then tat = now end
            local nxt = tat + interval
            if nxt - now > tolerance then
              return {0, 0, tat - now, nxt - now - tolerance}
            end
            redis.call('SET', KEYS[1], string.format('%d', nxt), 'PX', math.ceil((nxt - now) / 1000) + 1000)
            return {1, math.floor((tolerance - (nxt - now)) / interval), nxt - now, 0}
            """;

    static final String SHA = sha1(SCRIPT);

    private final Redis redis;
    private final long timeoutMillis;
    private final boolean failOpen;
    private final Ticker ticker;
    private final AtomicLong lastWarning = new AtomicLong();

    public RedisRateLimiter(Vertx vertx, RedisConfig config, Ticker ticker) {
        this.ticker = ticker;
        this.redis = Redis.createClient(
                vertx,
                new RedisOptions()
                        .setConnectionString(config.url().orElseThrow().toString())
                        .setMaxPoolSize(4)
                        .setMaxWaitingHandlers(100_000));
        this.timeoutMillis = config.timeout().toMillis();
        this.failOpen = config.failOpen();
    }

    /** Takes a token from {@code key}'s bucket of {@code policy}, answering on the caller's event loop. */
    public Future<RateDecision> check(RateLimitPolicy policy, String key) {
        long interval = Math.max(1, Math.round(1_000_000d / policy.config().requestsPerSecond()));
        String bucket = "baton:rl:" + policy.name() + ":" + key;
        int burst = policy.config().burst();
        return redis.send(Request.cmd(Command.EVALSHA, SHA, 1, bucket, interval, burst))
                .recover(e -> String.valueOf(e.getMessage()).startsWith("NOSCRIPT")
                        ? redis.send(Request.cmd(Command.EVAL, SCRIPT, 1, bucket, interval, burst))
                        : Future.failedFuture(e))
                .timeout(timeoutMillis, TimeUnit.MILLISECONDS)
                .map(r -> decision(r, burst))
                .recover(e -> {
                    long now = ticker.nanos();
                    long last = lastWarning.get();
                    if (now - last > TimeUnit.SECONDS.toNanos(10) && lastWarning.compareAndSet(last, now)) {
                        log.warn(
                                "rate limit {} not checked, Redis failed ({}); requests {}",
                                policy.name(),
                                e.toString(),
                                failOpen ? "pass" : "are refused");
                    }
                    return failOpen ? Future.succeededFuture(null) : Future.failedFuture(e);
                });
    }

    private static RateDecision decision(@Nullable Response r, int burst) {
        return new RateDecision(
                number(r, 0) == 1,
                burst,
                (int) number(r, 1),
                TimeUnit.MICROSECONDS.toNanos(number(r, 2)),
                TimeUnit.MICROSECONDS.toNanos(number(r, 3)));
    }

    /** Item {@code i} of the script's reply; a reply not of four numbers fails the check as Redis failing would. */
    private static long number(@Nullable Response r, int i) {
        Long n = r == null || r.size() <= i ? null : r.get(i).toLong();
        if (n == null) {
            throw new IllegalStateException("unexpected reply from the rate-limit script: " + r);
        }
        return n;
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        redis.close();
    }
}
