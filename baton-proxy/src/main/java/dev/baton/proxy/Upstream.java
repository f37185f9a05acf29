package dev.baton.proxy;

import dev.baton.balance.Endpoint;
import java.net.URI;

/**
 * One upstream instance as the data plane uses it: where to connect, the path to
 * prepend, the Host header to send, and its live balancing state.
 */
public record Upstream(String id, String host, int port, String basePath, String authority, Endpoint endpoint) {

    public static Upstream of(String id, URI url, int weight) {
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String base = url.getRawPath() == null ? "" : url.getRawPath();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String host = url.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String authority = port == 80 ? host : host + ":" + port;
        return new Upstream(id, bare, port, base, authority, new Endpoint(id, weight));
    }
}
