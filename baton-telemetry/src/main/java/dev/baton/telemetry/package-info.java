/**
 * What Baton tells about itself: Prometheus metrics, per-second stats and the alerts
 * they raise, the access log, tracing, request events and webhooks. Everything here
 * observes requests and events through {@link dev.baton.proxy.RequestObserver} and the
 * event bus; nothing on the data plane's path waits for it.
 */
@NullMarked
package dev.baton.telemetry;

import org.jspecify.annotations.NullMarked;
