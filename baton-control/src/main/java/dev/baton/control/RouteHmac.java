package dev.baton.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.baton.config.RouteConfig;
import dev.baton.time.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@code auth.hmac}: the client sends
 * {@code X-Baton-Timestamp} (Unix seconds) and {@code X-Baton-Signature: sha256=<hex>},
 * the HMAC-SHA256 with the shared secret of
 * {@code TIMESTAMP\nMETHOD\nPATH?QUERY\nSHA256-HEX-OF-BODY}. A timestamp outside
 * {@code max-skew}, a wrong signature, or a signature already seen within the window
 * (a replay) gets 401. Seen signatures live in a bounded cache for twice the skew,
 * which covers every timestamp still accepted; it is kept across reloads that leave
 * the route's HMAC settings unchanged. They are forgotten on the ticker it is given.
 */
public final class RouteHmac {
    static final int MAX_REMEMBERED = 1_000_000;

    private final RouteConfig.Hmac config;
    private final SecretKeySpec key;
    private final Cache<String, Boolean> seen;

    public RouteHmac(RouteConfig.Hmac config, Ticker ticker) {
        this.config = config;
        this.key = new SecretKeySpec(config.secret().getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.seen = Caffeine.newBuilder()
                .maximumSize(MAX_REMEMBERED)
                .expireAfterWrite(config.maxSkew().multipliedBy(2).plus(Duration.ofSeconds(1)))
                .ticker(ticker::nanos)
                .build();
    }

    public RouteConfig.Hmac config() {
        return config;
    }

    /**
     * Why the request is not authentic (for a 401); empty when it is.
     * {@code timestamp} and {@code signature} are the request's headers, null when absent.
     */
    public Optional<String> check(
            String method,
            String pathAndQuery,
            @Nullable String timestamp,
            @Nullable String signature,
            byte[] body,
            long nowSeconds) {
        if (timestamp == null || signature == null) {
            return Optional.of("X-Baton-Timestamp and X-Baton-Signature are required");
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return Optional.of("X-Baton-Timestamp must be Unix seconds");
        }
        if (Math.abs(nowSeconds - ts) > config.maxSkew().toSeconds()) {
            return Optional.of("X-Baton-Timestamp is outside the allowed clock skew of "
                    + config.maxSkew().toSeconds() + " s");
        }
        String given = signature.trim();
        if (!given.regionMatches(true, 0, "sha256=", 0, 7)) {
            return Optional.of("X-Baton-Signature must be sha256=<hex>");
        }
        String expected = sign(ts + "\n" + method + "\n" + pathAndQuery + "\n" + sha256Hex(body));
        if (!MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII),
                given.substring(7).toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.of("signature does not match");
        }
        if (seen.asMap().putIfAbsent(expected, Boolean.TRUE) != null) {
            return Optional.of("signature already used (replay)");
        }
        return Optional.empty();
    }

    String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256Hex(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
