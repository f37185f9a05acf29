package dev.baton.admin;

import dev.baton.config.ServiceConfig;
import dev.baton.control.RateLimitPolicy;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessStatus;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Services as the admin API shows them: the admin API's service JSON, whose fields are only ever added. */
final class ServiceViews {
    private final AdminApi.Backend backend;

    ServiceViews(AdminApi.Backend backend) {
        this.backend = backend;
    }

    JsonObject service(ServiceTarget s) {
        Snapshot snap = backend.snapshot();
        JsonArray instances = new JsonArray();
        List<HealthStatus> statuses = new ArrayList<>();
        List<ProcessStatus> processes = backend.supervisor() == null
                ? null
                : backend.supervisor().processes(s.id()).orElse(null);
        for (int i = 0; i < s.instances().size(); i++) {
            Upstream u = s.instances().get(i);
            ServiceConfig.Instance cfg = s.config().instances().get(i);
            HealthStatus st = status(u);
            statuses.add(st);
            JsonObject json = new JsonObject()
                    .put("id", u.id())
                    .put("url", cfg.url().toString())
                    .put("weight", u.endpoint().weight())
                    .put("status", st.name())
                    .put("ejected", u.endpoint().ejected())
                    .put("activeRequests", u.endpoint().outstanding())
                    .put("zone", cfg.zone().orElse(null))
                    .put("tags", new JsonArray(cfg.tags()))
                    .put("metadata", new JsonObject(new java.util.LinkedHashMap<>(cfg.metadata())));
            Optional<java.time.Instant> lease = backend.runtime() == null
                    ? Optional.empty()
                    : backend.runtime().leaseExpiry(s.id(), u.id());
            cfg.ttl().ifPresent(ttl -> json.put("ttlSeconds", ttl.toSeconds()));
            CircuitBreaker own = s.breakers()
                            .config()
                            .filter(ServiceConfig.CircuitBreaker::perInstance)
                            .isPresent()
                    ? s.breakers().all().get(u.id())
                    : null;
            if (own != null) {
                json.put("circuitBreaker", breaker(own));
            }
            lease.ifPresent(at -> json.put("leaseExpiresAt", at.toString()));
            if (s.config().healthCheck().isPresent()) {
                JsonArray checks = new JsonArray();
                for (var c : backend.recentChecks(u)) {
                    checks.add(new JsonObject()
                            .put("ageMillis", c.ageMillis())
                            .put("passed", c.passed())
                            .put("latencyMillis", c.latencyMillis())
                            .put("error", c.error().orElse(null)));
                }
                json.put("lastChecks", checks);
            }
            if (processes != null) {
                processes.stream()
                        .filter(p -> p.instance().filter(u.id()::equals).isPresent())
                        .findFirst()
                        .ifPresent(p -> json.put("process", ProcessRoutes.view(p)));
            }
            instances.add(json);
        }
        return new JsonObject()
                .put("id", s.id())
                .put("name", s.config().name())
                .put("type", s.config().type())
                .put("status", HealthStatus.ofService(statuses).name())
                .put("source", snap.source(s.id()).jsonName())
                .put("loadBalancer", s.config().loadBalancer())
                .put("instances", instances)
                .put("process", processes == null ? null : ProcessRoutes.summary(processes))
                .put("dependsOn", new JsonArray(s.config().dependsOn()))
                .put("circuitBreaker", circuitBreaker(s))
                .put("retry", retry(s))
                .put("bulkhead", bulkhead(s))
                .put("rateLimit", s.rateLimit().map(ServiceViews::rateLimit).orElse(null));
    }

    private static JsonObject rateLimit(RateLimitPolicy p) {
        ServiceConfig.RateLimit l = p.config();
        JsonObject json = new JsonObject()
                .put("requestsPerSecond", l.requestsPerSecond())
                .put("burst", l.burst())
                .put("key", l.key())
                .put("store", l.redis() ? "redis" : "local")
                .put("refused", p.refused());
        if (p.local() != null) {
            json.put("buckets", p.local().size());
        }
        return json;
    }

    private static @Nullable JsonObject bulkhead(ServiceTarget s) {
        return s.bulkhead()
                .map(b -> new JsonObject()
                        .put("maxConcurrent", b.max())
                        .put("inUse", b.inUse())
                        .put("rejected", b.rejected()))
                .orElse(null);
    }

    /** What the retry budget has let through and refused, until metrics show it. */
    private static @Nullable JsonObject retry(ServiceTarget s) {
        return s.retryBudget()
                .map(b -> new JsonObject()
                        .put("retried", b.retried())
                        .put("budgetExhausted", b.exhausted())
                        .put("activeRetries", b.activeRetries()))
                .orElse(null);
    }

    /** The service's breaker: its state, its scope and, service-wide, its numbers. */
    private static @Nullable JsonObject circuitBreaker(ServiceTarget s) {
        if (!s.breakers().enabled()) {
            return null;
        }
        ServiceConfig.CircuitBreaker cfg = s.breakers().config().orElseThrow();
        CircuitBreaker shared = s.breakers().all().get("");
        JsonObject json = shared != null ? breaker(shared) : new JsonObject();
        return json.put("state", s.breakers().state().orElseThrow().name())
                .put("scope", cfg.perInstance() ? "instance" : "service");
    }

    private static JsonObject breaker(CircuitBreaker cb) {
        CircuitBreaker.Metrics m = cb.getMetrics();
        return new JsonObject()
                .put("state", cb.getState().name())
                .put("failureRate", m.getFailureRate())
                .put("slowCallRate", m.getSlowCallRate())
                .put("bufferedCalls", m.getNumberOfBufferedCalls())
                .put("failedCalls", m.getNumberOfFailedCalls())
                .put("notPermittedCalls", m.getNumberOfNotPermittedCalls());
    }

    HealthStatus status(ServiceTarget s) {
        List<HealthStatus> all = new ArrayList<>();
        s.instances().forEach(u -> all.add(status(u)));
        return HealthStatus.ofService(all);
    }

    HealthStatus status(Upstream u) {
        return backend.health(u);
    }
}
