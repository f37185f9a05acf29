package dev.baton.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How Baton signs what it sends to a webhook: {@code X-Baton-Signature: sha256=HEX},
 * HEX being HMAC-SHA256 with the webhook's secret over {@code TIMESTAMP + "." +
 * BODY}, with {@code X-Baton-Timestamp} the Unix seconds it was sent. The receiver
 * checks the signature and refuses an old timestamp, so a captured delivery cannot
 * be replayed later. The same for direct webhooks and for those that are
 * subscriptions of the events topic.
 */
public final class WebhookSignature {
    private WebhookSignature() {}

    /** The signature's hex: HMAC-SHA256 with {@code secret} over {@code timestamp + "." + body}. */
    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
