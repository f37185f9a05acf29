package dev.baton.control;

import dev.baton.balance.Endpoint;
import dev.baton.time.Ticker;
import java.net.URI;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One upstream instance as the data plane uses it: where to connect, the path to
 * prepend, the Host header to send, its live balancing state, and for {@code https}
 * instances the TLS to speak ({@code tls} null for plain HTTP).
 */
public record Upstream(
        String id,
        String host,
        int port,
        String basePath,
        String authority,
        Endpoint endpoint,
        @Nullable UpstreamTls tls) {

    /** A plain-HTTP or default-TLS instance whose ejections are timed by the system's monotonic clock. */
    public static Upstream of(String id, URI url, int weight) {
        return of(id, url, weight, null, Ticker.system());
    }

    /**
     * An instance at {@code url}; {@code tls} is used when the URL is https (the
     * default TLS when null), and {@code ticker} times its ejections.
     */
    public static Upstream of(String id, URI url, int weight, @Nullable UpstreamTls tls, Ticker ticker) {
        boolean https = "https".equals(url.getScheme().toLowerCase(Locale.ROOT));
        int defaultPort = https ? 443 : 80;
        int port = url.getPort() < 0 ? defaultPort : url.getPort();
        String base = url.getRawPath() == null ? "" : url.getRawPath();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        String host = url.getHost();
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String authority = port == defaultPort ? host : host + ":" + port;
        return new Upstream(
                id,
                bare,
                port,
                base,
                authority,
                new Endpoint(id, weight, ticker),
                https ? (tls != null ? tls : UpstreamTls.DEFAULT) : null);
    }

    /** The key of this instance's connection pool: TLS and plain connections never mix. */
    public String poolKey() {
        return tls == null ? authority : "https://" + authority;
    }
}
