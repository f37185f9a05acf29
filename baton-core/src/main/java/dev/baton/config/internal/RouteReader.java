package dev.baton.config.internal;

import dev.baton.config.JsonMapping;
import dev.baton.config.LimitsConfig;
import dev.baton.config.RouteConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.routing.PathPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reads and validates one entry of {@code routes:}. */
final class RouteReader {
    static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");

    /** Connection-level headers that must never carry a claim. */
    private static final class HopByHop {
        static final Set<String> NAMES = Set.of(
                "connection",
                "keep-alive",
                "proxy-authenticate",
                "proxy-authorization",
                "te",
                "trailer",
                "transfer-encoding",
                "upgrade",
                "content-length");
    }

    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    private final Duration defaultTimeout;
    private final boolean files;
    private final Set<String> ids = new HashSet<>();

    /**
     * {@code files}: whether a route may name a file to read (a JSON Schema). Only the
     * config file's may: a route from an admin request must not make the gateway read
     * its disk, whose contents a parse error would echo back.
     */
    RouteReader(Duration defaultTimeout, boolean files) {
        this.defaultTimeout = defaultTimeout;
        this.files = files;
    }

    void read(Section s, int index, Map<String, ServiceConfig> services, List<RouteConfig> out) {
        String id = s.string("id", "route-" + index);
        if (!ServiceReader.ID.matcher(id).matches()) {
            s.error("id", "route id must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 64 characters)");
        } else if (!ids.add(id)) {
            s.error("id", "duplicate route id '" + id + "'");
        }
        Optional<String> path = s.string("path");
        if (path.isEmpty()) {
            s.error("path", "is required");
        } else {
            try {
                PathPattern.parse(path.get());
            } catch (IllegalArgumentException e) {
                s.error("path", Problems.why(e));
            }
        }
        Optional<String> host = s.string("host").map(h -> h.toLowerCase(Locale.ROOT));
        host.filter(h -> !HOST.matcher(h).matches())
                .ifPresent(h ->
                        s.error("host", "'" + h + "' is not a host name (expected api.example.com or *.example.com)"));
        Optional<String> service = s.string("service");
        if (service.isEmpty()) {
            s.error("service", "is required");
        } else if (!services.containsKey(service.get())) {
            // Services may register at run time, as lb://name routes in Spring Cloud
            // Gateway wait for theirs: the route answers 503 until one does.
            s.warn(
                    "service",
                    "service '" + service.get() + "' is not defined here; the route answers 503 until it registers"
                            + DidYouMean.closest(service.get(), services.keySet())
                                    .map(k -> " (did you mean '" + k + "'?)")
                                    .orElse(""));
        }
        Optional<String> strip = s.string("strip-prefix");
        strip.filter(p -> !p.startsWith("/")).ifPresent(p -> s.error("strip-prefix", "must start with '/'"));
        Set<String> methods = methods(s, "methods");
        Optional<RouteConfig.Auth> auth = s.has("auth") ? Optional.of(auth(s.section("auth"))) : Optional.empty();
        List<String> ipAllow = ConfigReader.cidrs(s, "ip-allow");
        List<String> ipDeny = ConfigReader.cidrs(s, "ip-deny");
        Optional<Duration> timeout = s.has("timeout")
                ? Optional.of(s.duration("timeout", defaultTimeout, Duration.ofMillis(1), LimitsConfig.MAX_TIMEOUT))
                : Optional.empty();
        boolean preserveHost = s.bool("preserve-host", false);
        Set<String> retryMethods = methods(s, "retry-methods");
        if (!retryMethods.isEmpty()
                && service.isPresent()
                && services.containsKey(service.get())
                && services.get(service.get()).retry().isEmpty()) {
            s.error("retry-methods", "service '" + service.get() + "' has no retry: policy to apply them to");
        }
        Optional<ServiceConfig.RateLimit> limit = s.has("rate-limit")
                ? Optional.of(ResilienceReader.rateLimit(s.section("rate-limit")))
                : Optional.empty();
        Optional<RouteConfig.Cors> cors = s.has("cors") ? Optional.of(cors(s.section("cors"))) : Optional.empty();
        Optional<RouteConfig.Transform> transform =
                s.has("transform") ? Optional.of(transform(s.section("transform"))) : Optional.empty();
        Optional<RouteConfig.Validation> validate =
                s.has("validate") ? Optional.of(validation(s.section("validate"), files)) : Optional.empty();
        s.finish();
        out.add(new RouteConfig(
                id,
                path.orElse("/"),
                host,
                service.orElse(""),
                strip,
                methods,
                auth,
                ipAllow,
                ipDeny,
                timeout,
                preserveHost,
                limit,
                retryMethods,
                cors,
                validate,
                transform));
    }

    /** Headers whose edits would break framing or the connection: never transformable. */
    private static final Set<String> FRAMING =
            Set.of("content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer");

