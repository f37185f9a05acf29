package dev.baton.config.internal;

import dev.baton.config.Config;
import dev.baton.config.DiscoveryConfig;
import dev.baton.config.HealthConfig;
import dev.baton.config.HostPort;
import dev.baton.config.LimitsConfig;
import dev.baton.config.ObservabilityConfig;
import dev.baton.config.RedisConfig;
import dev.baton.config.RequestIdConfig;
import dev.baton.config.RouteConfig;
import dev.baton.config.SecurityConfig;
import dev.baton.config.ServerConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.config.StoreConfig;
import dev.baton.config.TlsConfig;
import dev.baton.http.FieldSyntax;
import dev.baton.security.Authority;
import dev.baton.security.JwtVerifier;
import dev.baton.security.WebOrigin;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Turns a YAML tree into a {@link Config}, collecting every problem. A key that
 * nothing reads is an error ("unknown key", with a did-you-mean), so that nobody
 * relies on a silently ignored one.
 */
public final class ConfigReader {
    private final Problems problems;

    public ConfigReader(Problems problems) {
        this.problems = problems;
    }

    public Config read(YamlNode root) {
        Section top = Section.of(root, "", problems);
        ServerConfig server = server(top.section("server"));
        LimitsConfig limits = limits(top.section("limits"));
        SecurityConfig security = security(top.section("security"));
        HealthConfig health = health(top.section("health"));
        DiscoveryConfig discovery = discovery(top.section("discovery"));
        RedisConfig redis = redis(top.section("redis"));
        Optional<StoreConfig> store = StoreReader.read(top);
        ObservabilityConfig observability = ObservabilityReader.read(top);

        Map<String, ServiceConfig> services = new LinkedHashMap<>();
        Section servicesSection = top.section("services");
        ServiceReader serviceReader = new ServiceReader(false, true);
        for (String id : servicesSection.keys()) {
            serviceReader.read(id, servicesSection, services);
        }
        servicesSection.finish();
        serviceReader.checkDependencies(servicesSection, services);

        List<RouteConfig> routes = new ArrayList<>();
        RouteReader routeReader = new RouteReader(limits.requestTimeout(), true);
        List<YamlNode> routeNodes = top.list("routes");
        for (int i = 0; i < routeNodes.size(); i++) {
            routeReader.read(Section.of(routeNodes.get(i), "routes[" + i + "]", problems), i, services, routes);
        }
        Map<String, dev.baton.config.SagaConfig> sagas = SagaReader.read(top, services);
        dev.baton.config.QueuesConfig queues = QueueReader.read(top, services);
        observability = observability.withAlerts(ObservabilityReader.alerts(
                top, routes.stream().map(RouteConfig::id).collect(java.util.stream.Collectors.toSet())));
        top.finish();
        if (security.jwt().isEmpty()) {
            for (int i = 0; i < routes.size(); i++) {
                if (routes.get(i).auth().filter(RouteConfig.Auth::jwt).isPresent()) {
                    problems.add(
                            routeNodes.get(i).line(),
                            "routes[" + i + "].auth.jwt",
                            "needs security.jwt (a secret or public-key to verify tokens with)");
                }
            }
        }
        boolean needsRedis = services.values().stream()
                        .anyMatch(sv -> sv.rateLimit().filter(l -> l.redis()).isPresent())
                || routes.stream()
                        .anyMatch(r -> r.rateLimit().filter(l -> l.redis()).isPresent());
        if (needsRedis && redis.url().isEmpty()) {
            top.error("redis", "rate limits with store: redis need redis.url (e.g. redis://127.0.0.1:6379)");
        }
        return new Config(
                server,
                limits,
                security,
                health,
                discovery,
                redis,
                store,
                observability,
                services,
                routes,
                sagas,
                queues,
                problems.warnings());
    }

    private ServerConfig server(Section s) {
        HostPort listen = s.value("listen", HostPort::parse).orElse(ServerConfig.DEFAULT_LISTEN);
        HostPort admin = s.value("admin", HostPort::parse).orElse(ServerConfig.DEFAULT_ADMIN);
        Path dataDir = s.value("data-dir", problems::path).orElse(problems.path("data"));
        boolean orchestratorPath = s.bool("orchestrator-path", true);
        int eventLoops = s.integer("event-loops", 0, 0, 1024);
        Duration grace = s.duration("shutdown-grace", Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(10));
        if (listen.port() != 0 && listen.equals(admin)) {
            s.error("admin", "must differ from server.listen (" + listen + ")");
        }
        Optional<TlsConfig> tls = s.has("tls") ? Optional.of(tls(s.section("tls"))) : Optional.empty();
        RequestIdConfig requestId = s.has("request-id") ? requestId(s.section("request-id")) : RequestIdConfig.DEFAULT;
        s.finish();
        return new ServerConfig(listen, admin, dataDir, orchestratorPath, eventLoops, grace, tls, requestId);
    }

