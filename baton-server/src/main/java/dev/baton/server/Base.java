package dev.baton.server;

import dev.baton.config.Config;
import dev.baton.config.ConfigError;
import dev.baton.config.ConfigException;
import dev.baton.control.ControlPlane;
import dev.baton.control.Snapshot;
import dev.baton.events.EventBus;
import dev.baton.lifecycle.Component;
import dev.baton.lifecycle.Lifecycle;
import dev.baton.telemetry.AccessLog;
import dev.baton.telemetry.Alerts;
import dev.baton.telemetry.Metrics;
import dev.baton.telemetry.RequestEvents;
import dev.baton.telemetry.Stats;
import dev.baton.telemetry.Tracing;
import dev.baton.telemetry.Webhooks;
import dev.baton.time.Ticker;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * What a Baton holds from build to close, across its starts: the one clock and the
 * one ticker every component is given, the event bus, the telemetry that observes every request,
 * and the control plane. {@code own} is their lifecycle; {@code run} is the
 * lifecycle each start wires its components into (see {@link Wiring}). Every new
 * snapshot goes to {@code own}'s components, then to {@code run}'s.
 */
record Base(
        Clock clock,
        Ticker ticker,
        Metrics metrics,
        EventBus events,
        AccessLog accessLog,
        RequestEvents requestEvents,
        Tracing tracing,
        Stats stats,
        ControlPlane plane,
        Alerts alerts,
        HttpClient webhookClient,
        Lifecycle<Snapshot> own,
        Lifecycle<Snapshot> run) {

    /**
     * Builds and starts them for {@code initial}; ConfigException when a file the
     * config names does not load. A build that fails leaves no thread behind.
     */
    static Base build(Config initial, Optional<Path> file) {
        // The one clock and the one ticker every component is given, decided in this one place.
        Clock clock = Clock.systemUTC();
        Ticker ticker = Ticker.system();
        Lifecycle<Snapshot> own = new Lifecycle<>();
        Lifecycle<Snapshot> run = new Lifecycle<>();
        try {
            Metrics metrics = own.start(Metrics::new);
            EventBus events =
                    new EventBus(clock, initial.observability().events().history(), metrics.events());
            own.start(() -> Component.closing(events::close));
            metrics.countDiscoveries(events);
            metrics.countProcesses(events);
            AccessLog accessLog =
                    own.start(() -> new AccessLog(initial.observability().accessLog(), ticker));
            RequestEvents requestEvents = own.start(
                    () -> new RequestEvents(events, initial.observability().events(), ticker));
            Tracing tracing = own.start(() -> new Tracing(Baton.version(), ticker));
            tracing.configure(initial.observability().tracing());
            Stats stats = own.start(() -> new Stats(clock));
            metrics.bind("access-log", accessLog.meters());
            metrics.bind("request-events", requestEvents.meters());
            metrics.bind("tracing", tracing.meters());
            ControlPlane plane = controlPlane(initial, file, events, own, run, clock, ticker);
            metrics.bindRegistry(plane::snapshot, plane::health);
            Alerts alerts = own.start(() -> new Alerts(stats, plane::snapshot, plane::health, events, clock));
            alerts.configure(initial.observability().alerts());
            // One for every Baton: the JDK's client cannot be closed, and each holds a thread.
            HttpClient webhookClient = Webhooks.client();
            return new Base(
                    clock,
                    ticker,
                    metrics,
                    events,
                    accessLog,
                    requestEvents,
                    tracing,
                    stats,
                    plane,
                    alerts,
                    webhookClient,
                    own,
                    run);
        } catch (RuntimeException e) {
            own.close().forEach(e::addSuppressed);
            throw e;
        }
    }

    private static ControlPlane controlPlane(
            Config initial,
            Optional<Path> file,
            EventBus events,
            Lifecycle<Snapshot> own,
            Lifecycle<Snapshot> run,
            Clock clock,
            Ticker ticker) {
        try {
            return new ControlPlane(
                    initial,
                    events,
                    next -> {
                        try {
                            own.apply(next);
                        } finally {
                            run.apply(next);
                        }
                    },
                    clock,
                    ticker);
        } catch (IllegalArgumentException e) {
            // Files the config names but that do not load (a TLS key, say): a config error like any other.
            String name = file.map(Path::toString).orElse("config");
            throw new ConfigException(List.of(new ConfigError(name, 1, "", BatonException.why(e))));
        }
    }
}
