package dev.baton.proxy.stage;

import dev.baton.control.RouteTransform;
import io.vertx.core.MultiMap;

/**
 * A route's header rewrites: on the request going upstream and on the response
 * coming back. Its path and query rewrites belong to the upstream target, its body
 * mappings to {@link BodyStage} (request) and the response relay (response).
 */
final class TransformStage implements Stage {
    private final RouteTransform transform;

    TransformStage(RouteTransform transform) {
        this.transform = transform;
    }

    @Override
    public void forward(StageContext request, MultiMap headers) {
        transform.request(headers);
    }

    @Override
    public void response(StageContext request, int status, MultiMap headers) {
        transform.response(headers);
    }
}
