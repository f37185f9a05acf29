package dev.baton.proxy.stage;

import dev.baton.security.IpPolicy;
import dev.baton.security.SecurityViolations;
import java.util.Optional;

/** A route's own IP allow and deny lists, after the gateway's: 403 for a client outside them. */
final class IpStage implements Stage {
    private final IpPolicy policy;

    IpStage(IpPolicy policy) {
        this.policy = policy;
    }

    @Override
    public Step request(StageContext request) {
        String client = request.clientAddress();
        if (policy.permits(client)) {
            return Step.next();
        }
        return Step.respond(
                403,
                "client address " + client + " is not allowed on this route",
                Optional.of(SecurityViolations.IP_DENIED));
    }
}
