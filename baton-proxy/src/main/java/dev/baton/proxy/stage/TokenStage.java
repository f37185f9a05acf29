package dev.baton.proxy.stage;

import dev.baton.control.JwksFetcher;
import dev.baton.control.RouteAuth;
import dev.baton.security.JwksKeys;
import dev.baton.security.JwtVerifier;
import dev.baton.security.SecurityViolations;
import io.vertx.core.MultiMap;
import java.util.Optional;

/**
 * A route's Bearer token (JWT) check: 401 with {@code WWW-Authenticate} for a missing
 * or invalid token, 403 for a caller without the roles. A token signed with a key the
 * route's JWKS does not have yet fetches the keys (at most one fetch per interval),
 * then is checked again: key rotation costs one slower request, never a wrong 401 or
 * a blocked loop. Upstream, the caller's claims become headers as the route says.
 */
final class TokenStage implements Stage {
    private final RouteAuth auth;

    TokenStage(RouteAuth auth) {
        this.auth = auth;
    }

    @Override
    public Step request(StageContext request) {
        return check(request, false);
    }

    private Step check(StageContext request, boolean refreshed) {
        RouteAuth.Verdict verdict = auth.check(request.headers().get("authorization"));
        JwksKeys jwks = auth.jwks().orElse(null);
        if (jwks != null
                && verdict instanceof RouteAuth.Refused refused
                && refused.status() == 401
                && !refreshed
                && JwtVerifier.UNKNOWN_KEY.equals(refused.reason())
                && jwks.refreshDue(true)) {
            request.await(JwksFetcher.fetch(request.vertx(), jwks), done -> check(request, true));
            return Step.pause();
        }
        if (jwks != null && jwks.refreshDue(false)) {
            JwksFetcher.fetch(request.vertx(), jwks); // refresh ahead; nobody waits for it
        }
        if (verdict instanceof RouteAuth.Refused refused) {
            return refused.status() == 401
                    ? Step.respond(401, refused.reason(), Optional.of(SecurityViolations.INVALID_TOKEN))
                            .withHeader("www-authenticate", "Bearer realm=\"baton\", error=\"invalid_token\"")
                    : Step.respond(refused.status(), refused.reason(), Optional.of(SecurityViolations.FORBIDDEN_ROLE));
        }
        if (verdict instanceof RouteAuth.Passed passed) {
            request.caller(passed.caller());
        }
        return Step.next();
    }

    @Override
    public void forward(StageContext request, MultiMap headers) {
        request.caller().ifPresent(caller -> auth.forward(caller, headers));
    }
}
