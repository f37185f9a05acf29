/**
 * The connections to upstream instances: one Netty channel per HTTP/1.1 connection
 * ({@link dev.baton.proxy.internal.upstream.UpstreamConnection}), pooled per event
 * loop and instance ({@link dev.baton.proxy.internal.upstream.UpstreamPool}), the
 * active health probes sent over them, and how a failure of one is classified.
 * Internal to the proxy: it may change in any release.
 */
package dev.baton.proxy.internal.upstream;
