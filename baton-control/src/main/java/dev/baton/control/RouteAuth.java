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

    /** The outcome of checking a request: the caller may pass, or the request is refused. */
    public sealed interface Verdict permits Passed, Refused {}

    /** The token verifies and the caller has one of the route's roles. */
    public record Passed(Caller caller) implements Verdict {}

    /**
     * The request may not pass: {@code status} 401 when the token is missing or does
     * not verify, 403 when the caller lacks the roles; {@code reason} says which.
     */
    public record Refused(int status, String reason) implements Verdict {}

    /** Checks the request's {@code Authorization: Bearer} token (the header, null when absent) and the caller's roles. */
    public Verdict check(@Nullable String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Refused(401, "a Bearer token is required");
        }
        try {
            Caller caller = verifier.verify(authorization.substring(7).trim());
            if (!caller.hasAnyRole(roles)) {
                return new Refused(403, "one of the roles " + roles + " is required");
            }
            return new Passed(caller);
        } catch (TokenException e) {
            return new Refused(401, e.getMessage());
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
