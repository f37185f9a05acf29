package dev.baton.telemetry;

import dev.baton.control.RouteTarget;
import dev.baton.control.Upstream;
import dev.baton.proxy.ProxiedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One request's facts for the access log, copied from the request on the event
 * loop into an entry that is reused, and the JSON line the writer makes of them
 * later. Not thread-safe: the batch it sits in is handed from one thread to the
 * other.
 */
final class AccessLogEntry {
    private static final byte[] K_TIME = JsonLine.key("time");
    private static final byte[] K_REQUEST_ID = JsonLine.key("requestId");
    private static final byte[] K_TRACE_ID = JsonLine.key("traceId");
    private static final byte[] K_CLIENT = JsonLine.key("client");
    private static final byte[] K_METHOD = JsonLine.key("method");
    private static final byte[] K_PATH = JsonLine.key("path");
    private static final byte[] K_ROUTE = JsonLine.key("route");
    private static final byte[] K_SERVICE = JsonLine.key("service");
    private static final byte[] K_INSTANCE = JsonLine.key("instance");
    private static final byte[] K_STATUS = JsonLine.key("status");
    private static final byte[] K_BYTES_IN = JsonLine.key("bytesIn");
    private static final byte[] K_BYTES_OUT = JsonLine.key("bytesOut");
    private static final byte[] K_DURATION_MS = JsonLine.key("durationMs");
    private static final byte[] K_UPSTREAM_MS = JsonLine.key("upstreamMs");
    private static final byte[] K_TRIES = JsonLine.key("tries");
    private static final byte[] K_RETRIES = JsonLine.key("retries");
    private static final byte[] K_ABORTED = JsonLine.key("aborted");

    // Null between requests (the entry is reused); route, service and instance also for a request without them.
    private long startMillis;
    private @Nullable String requestId;
    private @Nullable String traceId;
    private @Nullable String client;
    private @Nullable String method;
    private @Nullable String path;
    private @Nullable String route;
    private @Nullable String service;
    private @Nullable String instance;
    private int status;
    private long bytesIn;
    private long bytesOut;
    private long durationNanos;
    private long upstreamNanos;
    private int tries;
    private boolean aborted;

    void capture(ProxiedRequest r) {
        startMillis = r.startMillis();
        requestId = r.requestId();
        traceId = r.traceId();
        client = r.clientAddress();
        method = r.method();
        path = r.path();
        RouteTarget t = r.route();
        route = t == null ? null : t.id();
        service = t == null ? null : t.service().id();
        Upstream u = r.upstream();
        instance = u == null ? null : u.id();
        status = r.status();
        bytesIn = r.bytesIn();
        bytesOut = r.bytesOut();
        durationNanos = r.durationNanos();
        upstreamNanos = r.upstreamNanos();
        tries = r.tries();
        aborted = r.aborted();
    }

    /** Lets go of the request's strings once formatted. */
    void clear() {
        requestId = traceId = client = method = path = route = service = instance = null;
    }

    /** Formats arrival times, rebuilding the text only when the second changes. */
    static final class Timestamps {
        private long second = Long.MIN_VALUE;
        // Empty until the first call; then of the second last formatted.
        private byte[] prefix = new byte[0]; // "2026-11-23T12:12:48. with its opening quote
        private byte[] out = new byte[0];

        byte[] quoted(long epochMillis) {
            long s = Math.floorDiv(epochMillis, 1000);
            if (s != second) {
                String text = Instant.ofEpochSecond(s).toString(); // 2026-11-23T12:12:48Z
                prefix = ("\"" + text.substring(0, text.length() - 1) + ".").getBytes(StandardCharsets.US_ASCII);
                out = new byte[prefix.length + 5];
                System.arraycopy(prefix, 0, out, 0, prefix.length);
                second = s;
            }
            int p = prefix.length;
            int ms = (int) Math.floorMod(epochMillis, 1000);
            out[p] = (byte) ('0' + ms / 100);
            out[p + 1] = (byte) ('0' + ms / 10 % 10);
            out[p + 2] = (byte) ('0' + ms % 10);
            out[p + 3] = 'Z';
            out[p + 4] = '"';
            return out;
        }
    }

    /** Appends this entry's line to {@code j}. */
    void format(JsonLine j, Timestamps times) {
        j.begin()
                .raw(K_TIME, times.quoted(startMillis))
                // Validated on the way in: request ids, hex trace ids, IP addresses and config
                // ids hold nothing to escape, so they are copied without a scan.
                .safe(K_REQUEST_ID, requestId)
                .safe(K_TRACE_ID, traceId)
                .safe(K_CLIENT, client)
                .field(K_METHOD, method)
                .field(K_PATH, path)
                .safe(K_ROUTE, route)
                .safe(K_SERVICE, service)
                .safe(K_INSTANCE, instance)
                .field(K_STATUS, status)
                .field(K_BYTES_IN, bytesIn)
                .field(K_BYTES_OUT, bytesOut)
                .millis(K_DURATION_MS, durationNanos);
        if (upstreamNanos >= 0) {
            j.millis(K_UPSTREAM_MS, upstreamNanos);
        }
        j.field(K_TRIES, tries).field(K_RETRIES, Math.max(0, tries - 1));
        if (aborted) {
            j.field(K_ABORTED, true);
        }
        j.end();
    }
}