    /** Headers Baton sets or checks itself, which cannot carry the request id as well. */
    private static final Set<String> RESERVED_HEADERS = Set.of(
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "upgrade",
            "te",
            "trailer",
            "keep-alive",
            "proxy-connection",
            "expect",
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "traceparent",
            "authorization",
            "cookie",
            "set-cookie");

    private static RequestIdConfig requestId(Section s) {
        String header = s.string("header", "X-Request-ID");
        String lower = header.toLowerCase(java.util.Locale.ROOT);
        if (!FieldSyntax.isToken(header)) {
            s.error("header", "'" + header + "' is not a header name");
        } else if (RESERVED_HEADERS.contains(lower)) {
            s.error("header", "'" + header + "' is a header Baton sets or checks itself; choose another");
        }
        String invalid = s.string("invalid", "reject");
        if (!invalid.equals("reject") && !invalid.equals("replace")) {
            s.error("invalid", "'" + invalid + "' is not a choice (expected reject or replace)");
        }
        s.finish();
        return new RequestIdConfig(header, lower, invalid.equals("replace"));
    }

    private TlsConfig tls(Section s) {
        Optional<Path> cert = s.value("cert", problems::path);
        Optional<Path> key = s.value("key", problems::path);
        Optional<Path> pkcs12 = s.value("pkcs12", problems::path);
        Optional<String> password = s.string("password");
        boolean pem = cert.isPresent() || key.isPresent();
        if (pem == pkcs12.isPresent()) {
            s.error("cert", "give either cert and key (PEM) or pkcs12 (with password), not both or neither");
        } else if (pem && (cert.isEmpty() || key.isEmpty())) {
            s.error(cert.isEmpty() ? "cert" : "key", "is required with " + (cert.isEmpty() ? "key" : "cert"));
        }
        for (String k : List.of("cert", "key", "pkcs12")) {
            s.value(k, problems::path)
                    .filter(p -> !java.nio.file.Files.isReadable(p))
                    .ifPresent(p -> s.error(k, "cannot read " + p));
        }
        List<String> protocols = s.strings("protocols");
        for (String p : protocols) {
            if (!p.equals("TLSv1.2") && !p.equals("TLSv1.3")) {
                s.error("protocols", "'" + p + "' is not offered (expected TLSv1.2 or TLSv1.3)");
            }
        }
        s.finish();
        return new TlsConfig(
                cert, key, pkcs12, password, protocols.isEmpty() ? List.of("TLSv1.2", "TLSv1.3") : protocols);
    }

