package dev.baton.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code services:}: a named group of upstream instances and the
 * policies that apply when Baton calls them.
 */
public record ServiceConfig(
        String id,
        String name,
        String type,
        String loadBalancer,
        Optional<String> hashKey,
        String stickyCookie,
        OutlierDetection outlierDetection,
        boolean panicMode,
        List<Instance> instances,
        Optional<HealthCheck> healthCheck,
        Optional<CircuitBreaker> circuitBreaker,
        Optional<Retry> retry,
        Optional<RateLimit> rateLimit,
        Optional<ProcessConfig> process,
        List<String> dependsOn,
        Optional<Duration> timeout,
        OptionalInt maxConcurrent,
        Optional<UpstreamTls> tls) {

    public static final Set<String> LOAD_BALANCERS =
            Set.of("round-robin", "weighted", "least-connections", "ip-hash", "consistent-hash", "sticky", "p2c");

    public ServiceConfig {
        instances = List.copyOf(instances);
        dependsOn = List.copyOf(dependsOn);
    }

    /**
     * What a route's service is while no source defines it (it may register at run
     * time): no instances and no policies, so the route answers 503 until it does.
     */
    public static ServiceConfig undefined(String id) {
        return new ServiceConfig(
                id,
                id,
                "default",
                "round-robin",
                Optional.empty(),
                "baton-sticky",
                OutlierDetection.DEFAULT,
                false,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                List.of(),
                Optional.empty(),
                OptionalInt.empty(),
                Optional.empty());
    }

    /**
     * An upstream address; {@code weight} biases round-robin (0 takes no traffic).
     * {@code zone}, {@code tags} and {@code metadata} describe it for operators and
     * tooling. {@code ttl}, given only by run-time registrations, is the lease the
     * instance must renew by heartbeat or be removed.
     */
    public record Instance(
            String id,
            URI url,
            int weight,
            Optional<String> zone,
            List<String> tags,
            Map<String, String> metadata,
            Optional<Duration> ttl) {
        public Instance {
            tags = List.copyOf(tags);
            metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
        }

        /** A plain instance with the given id, as tests and embedders write them. */
        public static Instance of(String id, URI url, int weight) {
            return new Instance(id, url, weight, Optional.empty(), List.of(), Map.of(), Optional.empty());
        }
    }

    /**
     * Passive health: an instance that fails {@code consecutiveFailures} requests in a
     * row (5xx, connect failure, reset, timeout) is ejected for {@code baseEjectionTime}
     * times the number of ejections in a row, never more than {@code maxEjectionPercent}
     * of the service at once. {@code consecutiveFailures} 0 turns it off.
     */
    public record OutlierDetection(int consecutiveFailures, Duration baseEjectionTime, int maxEjectionPercent) {
        public static final OutlierDetection DEFAULT = new OutlierDetection(5, Duration.ofSeconds(30), 50);
    }

    /**
     * Active health checks: an HTTP GET of {@code path} expecting a status in
     * [{@code minStatus}, {@code maxStatus}] and, when given, {@code bodyContains} in
     * the body; or, with {@code tcp}, just a connection. A passing check slower than
     * {@code degradedLatency} (when given) makes the instance DEGRADED.
     */
    public record HealthCheck(
            boolean tcp,
            String path,
            Duration interval,
            Duration timeout,
            int unhealthyThreshold,
            int healthyThreshold,
            int minStatus,
            int maxStatus,
            Optional<String> bodyContains,
            Optional<Duration> degradedLatency) {}

    /**
     * A circuit breaker (Resilience4j's state machine) per service or, with scope
     * {@code instance}, per instance. Over a window of the last {@code windowSize}
     * calls (or seconds, for a {@code time} window), once {@code minimumCalls} are in,
     * it opens when failures reach {@code failureRateThreshold} percent or calls slower
     * than {@code slowCallDuration} reach {@code slowCallRateThreshold} percent; after
     * {@code openDuration} it lets {@code halfOpenCalls} through to decide. What counts
     * as a failure is {@code failureOn}. While open, {@link Fallback} answers.
     */
    /**
     * TLS to the service's {@code https} instances: the CA bundle to trust (the JDK's
     * when absent), a client certificate and key for mTLS, and the server name to
     * send and verify (the URL's host when absent). Certificates are always verified.
     */
    public record UpstreamTls(
            Optional<java.nio.file.Path> ca,
            Optional<java.nio.file.Path> cert,
            Optional<java.nio.file.Path> key,
            Optional<String> serverName) {}

    public record CircuitBreaker(
            boolean perInstance,
            boolean timeWindow,
            int windowSize,
            int failureRateThreshold,
            int minimumCalls,
            Optional<Duration> slowCallDuration,
            int slowCallRateThreshold,
            Duration openDuration,
            int halfOpenCalls,
            FailureOn failureOn,
            Fallback fallback) {}

    /**
     * The outcomes that count against a breaker: connection failures, timeouts,
     * resets, and these response statuses (by default every 5xx).
     */
    public record FailureOn(boolean connect, boolean timeout, boolean reset, Set<Integer> statuses) {
        public static final FailureOn DEFAULT = new FailureOn(true, true, true, range(500, 599));

        public FailureOn {
            statuses = Set.copyOf(statuses);
        }

        public static Set<Integer> range(int from, int to) {
            Set<Integer> s = new java.util.HashSet<>();
            for (int i = from; i <= to; i++) {
                s.add(i);
            }
            return s;
        }
    }

    /**
     * What a client gets while the breaker is open: Baton's JSON 503 (the
     * default), a fixed response, or for GETs the last good response of the same URL
     * when it is younger than {@code cacheTtl} (the fixed or JSON answer otherwise).
     */
    public record Fallback(
            Optional<Integer> status, Map<String, String> headers, Optional<String> body, Optional<Duration> cacheTtl) {
        public static final Fallback DEFAULT =
                new Fallback(Optional.empty(), Map.of(), Optional.empty(), Optional.empty());

        public Fallback {
            headers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        }

        /** A fixed response is configured (a status or a body). */
        public boolean fixed() {
            return status.isPresent() || body.isPresent();
        }
    }

    /**
     * Retries: up to {@code attempts} tries in all, the n-th retry after a random
     * wait in [0, min(maxBackoff, backoff × 2^(n-1))] (full jitter), each try allowed
     * {@code perTryTimeout} to start answering, on the outcomes in {@code retryOn}.
     * Idempotent methods only, plus {@code methods}, plus any request with an
     * {@code Idempotency-Key}; a request body is replayable up to {@code bodyBuffer}
     * bytes. Retries in flight stay within {@code budgetPercent} of the service's
     * active requests, or {@code budgetMinRetries} when that is more (Envoy's budget).
     */
    public record Retry(
            int attempts,
            Duration backoff,
            Duration maxBackoff,
            Set<String> methods,
            Optional<Duration> perTryTimeout,
            FailureOn retryOn,
            long bodyBuffer,
            int budgetPercent,
            int budgetMinRetries) {
        public static final FailureOn DEFAULT_RETRY_ON = new FailureOn(true, false, true, Set.of(502, 503, 504));

        public Retry {
            methods = Set.copyOf(methods);
        }
    }

    /**
     * A token bucket per {@code key} ({@code ip}, {@code route}, {@code global},
     * {@code header:NAME} or {@code claim:NAME} of the route's verified JWT): {@code burst} at once, refilled at {@code requestsPerSecond};
     * kept in this process, or with {@code redis} in the shared Redis so that every
     * Baton node enforces one limit. At most {@code maxKeys} buckets are kept locally.
     */
    public record RateLimit(double requestsPerSecond, int burst, String key, boolean redis, int maxKeys) {
        /** The key's part after {@code header:}, or null for the other kinds. */
        public @Nullable String headerName() {
            return key.startsWith("header:") ? key.substring("header:".length()) : null;
        }

        /** The key's part after {@code claim:}, or null for the other kinds. */
        public @Nullable String claimName() {
            return key.startsWith("claim:") ? key.substring("claim:".length()) : null;
        }
    }
}
