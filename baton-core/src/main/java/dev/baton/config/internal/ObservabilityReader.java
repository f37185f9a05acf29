package dev.baton.config.internal;

import dev.baton.config.AccessLogConfig;
import dev.baton.config.AlertRule;
import dev.baton.config.Durations;
import dev.baton.config.EventsConfig;
import dev.baton.config.ObservabilityConfig;
import dev.baton.config.TracingConfig;
import dev.baton.events.EventFilter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Reads the top-level {@code events:}, {@code metrics:}, {@code access-log:} and {@code stats:} sections. */
final class ObservabilityReader {
    private ObservabilityReader() {}

    static ObservabilityConfig read(Section top) {
        EventsConfig events = events(top.section("events"));
        Section m = top.section("metrics");
        boolean metrics = m.bool("enabled", true);
        m.finish();
        AccessLogConfig accessLog = accessLog(top.section("access-log"));
        Section st = top.section("stats");
        boolean stats = st.bool("enabled", true);
        st.finish();
        TracingConfig tracing = tracing(top.section("tracing"));
        return new ObservabilityConfig(events, metrics, accessLog, stats, tracing, List.of());
    }

    /**
     * The {@code alerts:} list, once services and routes are known: a route target
     * must exist; a service that is not in the file may still register at run time,
     * so it is only warned about in {@code GET /alerts}.
     */
    static List<AlertRule> alerts(Section top, Set<String> routes) {
        List<AlertRule> rules = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        List<YamlNode> nodes = top.list("alerts");
        for (int i = 0; i < nodes.size(); i++) {
            Section s = Section.of(nodes.get(i), "alerts[" + i + "]", top.problems());
            Optional<String> name = s.string("name");
            Optional<String> when = s.string("when");
            String severity = s.string("severity", "warning");
            if (name.isEmpty()) {
                s.error("name", "is required");
            } else if (!names.add(name.get())) {
                s.error("name", "'" + name.get() + "' is used by another alert");
            }
            if (when.isEmpty()) {
                s.error("when", "is required (e.g. 'error-rate(orders) > 5% for 1m')");
            }
            if (name.isPresent() && when.isPresent()) {
                try {
                    AlertRule rule = AlertRule.parse(name.get(), when.get(), severity);
                    if (rule.route() != null && !routes.contains(rule.route())) {
                        s.error("when", "no route '" + rule.route() + "'");
                    } else {
                        rules.add(rule);
                    }
                } catch (IllegalArgumentException e) {
                    s.error("when", Problems.why(e));
                }
            }
            s.finish();
        }
        return rules;
    }

    private static TracingConfig tracing(Section s) {
        TracingConfig d = TracingConfig.OFF;
        Optional<URI> endpoint = s.string("otlp-endpoint").flatMap(u -> {
            try {
                URI uri = new URI(u);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    s.error(
                            "otlp-endpoint",
                            "'" + u + "' is not an http(s) URL (OTLP over HTTP, e.g. http://127.0.0.1:4318)");
                    return Optional.empty();
                }
                String path = uri.getRawPath() == null
                                || uri.getRawPath().isEmpty()
                                || uri.getRawPath().equals("/")
                        ? "/v1/traces"
                        : uri.getRawPath();
                return Optional.of(uri.resolve(path));
            } catch (URISyntaxException e) {
                s.error("otlp-endpoint", "'" + u + "' is not a valid URL: " + e.getReason());
                return Optional.empty();
            }
        });
        double rate = s.number("sample-rate", d.sampleRate(), 0, 1);
        String name = s.string("service-name", d.serviceName());
        java.util.Map<String, String> headers = s.stringMap("headers");
        Duration timeout =
                s.duration("export-timeout", d.exportTimeout(), Duration.ofMillis(100), Duration.ofMinutes(1));
        s.finish();
        return new TracingConfig(endpoint, rate, name, headers, timeout);
    }

    private static EventsConfig events(Section s) {
        EventsConfig d = EventsConfig.DEFAULT;
        int history = s.integer("history", d.history(), 1, 1_000_000);
        Duration heartbeat = s.duration("heartbeat", d.heartbeat(), Duration.ofSeconds(1), Duration.ofMinutes(10));
        double sample = s.number("request-sample", d.requestSample(), 0, 1);
        int failures = s.integer("failures-per-second", d.failuresPerSecond(), 0, 1_000_000);
        List<EventsConfig.Webhook> hooks = new ArrayList<>();
        List<dev.baton.config.internal.YamlNode> nodes = s.list("webhooks");
        for (int i = 0; i < nodes.size(); i++) {
            webhook(Section.of(nodes.get(i), s.path("webhooks") + "[" + i + "]", s.problems()))
                    .ifPresent(hooks::add);
        }
        boolean persist = s.bool("persist", false);
        s.finish();
        return new EventsConfig(history, heartbeat, sample, failures, hooks, persist);
    }

    private static Optional<EventsConfig.Webhook> webhook(Section s) {
        Optional<URI> url = s.string("url").flatMap(u -> {
            try {
                URI uri = new URI(u);
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
                    s.error("url", "'" + u + "' is not an http(s) URL");
                    return Optional.empty();
                }
                return Optional.of(uri);
            } catch (URISyntaxException e) {
                s.error("url", "'" + u + "' is not a valid URL: " + e.getReason());
                return Optional.empty();
            }
        });
        if (!s.has("url")) {
            s.error("url", "is required");
        }
        EventFilter types = types(s);
        Optional<String> secret = s.string("secret");
        secret.filter(x -> x.length() < 16).ifPresent(x -> s.error("secret", "must be at least 16 characters"));
        Duration timeout = s.duration("timeout", Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofMinutes(1));
        int attempts = s.integer("max-attempts", 6, 1, 100);
        Duration backoff = s.duration("backoff", Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofHours(1));
        // The default cap never undercuts a longer backoff the user gave.
        Duration defaultMax = backoff.compareTo(Duration.ofMinutes(5)) > 0 ? backoff : Duration.ofMinutes(5);
        Duration maxBackoff = s.duration("max-backoff", defaultMax, Duration.ofMillis(1), Duration.ofHours(24));
        if (maxBackoff.compareTo(backoff) < 0) {
            s.error("max-backoff", "must be at least backoff (" + Durations.format(backoff) + ")");
        }
        int queue = s.integer("queue", 10_000, 1, 1_000_000);
        s.finish();
        return url.map(u -> new EventsConfig.Webhook(u, types, secret, timeout, attempts, backoff, maxBackoff, queue));
    }

    private static EventFilter types(Section s) {
        try {
            return EventFilter.parse(s.strings("types"));
        } catch (IllegalArgumentException e) {
            s.error("types", Problems.why(e));
            return EventFilter.ALL;
        }
    }

    private static AccessLogConfig accessLog(Section s) {
        AccessLogConfig d = AccessLogConfig.OFF;
        boolean enabled = s.bool("enabled", s.has("file"));
        Optional<Path> file = s.string("file").filter(f -> !f.equals("stdout")).flatMap(f -> {
            try {
                return Optional.of(s.problems().path(f));
            } catch (IllegalArgumentException e) {
                s.error("file", java.util.Objects.requireNonNullElse(e.getMessage(), "is not a valid path"));
                return Optional.empty();
            }
        });
        long maxSize = s.size("max-size", d.maxSize());
        int maxFiles = s.integer("max-files", d.maxFiles(), 0, 1000);
        s.finish();
        return new AccessLogConfig(enabled, file, maxSize, maxFiles);
    }
}