    private static RedisConfig redis(Section s) {
        Optional<URI> url = s.string("url").flatMap(u -> {
            try {
                URI uri = new URI(u);
                if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme()) || uri.getHost() == null) {
                    s.error("url", "'" + u + "' is not a Redis URL (expected redis://host:port)");
                    return Optional.empty();
                }
                return Optional.of(uri);
            } catch (java.net.URISyntaxException e) {
                s.error("url", "'" + u + "' is not a valid URL: " + e.getReason());
                return Optional.empty();
            }
        });
        Duration timeout =
                s.duration("timeout", RedisConfig.NONE.timeout(), Duration.ofMillis(1), Duration.ofSeconds(30));
        boolean failOpen = s.bool("fail-open", true);
        s.finish();
        return new RedisConfig(url, timeout, failOpen);
    }

    private DiscoveryConfig discovery(Section s) {
        DiscoveryConfig d = new DiscoveryConfig(s.value("files", problems::path));
        s.finish();
        return d;
    }

    /** Reads a discovery file: a mapping of service ids to definitions, as under {@code services:}. */
    public Map<String, ServiceConfig> readServices(YamlNode root) {
        Map<String, ServiceConfig> services = new LinkedHashMap<>();
        Section s = Section.of(root, "", problems);
        ServiceReader reader = new ServiceReader(false, false);
        for (String id : s.keys()) {
            reader.read(id, s, services);
        }
        s.finish();
        return services;
    }

    private static HealthConfig health(Section s) {
        int max = s.integer("max-concurrent-checks", HealthConfig.DEFAULT.maxConcurrentChecks(), 1, 10_000);
        s.finish();
        return new HealthConfig(max);
    }

    private static LimitsConfig limits(Section s) {
        LimitsConfig d = LimitsConfig.DEFAULT;
        long maxBody = s.size("max-body-size", d.maxBodySize());
        Duration timeout =
                s.duration("request-timeout", d.requestTimeout(), Duration.ofMillis(1), LimitsConfig.MAX_TIMEOUT);
        int maxConcurrent = s.integer("max-concurrent-requests", d.maxConcurrentRequests(), 1, 10_000_000);
        Duration hour = Duration.ofHours(1);
        Duration headerTimeout = s.duration("header-timeout", d.headerTimeout(), Duration.ofMillis(100), hour);
        Duration bodyTimeout = s.duration("body-timeout", d.bodyTimeout(), Duration.ofMillis(100), hour);
        Duration keepAlive = s.duration("keep-alive-timeout", d.keepAliveTimeout(), Duration.ofSeconds(1), hour);
        int maxConnections = s.integer("max-connections", d.maxConnections(), 1, 10_000_000);
        OptionalInt perClient = s.has("max-connections-per-client")
                ? OptionalInt.of(s.integer("max-connections-per-client", 0, 1, 10_000_000))
                : OptionalInt.empty();
        Section h2 = s.section("http2");
        LimitsConfig.Http2 h2d = LimitsConfig.Http2.DEFAULT;
        LimitsConfig.Http2 http2 = new LimitsConfig.Http2(
                h2.integer("max-concurrent-streams", h2d.maxConcurrentStreams(), 1, 10_000),
                h2.integer("max-resets", h2d.maxResets(), 1, 1_000_000),
                h2.duration("reset-window", h2d.resetWindow(), Duration.ofSeconds(1), hour),
                h2.integer("max-control-frames", h2d.maxControlFrames(), 10, 1_000_000));
        h2.finish();
        s.finish();
        return new LimitsConfig(
                maxBody,
                timeout,
                maxConcurrent,
                headerTimeout,
                bodyTimeout,
                keepAlive,
                maxConnections,
                perClient,
                http2);
    }

    private static SecurityConfig security(Section s) {
        Optional<SecurityConfig.Jwt> jwt = Optional.empty();
        if (s.has("jwt")) {
            Section j = s.section("jwt");
            Optional<String> secret = j.string("secret");
            Optional<String> jwksUrl = j.string("jwks-url");
            Optional<String> publicKey = j.string("public-key");
            int given = (secret.isPresent() ? 1 : 0) + (jwksUrl.isPresent() ? 1 : 0) + (publicKey.isPresent() ? 1 : 0);
            if (given != 1) {
                s.error("jwt", "needs exactly one of secret, jwks-url or public-key, but " + given + " were given");
            }
            secret.filter(x -> x.length() < 32)
                    .ifPresent(x -> j.error("secret", "must be at least 32 characters for HS256"));
            jwksUrl.filter(u -> !u.matches("https?://[^\\s]+"))
                    .ifPresent(u -> j.error("jwks-url", "'" + u + "' is not an http(s) URL"));
            publicKey.ifPresent(pem -> {
                try {
                    JwtVerifier.pem(pem);
                } catch (IllegalArgumentException e) {
                    j.error("public-key", Problems.why(e));
                }
            });
            jwt = Optional.of(new SecurityConfig.Jwt(
                    secret,
                    jwksUrl,
                    publicKey,
                    j.string("issuer"),
                    j.string("audience"),
                    j.string("roles-claim", "roles")));
            j.finish();
        }
        boolean adminAuth = s.bool("admin-auth", false);
        if (adminAuth && jwt.isEmpty()) {
            s.error("admin-auth", "needs security.jwt to verify the admin API's tokens");
        }
        List<String> ipAllow = cidrs(s, "ip-allow");
        List<String> ipDeny = cidrs(s, "ip-deny");
        List<String> trusted = cidrs(s, "trusted-proxies");
        List<String> adminOrigins = checked(s, "admin-origins", WebOrigin::parse);
        List<String> adminHosts = checked(s, "admin-hosts", Authority::parse);
        Map<String, Set<String>> roles = new LinkedHashMap<>(SecurityConfig.DEFAULT_ROLES);
        if (s.has("roles")) {
            Section r = s.section("roles");
            for (String role : r.keys()) {
                Set<String> perms = new LinkedHashSet<>(r.strings(role));
                for (String perm : perms) {
                    if (!SecurityConfig.PERMISSIONS.contains(perm)) {
                        r.error(
                                role,
                                "unknown permission '" + perm + "' (expected one of "
                                        + String.join(", ", new java.util.TreeSet<>(SecurityConfig.PERMISSIONS)) + ")");
                    }
                }
                roles.put(role, perms);
            }
            r.finish();
        }
        s.finish();
        return new SecurityConfig(jwt, adminAuth, ipAllow, ipDeny, trusted, roles, adminOrigins, adminHosts);
    }

    /** A list whose every item {@code parse} accepts; each it refuses is reported, all kept as written. */
    private static List<String> checked(Section s, String key, java.util.function.Function<String, ?> parse) {
        List<String> list = s.strings(key).stream().map(String::trim).toList();
        for (String item : list) {
            try {
                parse.apply(item);
            } catch (IllegalArgumentException e) {
                s.error(key, Problems.why(e));
            }
        }
        return list;
    }

    static List<String> cidrs(Section s, String key) {
        List<String> list = s.strings(key);
        for (String c : list) {
            try {
                Cidrs.check(c);
            } catch (IllegalArgumentException e) {
                s.error(key, Problems.why(e));
            }
        }
        return list;
    }
}
