package dev.baton.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.baton.time.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last good response to each GET of a service, kept for its breaker's
 * {@code fallback.cache}: while the breaker is open, a client asking for a URL
 * seen within the TTL gets that answer instead of an error. Bounded in entries
 * and in body size (Caffeine evicts), since it holds whole bodies in memory.
 * The TTL runs on the ticker it is given.
 */
public final class ResponseCache {
    /** Bodies larger than this are not kept: a fallback is for small, hot reads. */
    public static final int MAX_BODY = 256 * 1024;

    static final int MAX_ENTRIES = 1_000;

    /** One stored answer. */
    public record Entry(int status, List<Map.Entry<String, String>> headers, byte[] body, long storedAtMillis) {}

    private final Cache<String, Entry> cache;

    public ResponseCache(Duration ttl, Ticker ticker) {
        this.cache = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .expireAfterWrite(ttl)
                .ticker(ticker::nanos)
                .build();
    }

    public void put(String key, Entry entry) {
        cache.put(key, entry);
    }

    public Optional<Entry> get(String key) {
        return Optional.ofNullable(cache.getIfPresent(key));
    }
}
