package dev.baton.control;

import dev.baton.config.RouteConfig;
import dev.baton.security.Caller;
import dev.baton.security.JwtVerifier;
import dev.baton.security.TokenException;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@code auth: { jwt: true, ... }}, compiled: the verifier, the roles of
 * which the caller needs one, and what goes upstream. Claims named in
 * {@code forward-claims} travel as headers, and a client's own headers of those
 * names are dropped so nobody can claim to be someone by sending them; the
 * {@code Authorization} header stays behind unless {@code forward-token}.
 */
public final class RouteAuth {
    private final JwtVerifier verifier;
    private final List<String> roles;
    private final Map<String, String> forwardClaims;
    private final boolean forwardToken;

    public RouteAuth(JwtVerifier verifier, RouteConfig.Auth auth) {
        this.verifier = verifier;
        this.roles = auth.roles();
        this.forwardClaims = auth.forwardClaims();
        this.forwardToken = auth.forwardToken();
    }

    /** The JWKS keys behind this route's tokens, when the verifier uses a jwks-url. */
    public java.util.Optional<dev.baton.security.JwksKeys> jwks() {
        return verifier.jwks();
    }

    /**
     * The outcome of checking a request: the caller, or the status and reason to refuse it with.
     *
     * @param caller the verified caller; null when the token is missing or does not verify
     * @param status 0 when the request may pass, else 401 or 403
     * @param reason why it may not pass; null when it may
     */
    public record Verdict(
            @Nullable Caller caller, int status, @Nullable String reason) {}

    /** Checks the request's {@code Authorization: Bearer} token (the header, null when absent) and the caller's roles. */
    public Verdict check(@Nullable String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Verdict(null, 401, "a Bearer token is required");
        }
        try {
            Caller caller = verifier.verify(authorization.substring(7).trim());
            if (!caller.hasAnyRole(roles)) {
                return new Verdict(caller, 403, "one of the roles " + roles + " is required");
            }
            return new Verdict(caller, 0, null);
        } catch (TokenException e) {
            return new Verdict(null, 401, e.getMessage());
        }
    }

    /** Shapes the upstream request's headers for a verified caller. */
    public void forward(Caller caller, MultiMap headers) {
        if (!forwardToken) {
            headers.remove("authorization");
        }
        forwardClaims.forEach((claim, header) -> {
            headers.remove(header);
            Object value = caller.claims().get(claim);
            if (value instanceof List<?> list) {
                headers.set(
                        header,
                        String.join(",", list.stream().map(String::valueOf).toList()));
            } else if (value != null) {
                headers.set(header, String.valueOf(value));
            }
        });
    }
}
