package dev.baton.security;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The keys of a JWKS URL as last fetched. Verification reads them from memory and
 * never waits for the network: whoever owns an event loop fetches the set (see
 * {@link #refreshDue}) and hands it over with {@link #update}. A token naming a key
 * id not in the set asks for a refresh, at most one per {@link #MIN_REFRESH}, so a
 * flood of made-up key ids cannot turn into a flood of fetches.
 */
public final class JwksKeys implements JWKSource<SecurityContext> {
    public static final Duration MIN_REFRESH = Duration.ofSeconds(10);
    /** Keys are fetched again this often even when all is well (rotation ahead of use). */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);

    private final String url;
    private final Clock clock;
    private volatile JWKSet keys = new JWKSet();
    private final AtomicReference<Instant> lastFetch = new AtomicReference<>(Instant.EPOCH);

    public JwksKeys(String url, Clock clock) {
        this.url = url;
        this.clock = clock;
    }

    public String url() {
        return url;
    }

    /** Replaces the keys with a fetched JWKS document; ParseException when it is not one. */
    public void update(String jwks) throws ParseException {
        keys = JWKSet.parse(jwks).toPublicJWKSet();
    }

    /**
     * Whether a fetch should start now ({@code unknownKey}: a token named a key we do
     * not have; otherwise the periodic refresh); claims the slot when it says yes.
     */
    public boolean refreshDue(boolean unknownKey) {
        Instant now = clock.instant();
        // Never null: it starts at EPOCH and is only ever set to an instant of the clock.
        Instant last = Objects.requireNonNull(lastFetch.get());
        Duration wait = unknownKey ? MIN_REFRESH : MAX_AGE;
        if (last.plus(wait).isAfter(now)) {
            return false;
        }
        return lastFetch.compareAndSet(last, now);
    }

    /** The Ed25519 key with this key id (an OKP JWK; any, when the id is null), as the JDK's key, or null. */
    public java.security.@Nullable PublicKey ed25519(@Nullable String keyId) {
        for (JWK jwk : keys.getKeys()) {
            if (jwk instanceof com.nimbusds.jose.jwk.OctetKeyPair okp
                    && com.nimbusds.jose.jwk.Curve.Ed25519.equals(okp.getCurve())
                    && (keyId == null || keyId.equals(okp.getKeyID()))) {
                // SubjectPublicKeyInfo for Ed25519 is a fixed 12-byte prefix and the 32 raw bytes.
                byte[] raw = okp.getX().decode();
                byte[] der = new byte[12 + raw.length];
                System.arraycopy(ED25519_PREFIX, 0, der, 0, 12);
                System.arraycopy(raw, 0, der, 12, raw.length);
                try {
                    return java.security.KeyFactory.getInstance("Ed25519")
                            .generatePublic(new java.security.spec.X509EncodedKeySpec(der));
                } catch (java.security.GeneralSecurityException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static final byte[] ED25519_PREFIX = java.util.HexFormat.of().parseHex("302a300506032b6570032100");

    public boolean isEmpty() {
        return keys.getKeys().isEmpty();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        return selector.select(keys);
    }
}
