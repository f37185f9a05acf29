package dev.baton.proxy;

import dev.baton.control.Prober;
import dev.baton.proxy.internal.upstream.Probes;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Health probes over the same raw Netty connections as the proxy, kept alive between
 * checks: the {@link Prober} the control plane's health checker is given. Checking a
 * thousand instances a second through Vert.x's client cost 7–8% of a core; this costs
 * a fraction of that (see {@code bench/health.sh}).
 */
public final class UpstreamProbes implements Prober.Factory {
    @Override
    public Prober create(Vertx vertx, Context context) {
        return new Probes(vertx, context);
    }
}
