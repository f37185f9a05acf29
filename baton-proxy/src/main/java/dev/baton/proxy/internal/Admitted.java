package dev.baton.proxy.internal;

import dev.baton.control.RouteTarget;
import dev.baton.proxy.stage.Pipeline;
import io.vertx.core.net.HostAndPort;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link Exchange} knows of its request once it is admitted and through its
 * stages, which is all its {@link UpstreamLeg} and an {@link Upgrades} tunnel read of
 * it: the request id and the header it travels in, the authority the client asked
 * for, the trace, the route, its pipeline and the stages as they ran (empty for a
 * route without any), and when the exchange was made (its ticker's nanoseconds).
 */
record Admitted(
        String requestId,
        String idHeader,
        @Nullable HostAndPort authority,
        TraceState trace,
        RouteTarget route,
        Pipeline pipeline,
        Optional<StageRun> stages,
        long created) {}
