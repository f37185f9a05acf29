package dev.baton.proxy.stage;

import io.vertx.core.MultiMap;

/**
 * One policy of a route in the data plane, as Envoy's HTTP filters are: a route
 * compiles to the list of its stages (see {@link Pipeline}), so a route without
 * policies runs none. A stage is made once per route and shared by every request on
 * it, on every event loop: it keeps nothing of one request in its fields (what must
 * pass from the request side to the response side goes in {@link StageContext#note}).
 *
 * <p>The request side runs in order until a stage answers: {@link Step#next()} goes on
 * to the next stage, {@link Step#respond} ends the request with Baton's JSON error,
 * {@link Step#pause()} waits for work the stage handed to {@link StageContext#await} or
 * {@link StageContext#readBody}, whose continuation gives the next step, back on the
 * request's event loop. The response side runs,
 * in the same order, on the head the upstream answered with, before the client sees it.
 */
public interface Stage {
    /** The request side; by default, nothing to do. */
    default Step request(StageContext request) {
        return Step.next();
    }

    /**
     * The request goes upstream with {@code headers} (already forwarded, hop-by-hop
     * removed), which this stage may change: claims as headers, a transform's rewrites.
     * By default, nothing to do.
     */
    default void forward(StageContext request, MultiMap headers) {}

    /**
     * The response side: the upstream answered {@code status} with {@code headers},
     * which this stage may change. By default, nothing to do.
     */
    default void response(StageContext request, int status, MultiMap headers) {}

    /**
     * Baton answers the request itself (an error or a fallback), with {@code headers}
     * still open to change; by default nothing to add. CORS adds its headers here so
     * that a script can read Baton's own errors too.
     */
    default void answered(StageContext request, MultiMap headers) {}
}
