package dev.baton.proxy.stage;

import dev.baton.control.CorsPolicy;
import io.vertx.core.MultiMap;

/**
 * A route's cross-origin policy on responses: the headers that let an allowed
 * origin's scripts read the answer, the upstream's and Baton's own alike. Preflights
 * never reach the pipeline: the exchange answers them from the same policy.
 */
final class CorsStage implements Stage {
    private final CorsPolicy cors;

    CorsStage(CorsPolicy cors) {
        this.cors = cors;
    }

    @Override
    public void response(StageContext request, int status, MultiMap headers) {
        answered(request, headers);
    }

    @Override
    public void answered(StageContext request, MultiMap headers) {
        String origin = request.headers().get("origin");
        if (origin != null && cors.allows(origin)) {
            cors.response(origin, headers);
        }
    }
}
