package dev.baton.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One entry of {@code routes:}: which requests go to which service, and how.
 *
 * @param path an exact path, a {@code /**} prefix, with {@code *} or {@code {param}} segments
 * @param host exact host or {@code *.example.com}; empty means any host
 * @param methods allowed methods in upper case; empty means all
 * @param preserveHost forward the client's Host header instead of the upstream's
 * @param retryMethods methods this route lets its service's {@code retry:} repeat
 *     besides the idempotent ones (a POST route whose handler is idempotent)
 */
public record RouteConfig(
        String id,
        String path,
        Optional<String> host,
        String service,
        Optional<String> stripPrefix,
        Set<String> methods,
        Optional<Auth> auth,
        List<String> ipAllow,
        List<String> ipDeny,
        Optional<Duration> timeout,
        boolean preserveHost,
        Optional<ServiceConfig.RateLimit> rateLimit,
        Set<String> retryMethods,
        Optional<Cors> cors,
        Optional<Validation> validate,
        Optional<Transform> transform) {

    public RouteConfig {
        methods = Set.copyOf(methods);
        retryMethods = Set.copyOf(retryMethods);
        ipAllow = List.copyOf(ipAllow);
        ipDeny = List.copyOf(ipDeny);
    }

    /**
     * Route authentication: a JWT carrying one of {@code roles} (any valid token when
     * empty), or an HMAC request signature. {@code forwardClaims} maps claims to the
     * headers they are sent upstream in; the {@code Authorization} header itself goes
     * upstream only with {@code forwardToken}.
     */
    public record Auth(
            boolean jwt,
            List<String> roles,
            Optional<Hmac> hmac,
            Map<String, String> forwardClaims,
            boolean forwardToken) {
        public Auth {
            roles = List.copyOf(roles);
            forwardClaims = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(forwardClaims));
        }
    }

    public record Hmac(String secret, Duration maxSkew) {}

    /** Header edits: add (another value), set (replace), remove, rename; applied in that order after rename. */
    public record HeaderEdits(
            Map<String, String> add, Map<String, String> set, List<String> remove, Map<String, String> rename) {
        public static final HeaderEdits NONE = new HeaderEdits(Map.of(), Map.of(), List.of(), Map.of());

        public HeaderEdits {
            add = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(add));
            set = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(set));
            remove = List.copyOf(remove);
            rename = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rename));
        }

        public boolean isEmpty() {
            return add.isEmpty() && set.isEmpty() && remove.isEmpty() && rename.isEmpty();
        }
    }

    /**
     * Rewrites on the way through: request and response headers, the upstream path
     * (a regex with groups, after {@code strip-prefix}), and query parameters set or
     * removed.
     */
    public record Transform(
            HeaderEdits requestHeaders,
            HeaderEdits responseHeaders,
            Optional<String> pathPattern,
            String pathReplacement,
            Map<String, String> querySet,
            List<String> queryRemove,
            Optional<JsonMapping> requestBody,
            Optional<JsonMapping> responseBody) {
        public Transform {
            querySet = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(querySet));
            queryRemove = List.copyOf(queryRemove);
        }
    }

    /**
     * Request checks before proxying: the request target's length, the number and
     * total size of headers, the content types a body may have, and for JSON bodies
     * well-formedness, nesting depth and, optionally, a JSON Schema
     * ({@code schemaText}, read from the file the config names).
     */
    public record Validation(
            OptionalInt maxUrlLength,
            OptionalInt maxHeaders,
            OptionalLong maxHeaderBytes,
            Set<String> contentTypes,
            boolean json,
            int maxJsonDepth,
            Optional<String> schemaText) {
        public Validation {
            contentTypes = Set.copyOf(contentTypes);
        }
    }

    /**
     * Cross-origin access for browsers: origins allowed ({@code *} for any), the
     * methods and request headers a preflight may ask for, the response headers
     * scripts may read, whether credentials are allowed, and how long a preflight
     * answer may be cached.
     */
    public record Cors(
            List<String> allowOrigins,
            Set<String> allowMethods,
            List<String> allowHeaders,
            List<String> exposeHeaders,
            boolean allowCredentials,
            Duration maxAge) {
        public Cors {
            allowOrigins = List.copyOf(allowOrigins);
            allowMethods = Set.copyOf(allowMethods);
            allowHeaders = List.copyOf(allowHeaders);
            exposeHeaders = List.copyOf(exposeHeaders);
        }
    }
}
