package dev.baton.config;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * The {@code limits:} section: global ceilings that protect the gateway itself, from
 * large bodies and floods of requests to clients that hold connections open by
 * sending slowly (slowloris) and HTTP/2 connections that reset or open streams faster
 * than anyone serves them.
 *
 * @param maxBodySize largest request body in bytes; larger gets 413
 * @param requestTimeout default time a route waits for an upstream, at most 5 minutes
 * @param maxConcurrentRequests requests in flight over which new ones get 503
 * @param headerTimeout time a client has to send a whole request head; past it, 408 and close
 * @param bodyTimeout longest silence while a request body streams in; past it, 408 and close
 * @param keepAliveTimeout how long an idle connection is kept open between requests
 * @param maxConnections client connections open at once; more are accepted and closed at once
 * @param maxConnectionsPerClient connections one client address may hold open, when set
 * @param http2 the HTTP/2 limits
 */
public record LimitsConfig(
        long maxBodySize,
        Duration requestTimeout,
        int maxConcurrentRequests,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration keepAliveTimeout,
        int maxConnections,
        OptionalInt maxConnectionsPerClient,
        Http2 http2) {

    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    /** The defaults, as an operator would pick them (nginx's client_header_timeout is 60 s; 10 s is stricter). */
    public static final LimitsConfig DEFAULT = new LimitsConfig(
            10L << 20,
            Duration.ofSeconds(30),
            10_000,
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            20_000,
            OptionalInt.empty(),
            Http2.DEFAULT);

    /**
     * HTTP/2 per connection: streams open at once (the SETTINGS the server sends), how
     * many RST_STREAM frames a client may send within {@code resetWindow} before the
     * connection is closed with GOAWAY (the "rapid reset" attack, CVE-2023-44487), and
     * how many SETTINGS, PING and PRIORITY frames a second (floods of frames that make
     * the server work: CVE-2019-9512 and -9515).
     */
    public record Http2(int maxConcurrentStreams, int maxResets, Duration resetWindow, int maxControlFrames) {
        public static final Http2 DEFAULT = new Http2(100, 200, Duration.ofSeconds(30), 500);
    }
}
