/**
 * The data plane's public face: {@link dev.baton.proxy.ProxyServer}, which listens and
 * proxies on every event loop, what it reports (connection counts, meters, the
 * immutable {@link dev.baton.proxy.ProxiedRequest} each observer hears of) and the
 * probes it lends the health checker. The exchange itself lives in {@code internal};
 * the route policies in {@code stage}.
 */
@NullMarked
package dev.baton.proxy;

import org.jspecify.annotations.NullMarked;
