package dev.baton.telemetry;

import dev.baton.config.ConfigLoader;
import dev.baton.control.RouteTarget;
import dev.baton.control.Snapshot;
import dev.baton.proxy.ProxiedRequest;
import java.util.Map;

/**
 * A finished request to the {@code orders} route, as the proxy reports it to its
 * observers, with the facts a test varies as parameters.
 */
final class FinishedRequest {
    private FinishedRequest() {}

    private static final RouteTarget ROUTE = Snapshot.compile(new ConfigLoader(Map.of()).parse("""
                            services:
                              orders: { instances: [ "http://10.0.0.1:1" ] }
                            routes:
                              - { id: orders, path: /api/**, service: orders }
                            """, "test.yaml"))
            .routeTargets()
            .get(0);

    /** Arrived now and took 1.5 ms. */
    static ProxiedRequest of(String requestId, String path, int status) {
        return of(requestId, path, status, System.currentTimeMillis(), 1_500_000);
    }

    /** A GET of {@code path} from 10.1.2.3, 100 bytes out, 1 ms upstream, one try. */
    static ProxiedRequest of(String requestId, String path, int status, long startMillis, long durationNanos) {
        return new ProxiedRequest(
                requestId,
                "GET",
                path,
                ROUTE,
                ROUTE.service().instances().get(0),
                status,
                false,
                0,
                100,
                durationNanos,
                1_000_000,
                1,
                "10.1.2.3",
                startMillis,
                "0af7651916cd43dd8448eb211c80319c",
                null,
                null,
                null,
                0);
    }
}
