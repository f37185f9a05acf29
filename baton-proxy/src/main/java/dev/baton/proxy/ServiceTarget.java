package dev.baton.proxy;

import dev.baton.balance.Balancer;
import dev.baton.balance.Endpoint;
import dev.baton.balance.HashKey;
import dev.baton.balance.OutlierDetector;
import dev.baton.balance.RequestKey;
import dev.baton.config.ServiceConfig;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
    private final List<Upstream> instances;
    private final Map<Endpoint, Upstream> byEndpoint = new IdentityHashMap<>();
    private final Balancer balancer;
    private final OutlierDetector outliers;
    private final AtomicLong panicNext = new AtomicLong();

    public ServiceTarget(ServiceConfig config) {
        this.config = config;
        List<Upstream> list = new ArrayList<>();
        for (int i = 0; i < config.instances().size(); i++) {
            ServiceConfig.Instance inst = config.instances().get(i);
            Upstream u = Upstream.of(inst.id(), inst.url(), inst.weight());
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

    public ServiceConfig config() {
        return config;
    }

    /**
     * The instance for this request, or null when none is available. With
     * {@code panic-mode}, a service whose every instance is unhealthy or ejected
     * spreads traffic over all of them instead (Envoy's panic threshold): better a
     * chance than a certain 503.
     */
    public Upstream pick(RequestKey request) {
        Endpoint e = balancer.pick(request);
        if (e == null) {
            return config.panicMode() && !instances.isEmpty()
                    ? instances.get((int) Long.remainderUnsigned(panicNext.getAndIncrement(), instances.size()))
                    : null;
        }
        return byEndpoint.get(e);
    }

    /** The upstream answered below 500. */
    public void succeeded(Upstream u) {
        outliers.success(u.endpoint());
    }

    /** The upstream answered 5xx, or could not be reached, or reset, or went silent. */
    public void failed(Upstream u) {
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
