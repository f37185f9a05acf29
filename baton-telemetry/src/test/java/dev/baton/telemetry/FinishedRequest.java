package dev.baton.telemetry;

import dev.baton.config.ConfigLoader;
import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.proxy.ProxiedRequest;
import java.util.Map;

/**
 * A finished request to the {@code orders} route, as the proxy reports it to its
 * observers, with the facts a test varies as components.
 */
record FinishedRequest(String requestId, String path, int status, long startMillis, long durationNanos)
        implements ProxiedRequest {
    /** Arrived now and took 1.5 ms. */
    static FinishedRequest of(String requestId, String path, int status) {
        return new FinishedRequest(requestId, path, status, System.currentTimeMillis(), 1_500_000);
    }

    private static final RouteTarget ROUTE = Snapshot.compile(new ConfigLoader(Map.of()).parse("""
                            services:
                              orders: { instances: [ "http://10.0.0.1:1" ] }
                            routes:
                              - { id: orders, path: /api/**, service: orders }
                            """, "test.yaml"))
            .routeTargets()
            .get(0);

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public RouteTarget route() {
        return ROUTE;
    }

    @Override
    public Upstream upstream() {
        return ROUTE.service().instances().get(0);
    }

    @Override
    public boolean aborted() {
        return false;
    }

    @Override
    public long bytesIn() {
        return 0;
    }

    @Override
    public long bytesOut() {
        return 100;
    }

    @Override
    public long upstreamNanos() {
        return 1_000_000;
    }

    @Override
    public int tries() {
        return 1;
    }

    @Override
    public String clientAddress() {
        return "10.1.2.3";
    }

    @Override
    public String traceId() {
        return "0af7651916cd43dd8448eb211c80319c";
    }

    @Override
    public String spanId() {
        return null;
    }

    @Override
    public String trySpanId() {
        return null;
    }

    @Override
    public String parentSpanId() {
        return null;
    }

    @Override
    public long startNanos() {
        return System.nanoTime();
    }
}