    private static RouteConfig.Transform transform(Section s) {
        RouteConfig.HeaderEdits reqHeaders = RouteConfig.HeaderEdits.NONE;
        Optional<String> pattern = Optional.empty();
        String replacement = "";
        Map<String, String> querySet = Map.of();
        List<String> queryRemove = List.of();
        Optional<JsonMapping> requestBody = Optional.empty();
        Optional<JsonMapping> responseBody = Optional.empty();
        if (s.has("request")) {
            Section r = s.section("request");
            if (r.has("headers")) {
                reqHeaders = headerEdits(r.section("headers"));
            }
            if (r.has("path")) {
                Section p = r.section("path");
                pattern = p.string("pattern");
                if (pattern.isEmpty()) {
                    p.error("pattern", "is required (a regular expression matched against the upstream path)");
                } else {
                    try {
                        java.util.regex.Pattern.compile(pattern.get());
                    } catch (java.util.regex.PatternSyntaxException e) {
                        p.error("pattern", "invalid regular expression: " + e.getDescription());
                    }
                }
                replacement = p.string("replacement", "");
                if (!replacement.startsWith("/")) {
                    p.error("replacement", "must start with '/'");
                }
                p.finish();
            }
            if (r.has("query")) {
                Section q = r.section("query");
                querySet = q.stringMap("set");
                queryRemove = q.strings("remove");
                q.finish();
            }
            if (r.has("body")) {
                requestBody = Optional.of(jsonMapping(r.section("body")));
            }
            r.finish();
        }
        RouteConfig.HeaderEdits resHeaders = RouteConfig.HeaderEdits.NONE;
        if (s.has("response")) {
            Section r = s.section("response");
            if (r.has("headers")) {
                resHeaders = headerEdits(r.section("headers"));
            }
            if (r.has("body")) {
                responseBody = Optional.of(jsonMapping(r.section("body")));
            }
            r.finish();
        }
        s.finish();
        return new RouteConfig.Transform(
                reqHeaders, resHeaders, pattern, replacement, querySet, queryRemove, requestBody, responseBody);
    }

    private static JsonMapping jsonMapping(Section s) {
        Map<String, String> rename = s.stringMap("rename");
        List<String> remove = s.strings("remove");
        Map<String, String> set = s.stringMap("set");
        List<String> pointers = new ArrayList<>(rename.keySet());
        pointers.addAll(remove);
        pointers.addAll(set.keySet());
        for (String p : pointers) {
            JsonMapping.pointerProblem(p).ifPresent(problem -> s.error("body", problem));
        }
        Optional<String> wrap = s.string("wrap");
        long max = s.size("max-size", 1 << 20);
        s.finish();
        return new JsonMapping(rename, remove, set, wrap, max);
    }

    private static RouteConfig.HeaderEdits headerEdits(Section s) {
        Map<String, String> add = s.stringMap("add");
        Map<String, String> set = s.stringMap("set");
        List<String> remove = s.strings("remove");
        Map<String, String> rename = s.stringMap("rename");
        List<String> names = new ArrayList<>(add.keySet());
        names.addAll(set.keySet());
        names.addAll(remove);
        names.addAll(rename.keySet());
        names.addAll(rename.values());
        for (String name : names) {
            if (!HEADER.matcher(name).matches()) {
                s.error("headers", "'" + name + "' is not a header name");
            } else if (FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
                s.error("headers", name + " frames the message and cannot be transformed");
            }
        }
        // Values go out as they are: a line break in one would start a header of its own.
        java.util.stream.Stream.of(add, set).flatMap(m -> m.entrySet().stream()).forEach(e -> {
            if (!dev.baton.http.FieldSyntax.isValue(e.getValue())) {
                s.error(
                        add.containsKey(e.getKey()) ? "add" : "set",
                        "the value of " + e.getKey() + " holds a control character (CR, LF, NUL or another below"
                                + " space) or a character past Latin-1");
            }
        });
        s.finish();
        return new RouteConfig.HeaderEdits(add, set, remove, rename);
    }

