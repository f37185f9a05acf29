package dev.baton.control;

import dev.baton.balance.Balancer;
import dev.baton.balance.Endpoint;
import dev.baton.balance.HashKey;
import dev.baton.balance.OutlierDetector;
import dev.baton.balance.RequestKey;
import dev.baton.config.ServiceConfig;
import dev.baton.events.EventSink;
import dev.baton.resilience.Breakers;
import dev.baton.resilience.Bulkhead;
import dev.baton.resilience.Outcome;
import dev.baton.resilience.RetryBudget;
import dev.baton.time.Ticker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's instances and the balancer that spreads requests over them. Its
 * instances' live state (requests in flight, latency) lives here, so a snapshot
 * rebuilt from a config that leaves this service unchanged reuses the whole object.
 */
public final class ServiceTarget {
    private static final Logger log = LoggerFactory.getLogger(ServiceTarget.class);
    private final ServiceConfig config;
    private final boolean defined;
    private final List<Upstream> instances;
    private final Map<Endpoint, Upstream> byEndpoint = new IdentityHashMap<>();
    private final Balancer balancer;
    private final OutlierDetector outliers;
    private final Breakers breakers;
    private final Optional<ResponseCache> fallbackCache;
    private final Optional<RetryBudget> retryBudget;
    private final Optional<Bulkhead> bulkhead;
    private final Optional<RateLimitPolicy> rateLimit;
    private final AtomicLong panicNext = new AtomicLong();

    /** What {@link #pick} made of a request: an instance, a request shed, or none available. */
    public sealed interface Pick permits Picked, Shed, NoneAvailable {}

    /**
     * This instance, with the breaker permit taken for it (when the service has a
     * breaker): the caller settles it with {@link #answered}, {@link #failed} or
     * {@link #abandoned}.
     */
    public record Picked(Upstream upstream) implements Pick {}

    /** The circuit breaker sheds the request: the caller answers with the service's fallback instead. */
    public record Shed() implements Pick {}

    /** No instance is available (and no breaker shed the request): the caller answers 503. */
    public record NoneAvailable() implements Pick {}

    // The empty results carry nothing, so one of each does for every request.
    private static final Pick SHED = new Shed();
    private static final Pick NONE_AVAILABLE = new NoneAvailable();

    /** A service target without events, on the system's clocks (tests, benchmarks). */
    public ServiceTarget(ServiceConfig config) {
        this(config, Clock.systemUTC(), Ticker.system(), EventSink.NONE);
    }

    /**
     * {@code clock} drives the breakers' windows; {@code ticker} the instances'
     * ejections, the rate limit's buckets and the fallback cache's TTL; {@code events}
     * hears the breakers' transitions.
     */
    public ServiceTarget(ServiceConfig config, Clock clock, Ticker ticker, EventSink events) {
        this(config, true, clock, ticker, events);
    }

    /**
     * What a route's service is while no source defines it ({@link
     * ServiceConfig#undefined}): no instance to pick, so its route answers 503 saying
     * the service is not registered.
     */
    public static ServiceTarget undefined(String id, Clock clock, Ticker ticker) {
        return new ServiceTarget(ServiceConfig.undefined(id), false, clock, ticker, EventSink.NONE);
    }

    private ServiceTarget(ServiceConfig config, boolean defined, Clock clock, Ticker ticker, EventSink events) {
        this.config = config;
        this.defined = defined;
        this.breakers = Breakers.of(config, clock, events);
        this.rateLimit = config.rateLimit().map(l -> new RateLimitPolicy("service:" + config.id(), l, ticker));
        this.bulkhead = config.maxConcurrent().isPresent()
                ? Optional.of(new Bulkhead(config.id(), config.maxConcurrent().getAsInt()))
                : Optional.empty();
        this.retryBudget = config.retry().map(r -> new RetryBudget(r.budgetPercent(), r.budgetMinRetries()));
        this.fallbackCache = config.circuitBreaker()
                .flatMap(cb -> cb.fallback().cacheTtl())
                .map(ttl -> new ResponseCache(ttl, ticker));
        UpstreamTls tls = config.tls().map(UpstreamTls::new).orElse(null);
        List<Upstream> list = new ArrayList<>();
        for (int i = 0; i < config.instances().size(); i++) {
            ServiceConfig.Instance inst = config.instances().get(i);
            Upstream u = Upstream.of(inst.id(), inst.url(), inst.weight(), tls, ticker);
            list.add(u);
            byEndpoint.put(u.endpoint(), u);
        }
        this.instances = List.copyOf(list);
        this.balancer = Balancer.create(
                config.loadBalancer(),
                list.stream().map(Upstream::endpoint).toList(),
                config.hashKey().map(HashKey::parse),
                config.stickyCookie());
        this.outliers =
                new OutlierDetector(list.stream().map(Upstream::endpoint).toList(), config.outlierDetection());
    }

