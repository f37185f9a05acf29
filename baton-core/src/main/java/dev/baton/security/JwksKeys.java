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
import java.util.concurrent.atomic.AtomicReference;

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
    private final AtomicReference<JWKSet> keys = new AtomicReference<>(new JWKSet());
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
        keys.set(JWKSet.parse(jwks).toPublicJWKSet());
    }

    /**
     * Whether a fetch should start now ({@code unknownKey}: a token named a key we do
     * not have; otherwise the periodic refresh); claims the slot when it says yes.
     */
    public boolean refreshDue(boolean unknownKey) {
        Instant now = clock.instant();
        Instant last = lastFetch.get();
        Duration wait = unknownKey ? MIN_REFRESH : MAX_AGE;
        if (last.plus(wait).isAfter(now)) {
            return false;
        }
        return lastFetch.compareAndSet(last, now);
    }

    public boolean isEmpty() {
        return keys.get().getKeys().isEmpty();
    }

    @Override
    public List<JWK> get(JWKSelector selector, SecurityContext context) {
        return selector.select(keys.get());
    }
}