    private static RouteConfig.Validation validation(Section s, boolean files) {
        OptionalInt url = s.has("max-url-length")
                ? OptionalInt.of(s.integer("max-url-length", 2048, 16, 1_000_000))
                : OptionalInt.empty();
        OptionalInt headers =
                s.has("max-headers") ? OptionalInt.of(s.integer("max-headers", 100, 1, 10_000)) : OptionalInt.empty();
        OptionalLong headerBytes =
                s.has("max-header-size") ? OptionalLong.of(s.size("max-header-size", 8192)) : OptionalLong.empty();
        Set<String> types = new java.util.LinkedHashSet<>();
        for (String t : s.strings("content-types")) {
            if (!t.matches("[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+*-]+")) {
                s.error("content-types", "'" + t + "' is not a media type (type/subtype)");
            }
            types.add(t.toLowerCase(Locale.ROOT));
        }
        boolean json = false;
        int depth = 32;
        Optional<String> schema = Optional.empty();
        if (s.has("json")) {
            json = true;
            Section j = s.section("json");
            depth = j.integer("max-depth", 32, 1, 1000);
            if (!files && j.has("schema")) {
                j.error(
                        "schema",
                        "a route added through the admin API cannot read files; define it in the config file");
            }
            Optional<java.nio.file.Path> file = files ? j.value("schema", j.problems()::path) : Optional.empty();
            if (file.isPresent()) {
                try {
                    String text = java.nio.file.Files.readString(file.get());
                    new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
                    schema = Optional.of(text);
                } catch (java.io.IOException e) {
                    j.error("schema", "cannot read JSON Schema '" + file.get() + "': " + firstLine(e.getMessage()));
                }
            }
            j.finish();
        }
        s.finish();
        return new RouteConfig.Validation(url, headers, headerBytes, types, json, depth, schema);
    }

    private static String firstLine(@Nullable String m) {
        return m == null ? "unreadable" : m.lines().findFirst().orElse("unreadable");
    }

    private static RouteConfig.Cors cors(Section s) {
        List<String> origins = s.strings("allow-origins");
        if (origins.isEmpty()) {
            s.error("allow-origins", "is required (origins such as https://app.example.com, or \"*\")");
        }
        for (String o : origins) {
            if (!o.equals("*") && !o.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                s.error("allow-origins", "'" + o + "' is not an origin (scheme://host[:port], no path) or *");
            }
        }
        Set<String> methods = methods(s, "allow-methods");
        List<String> headers = s.strings("allow-headers");
        List<String> expose = s.strings("expose-headers");
        for (String key : List.of("allow-headers", "expose-headers")) {
            for (String h : key.equals("allow-headers") ? headers : expose) {
                if (!h.equals("*") && !HEADER.matcher(h).matches()) {
                    s.error(key, "'" + dev.baton.http.FieldSyntax.printable(h) + "' is not a header name");
                }
            }
        }
        boolean credentials = s.bool("allow-credentials", false);
        if (credentials && origins.contains("*")) {
            s.error(
                    "allow-credentials",
                    "cannot be combined with allow-origins: * (browsers refuse it); list the origins");
        }
        Duration maxAge = s.duration("max-age", Duration.ofMinutes(10), Duration.ZERO, Duration.ofDays(1));
        s.finish();
        return new RouteConfig.Cors(
                origins,
                methods.isEmpty() ? Set.of("GET", "HEAD", "POST") : methods,
                headers,
                expose,
                credentials,
                maxAge);
    }

    static Set<String> methods(Section s, String key) {
        Set<String> methods = new LinkedHashSet<>();
        for (String m : s.strings(key)) {
            String upper = m.trim().toUpperCase(Locale.ROOT);
            if (!METHODS.contains(upper)) {
                s.error(
                        key,
                        "unknown method '" + m
                                + "' (expected one of GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE)");
            } else {
                methods.add(upper);
            }
        }
        return methods;
    }

    private static RouteConfig.Auth auth(Section s) {
        boolean jwt = s.bool("jwt", false);
        List<String> roles = s.strings("roles");
        Optional<RouteConfig.Hmac> hmac = Optional.empty();
        if (s.has("hmac")) {
            Section h = s.section("hmac");
            Optional<String> secret = h.string("secret");
            if (secret.isEmpty()) {
                h.error("secret", "is required");
            } else if (secret.get().length() < 32) {
                // As for an HS256 JWT secret: a short one can be guessed offline from one signed request.
                h.error("secret", "must be at least 32 characters");
            }
            Duration skew = h.duration("max-skew", Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofHours(1));
            h.finish();
            hmac = Optional.of(new RouteConfig.Hmac(secret.orElse(""), skew));
        }
        if (jwt && hmac.isPresent()) {
            s.error("hmac", "a route uses either jwt or hmac, not both");
        }
        if (!roles.isEmpty() && !jwt) {
            s.error("roles", "roles need jwt: true");
        }
        Map<String, String> forward = s.stringMap("forward-claims");
        forward.forEach((claim, header) -> {
            if (!HEADER.matcher(header).matches()) {
                s.error("forward-claims", "'" + header + "' is not a header name");
            } else if (HopByHop.NAMES.contains(header.toLowerCase(Locale.ROOT))
                    || header.equalsIgnoreCase("host")
                    || header.equalsIgnoreCase("authorization")) {
                s.error("forward-claims", "claim '" + claim + "' may not be sent as " + header);
            }
        });
        boolean forwardToken = s.bool("forward-token", false);
        if ((!forward.isEmpty() || forwardToken) && !jwt) {
            s.error(forward.isEmpty() ? "forward-token" : "forward-claims", "needs jwt: true");
        }
        s.finish();
        return new RouteConfig.Auth(jwt, roles, hmac, forward, forwardToken);
    }
}
