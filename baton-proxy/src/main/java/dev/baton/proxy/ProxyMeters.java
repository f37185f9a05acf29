package dev.baton.proxy;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Locale;

/**
 * The data plane's own meters: upstream connections (open, idle, opened, reused,
 * failed), client connections open and closed by reason, requests in flight, and
 * each event loop's lag and pending tasks. Read from the proxy when scraped, so
 * recording them costs the request path nothing.
 */
final class ProxyMeters implements MeterBinder {
    private final ProxyServer proxy;

    ProxyMeters(ProxyServer proxy) {
        this.proxy = proxy;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        ConnectionStats c = proxy.connections();
        Gauge.builder("orchestrator.upstream.connections", c, ConnectionStats::open)
                .description("upstream connections open, by state")
                .tag("state", "open")
                .register(registry);
        Gauge.builder("orchestrator.upstream.connections", c, ConnectionStats::idle)
                .description("upstream connections open, by state")
                .tag("state", "idle")
                .register(registry);
        FunctionCounter.builder("orchestrator.upstream.connections.opened", c, ConnectionStats::openedTotal)
                .description("upstream connections opened")
                .register(registry);
        FunctionCounter.builder("orchestrator.upstream.connections.reused", c, ConnectionStats::reusedTotal)
                .description("requests sent on a pooled connection")
                .register(registry);
        FunctionCounter.builder("orchestrator.upstream.connections.failed", c, ConnectionStats::failedTotal)
                .description("upstream connections that could not be opened")
                .register(registry);
        ClientConnections clients = proxy.clients();
        Gauge.builder("orchestrator.client.connections", clients, ClientConnections::open)
                .description("client connections open on the proxy port")
                .register(registry);
        for (ClientConnections.Closed why : ClientConnections.Closed.values()) {
            FunctionCounter.builder("orchestrator.client.connections.closed", clients, x -> x.closedTotal(why))
                    .description("client connections Baton closed, by reason (a limit or a timeout)")
                    .tag("reason", why.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder("orchestrator.requests.in.flight", proxy, ProxyServer::inFlight)
                .description("requests being proxied")
                .register(registry);
        int loops = proxy.eventLoopLagNanos().size();
        for (int i = 0; i < loops; i++) {
            int loop = i;
            Gauge.builder("orchestrator.event.loop.lag", proxy, p -> lag(p, loop))
                    .description("how late the event loop last ran a timer: time its tasks held it")
                    .baseUnit("seconds")
                    .tag("loop", Integer.toString(loop))
                    .register(registry);
            Gauge.builder("orchestrator.event.loop.pending.tasks", proxy, p -> pending(p, loop))
                    .description("tasks waiting on the event loop")
                    .tag("loop", Integer.toString(loop))
                    .register(registry);
        }
    }

    private static double lag(ProxyServer p, int loop) {
        var lags = p.eventLoopLagNanos();
        return loop < lags.size() ? lags.get(loop) / 1e9 : Double.NaN;
    }

    private static double pending(ProxyServer p, int loop) {
        var pending = p.eventLoopPendingTasks();
        return loop < pending.size() ? pending.get(loop) : Double.NaN;
    }
}
