package dev.baton.config.internal;

import dev.baton.balance.HashKey;
import dev.baton.config.DependencyGraph;
import dev.baton.config.Durations;
import dev.baton.config.LimitsConfig;
import dev.baton.config.ProcessConfig;
import dev.baton.config.ServiceConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and validates one entry of {@code services:}. */
final class ServiceReader {
    /** Shortest lease: a heartbeat every second is already more than a registry should take. */
    static final Duration MIN_TTL = Duration.ofSeconds(1);

    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern STATUS_RANGE = Pattern.compile("\\s*(\\d{3})\\s*(?:-\\s*(\\d{3})\\s*)?");
    static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}");

    private final boolean leases;
    private final boolean processes;

    /**
     * {@code leases}: whether instances may carry a {@code ttl} (run-time
     * registrations only); {@code processes}: whether a service may have a
     * {@code process:} (the config file only: launching programs is for whoever owns
     * it, never for an API caller or whatever writes discovery files).
     */
    ServiceReader(boolean leases, boolean processes) {
        this.leases = leases;
        this.processes = processes;
    }

    void read(String id, Section parent, Map<String, ServiceConfig> out) {
        if (!ID.matcher(id).matches()) {
            parent.error(id, "service id must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 64 characters)");
        }
        out.put(id, read(id, parent.section(id)));
    }

    /** Reads the definition of service {@code id} from {@code s}, reporting problems to its {@link Problems}. */
    ServiceConfig read(String id, Section s) {
        String name = s.string("name", id);
        String type = s.string("type", "default");
        String balancer = s.string("load-balancer", "round-robin");
        if (!ServiceConfig.LOAD_BALANCERS.contains(balancer)) {
            s.error(
                    "load-balancer",
                    "unknown balancer '" + balancer + "'"
                            + DidYouMean.closest(balancer, ServiceConfig.LOAD_BALANCERS)
                                    .map(k -> " (did you mean '" + k + "'?)")
                                    .orElse(" (expected one of " + String.join(", ", ServiceConfig.LOAD_BALANCERS)
                                            + ")"));
        }
        Optional<String> hashKey = Optional.empty();
        if (s.has("hash-key")) {
            String key = s.string("hash-key", "path");
            if (!balancer.equals("consistent-hash")) {
                s.error("hash-key", "only applies to load-balancer: consistent-hash");
            }
            try {
                HashKey.parse(key);
                hashKey = Optional.of(key);
            } catch (IllegalArgumentException e) {
                s.error("hash-key", Problems.why(e));
            }
        }
        String stickyCookie = s.string("sticky-cookie", "baton-sticky");
        if (s.has("sticky-cookie")) {
            if (!balancer.equals("sticky")) {
                s.error("sticky-cookie", "only applies to load-balancer: sticky");
            }
            if (!COOKIE_NAME.matcher(stickyCookie).matches()) {
                s.error("sticky-cookie", "'" + stickyCookie + "' is not a cookie name (token characters, at most 64)");
            }
        }
        ServiceConfig.OutlierDetection outliers = s.has("outlier-detection")
                ? outliers(s.section("outlier-detection"))
                : ServiceConfig.OutlierDetection.DEFAULT;
        boolean panicMode = s.bool("panic-mode", false);
        List<ServiceConfig.Instance> instances = instances(id, s);
        Optional<ServiceConfig.HealthCheck> health =
                s.has("health-check") ? Optional.of(health(s.section("health-check"))) : Optional.empty();
        Optional<ServiceConfig.CircuitBreaker> breaker = s.has("circuit-breaker")
                ? Optional.of(ResilienceReader.breaker(s.section("circuit-breaker")))
                : Optional.empty();
        Optional<ServiceConfig.Retry> retry =
                s.has("retry") ? Optional.of(ResilienceReader.retry(s.section("retry"))) : Optional.empty();
        Optional<ServiceConfig.RateLimit> limit = s.has("rate-limit")
                ? Optional.of(ResilienceReader.rateLimit(s.section("rate-limit")))
                : Optional.empty();
        Optional<ProcessConfig> process = Optional.empty();
        if (!processes && s.has("process")) {
            s.error("process", "only services in the config file can have a process Baton launches");
        } else if (s.has("process")) {
            process = Optional.of(ProcessReader.process(s.section("process"), instances.size()));
        }
        List<String> dependsOn = s.strings("depends-on");
        Optional<ServiceConfig.UpstreamTls> tls =
                s.has("tls") ? Optional.of(upstreamTls(s.section("tls"), !leases)) : Optional.empty();
        if (tls.isPresent()
                && instances.stream().noneMatch(i -> i.url().getScheme().equalsIgnoreCase("https"))) {
            s.error("tls", "applies to https instances, and this service has none");
        }
        OptionalInt maxConcurrent = s.has("max-concurrent")
                ? OptionalInt.of(s.integer("max-concurrent", 100, 1, 10_000_000))
                : OptionalInt.empty();
        Optional<Duration> timeout = s.has("timeout")
                ? Optional.of(
                        s.duration("timeout", Duration.ofSeconds(30), Duration.ofMillis(1), LimitsConfig.MAX_TIMEOUT))
                : Optional.empty();
        s.finish();
        return new ServiceConfig(
                id,
                name,
                type,
                balancer,
                hashKey,
                stickyCookie,
                outliers,
                panicMode,
                instances,
                health,
                breaker,
                retry,
                limit,
                process,
                dependsOn,
                timeout,
                maxConcurrent,
                tls);
    }

    void checkDependencies(Section services, Map<String, ServiceConfig> all) {
        for (List<String> cycle : DependencyGraph.of(all.values()).cycles()) {
            if (cycle.size() == 2) {
                continue; // a service naming itself: reported below
            }
            services.section(cycle.get(0)).error("depends-on", "forms a cycle: " + String.join(" -> ", cycle));
        }
        for (ServiceConfig svc : all.values()) {
            for (String dep : svc.dependsOn()) {
                if (dep.equals(svc.id())) {
                    services.section(svc.id()).error("depends-on", "names the service itself");
                } else if (!all.containsKey(dep)) {
                    services.section(svc.id())
                            .error(
                                    "depends-on",
                                    "names unknown service '" + dep + "'"
                                            + DidYouMean.closest(dep, all.keySet())
                                                    .map(k -> " (did you mean '" + k + "'?)")
                                                    .orElse(""));
                }
            }
        }
    }

    private static ServiceConfig.OutlierDetection outliers(Section o) {
        ServiceConfig.OutlierDetection d = ServiceConfig.OutlierDetection.DEFAULT;
        var result = new ServiceConfig.OutlierDetection(
                o.integer("consecutive-failures", d.consecutiveFailures(), 0, 1000),
                o.duration("base-ejection-time", d.baseEjectionTime(), Duration.ofMillis(100), Duration.ofHours(1)),
                o.integer("max-ejection-percent", d.maxEjectionPercent(), 0, 100));
        o.finish();
        return result;
    }

    private List<ServiceConfig.Instance> instances(String service, Section s) {
        List<YamlNode> nodes = s.list("instances");
        if (nodes.isEmpty()) {
            s.error("instances", "needs at least one instance with a url");
        }
        List<ServiceConfig.Instance> out = new ArrayList<>();
        Set<URI> seen = new LinkedHashSet<>();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            String path = s.path("instances") + "[" + i + "]";
            YamlNode node = nodes.get(i);
            Optional<URI> url;
            String id = service + "-" + i;
            int weight = 1;
            Optional<String> zone = Optional.empty();
            List<String> tags = List.of();
            Map<String, String> metadata = Map.of();
            Optional<Duration> ttl = Optional.empty();
            if (node instanceof YamlNode.Scalar scalar) {
                url = expand(scalar.text(), node.line(), path, s.problems())
                        .flatMap(u -> upstreamUrl(u, node.line(), path, s.problems()));
            } else {
                Section is = Section.of(node, path, s.problems());
                url = is.string("url").flatMap(u -> upstreamUrl(u, is.line("url"), is.path("url"), s.problems()));
                if (!is.has("url")) {
                    is.error("url", "is required");
                }
                id = is.string("id", id);
                if (!ID.matcher(id).matches()) {
                    is.error("id", "'" + id + "' is not an instance id ([A-Za-z0-9][A-Za-z0-9._-]*, at most 64)");
                }
                weight = is.integer("weight", 1, 0, 1000);
                zone = is.string("zone");
                tags = is.strings("tags");
                metadata = is.stringMap("metadata");
                if (is.has("ttl")) {
                    if (leases) {
                        ttl = Optional.of(is.duration("ttl", Duration.ofSeconds(30), MIN_TTL, Duration.ofDays(1)));
                    } else {
                        is.error(
                                "ttl",
                                "leases are for run-time registrations; instances in the config file do not expire");
                    }
                }
                is.finish();
            }
            if (!ids.add(id)) {
                s.problems().add(node.line(), path, "duplicate instance id '" + id + "'");
            }
            if (url.isPresent()) {
                if (!seen.add(url.get())) {
                    s.problems().add(node.line(), path, "duplicate instance " + url.get());
                }
                out.add(new ServiceConfig.Instance(id, url.get(), weight, zone, tags, metadata, ttl));
            }
        }
        if (!out.isEmpty() && out.stream().allMatch(i -> i.weight() == 0)) {
            s.error("instances", "at least one instance needs a weight above 0");
        }
        return out;
    }

    private static Optional<String> expand(String text, int line, String path, Problems problems) {
        try {
            return Optional.of(Values.expand(text, problems.env()));
        } catch (IllegalArgumentException e) {
            problems.add(line, path, Problems.why(e));
            return Optional.empty();
        }
    }

    static Optional<URI> upstreamUrl(String text, int line, String path, Problems problems) {
        try {
            URI uri = new URI(text.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                problems.add(
                        line,
                        path,
                        "'" + text + "' is not an upstream URL (expected http://host:port or https://host:port)");
                return Optional.empty();
            }
            if (uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
                problems.add(line, path, "'" + text + "' may not have user info, a query or a fragment");
                return Optional.empty();
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            problems.add(line, path, "'" + text + "' is not a valid URL: " + e.getReason());
            return Optional.empty();
        }
    }

    private static ServiceConfig.HealthCheck health(Section s) {
        String type = s.string("type", "http");
        if (!type.equals("http") && !type.equals("tcp")) {
            s.error("type", "'" + type + "' is not a check type (expected http or tcp)");
        }
        String path = s.string("path", "/health");
        if (!path.startsWith("/")) {
            s.error("path", "must start with '/'");
        }
        Duration interval = s.duration("interval", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofHours(1));
        // The default timeout fits the interval: a 1s interval alone is a whole config.
        Duration defaultTimeout = interval.compareTo(Duration.ofSeconds(2)) < 0 ? interval : Duration.ofSeconds(2);
        Duration timeout = s.duration("timeout", defaultTimeout, Duration.ofMillis(10), Duration.ofMinutes(1));
        if (timeout.compareTo(interval) > 0) {
            s.error("timeout", "must not exceed interval (" + Durations.format(interval) + ")");
        }
        int unhealthy = s.integer("unhealthy-threshold", 3, 1, 100);
        int healthy = s.integer("healthy-threshold", 2, 1, 100);
        String expected = s.string("expected-status", "200-399");
        Matcher range = STATUS_RANGE.matcher(expected);
        int min = 200;
        int max = 399;
        if (range.matches()) {
            min = Integer.parseInt(range.group(1));
            max = range.group(2) == null ? min : Integer.parseInt(range.group(2));
        }
        if (!range.matches() || min < 100 || max > 599 || min > max) {
            s.error("expected-status", "'" + expected + "' is not a status or range like 200-399");
        }
        Optional<String> body = s.string("body-contains");
        Optional<Duration> degraded = s.has("degraded-latency")
                ? Optional.of(s.duration("degraded-latency", timeout, Duration.ofMillis(1), Duration.ofMinutes(1)))
                : Optional.empty();
        s.finish();
        return new ServiceConfig.HealthCheck(
                type.equals("tcp"), path, interval, timeout, unhealthy, healthy, min, max, body, degraded);
    }

    /**
     * {@code files}: whether it may name files. A run-time registration may not: its
     * caller would make Baton read, and tell whether it can read, any path on the host.
     */
    private static ServiceConfig.UpstreamTls upstreamTls(Section s, boolean files) {
        if (!files) {
            for (String k : List.of("ca", "cert", "key")) {
                if (s.has(k)) {
                    s.error(
                            k,
                            "a run-time registration cannot name files; give the service its tls: in the"
                                    + " config file");
                }
            }
            Optional<String> serverName = s.string("server-name");
            s.finish();
            return new ServiceConfig.UpstreamTls(Optional.empty(), Optional.empty(), Optional.empty(), serverName);
        }
        Optional<java.nio.file.Path> ca = s.value("ca", s.problems()::path);
        Optional<java.nio.file.Path> cert = s.value("cert", s.problems()::path);
        Optional<java.nio.file.Path> key = s.value("key", s.problems()::path);
        if (cert.isPresent() != key.isPresent()) {
            s.error(cert.isPresent() ? "key" : "cert", "is required for a client certificate (mTLS)");
        }
        for (String k : List.of("ca", "cert", "key")) {
            s.value(k, s.problems()::path)
                    .filter(f -> !java.nio.file.Files.isReadable(f))
                    .ifPresent(f -> s.error(k, "cannot read " + f));
        }
        Optional<String> serverName = s.string("server-name");
        s.finish();
        return new ServiceConfig.UpstreamTls(ca, cert, key, serverName);
    }
}
