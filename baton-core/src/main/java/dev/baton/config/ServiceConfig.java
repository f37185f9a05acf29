package dev.baton.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
        Optional<Process> process,
        List<String> dependsOn) {

    public static final Set<String> LOAD_BALANCERS =
            Set.of("round-robin", "weighted", "least-connections", "ip-hash", "consistent-hash", "sticky", "p2c");

    public ServiceConfig {
        instances = List.copyOf(instances);
        dependsOn = List.copyOf(dependsOn);
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

    public record CircuitBreaker(
            int failureRateThreshold,
            int minimumCalls,
            Duration openDuration,
            int halfOpenCalls,
            Optional<Fallback> fallback) {}

    public record Fallback(int status, String body) {}

    public record Retry(int attempts, Duration backoff, Duration maxBackoff, Set<String> methods) {
        public Retry {
            methods = Set.copyOf(methods);
        }
    }

    /** {@code key} is {@code ip}, {@code route}, {@code header:NAME} or {@code claim:NAME}. */
    public record RateLimit(double requestsPerSecond, int burst, String key) {}

    public record Process(List<String> command, int maxRestarts, Duration restartDelay) {
        public Process {
            command = List.copyOf(command);
        }
    }
}