    public String id() {
        return config.id();
    }

    /** False for a route's service that no source defines yet (see {@link #undefined}). */
    public boolean defined() {
        return defined;
    }

    public ServiceConfig config() {
        return config;
    }

    /**
     * The instance for this request; {@link Shed} when the circuit breaker refuses
     * every candidate, {@link NoneAvailable} when there is none. With
     * {@code panic-mode}, a service whose every instance is unhealthy or ejected
     * spreads traffic over all of them instead (Envoy's panic threshold): better a
     * chance than a certain 503.
     */
    public Pick pick(RequestKey request) {
        return pick(request, null);
    }

    /**
     * As {@link #pick(RequestKey)}, preferring an instance other than {@code avoid}
     * (a retry goes elsewhere when there is somewhere else to go).
     */
    public Pick pick(RequestKey request, @Nullable Upstream avoid) {
        if (!breakers.enabled() && avoid == null) {
            Upstream u = pickInstance(request);
            return u == null ? NONE_AVAILABLE : new Picked(u);
        }
        // A per-instance breaker that refuses sends the pick elsewhere; a service-wide
        // one refuses for all. Either way a permit taken here is settled by the caller.
        int tries = Math.max(1, instances.size());
        for (int i = 0; i < tries; i++) {
            Upstream u = pickInstance(request);
            if (u == null) {
                return NONE_AVAILABLE;
            }
            if (u == avoid && i < tries - 1) {
                continue;
            }
            if (breakers.tryAcquire(u.id())) {
                return new Picked(u);
            }
        }
        return breakers.enabled() ? SHED : NONE_AVAILABLE;
    }

    /** The service's own rate limit, if it has one. */
    public Optional<RateLimitPolicy> rateLimit() {
        return rateLimit;
    }

    /** The service's {@code max-concurrent} bulkhead, if it has one. */
    public Optional<Bulkhead> bulkhead() {
        return bulkhead;
    }

    /** The retry budget; empty when the service does not retry. */
    public Optional<RetryBudget> retryBudget() {
        return retryBudget;
    }

    private @Nullable Upstream pickInstance(RequestKey request) {
        Endpoint e = balancer.pick(request);
        if (e == null) {
            return config.panicMode() && !instances.isEmpty()
                    ? instances.get((int) Long.remainderUnsigned(panicNext.getAndIncrement(), instances.size()))
                    : null;
        }
        return byEndpoint.get(e);
    }

    /** The upstream answered {@code status} after {@code nanos}; settles the breaker permit taken by pick. */
    public void answered(Upstream u, int status, long nanos) {
        breakers.record(u.id(), Outcome.ANSWERED, status, nanos);
        if (status >= 500) {
            ejectIfFailing(u);
        } else {
            outliers.success(u.endpoint());
        }
    }

    /** The upstream could not be reached, reset, or went silent; settles the breaker permit. */
    public void failed(Upstream u, Outcome outcome, long nanos) {
        breakers.record(u.id(), outcome, 0, nanos);
        ejectIfFailing(u);
    }

    /** A call that was picked but not made, or whose end says nothing of the upstream (the client left). */
    public void abandoned(Upstream u) {
        breakers.release(u.id());
    }

    public Breakers breakers() {
        return breakers;
    }

    /** Last good GET responses for the breaker's {@code fallback.cache}, if it keeps them. */
    public Optional<ResponseCache> fallbackCache() {
        return fallbackCache;
    }

    private void ejectIfFailing(Upstream u) {
        if (outliers.failure(u.endpoint())) {
            log.warn(
                    "instance {} ({}) of service {} ejected for {} ms after {} failures in a row",
                    u.id(),
                    u.authority(),
                    id(),
                    TimeUnit.NANOSECONDS.toMillis(u.endpoint().ejectionRemainingNanos()),
                    config.outlierDetection().consecutiveFailures());
        }
    }

    /** The cookie that pins a client to an instance, when the balancer is {@code sticky}. */
    public Optional<String> stickyCookie() {
        return config.loadBalancer().equals("sticky") ? Optional.of(config.stickyCookie()) : Optional.empty();
    }

    public List<Upstream> instances() {
        return instances;
    }
}
