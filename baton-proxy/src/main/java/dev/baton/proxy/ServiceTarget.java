package dev.baton.proxy;

import dev.baton.balance.Balancer;
import dev.baton.balance.Endpoint;
import dev.baton.balance.HashKey;
import dev.baton.balance.RequestKey;
import dev.baton.config.ServiceConfig;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A service's instances and the balancer that spreads requests over them. Its
 * instances' live state (requests in flight, latency) lives here, so a snapshot
 * rebuilt from a config that leaves this service unchanged reuses the whole object.
 */
public final class ServiceTarget {
    private final ServiceConfig config;
    private final List<Upstream> instances;
    private final Map<Endpoint, Upstream> byEndpoint = new IdentityHashMap<>();
    private final Balancer balancer;

    public ServiceTarget(ServiceConfig config) {
        this.config = config;
        List<Upstream> list = new ArrayList<>();
        for (int i = 0; i < config.instances().size(); i++) {
            ServiceConfig.Instance inst = config.instances().get(i);
            Upstream u = Upstream.of(config.id() + "-" + i, inst.url(), inst.weight());
            list.add(u);
            byEndpoint.put(u.endpoint(), u);
        }
        this.instances = List.copyOf(list);
        this.balancer = Balancer.create(
                config.loadBalancer(),
                list.stream().map(Upstream::endpoint).toList(),
                config.hashKey().map(HashKey::parse),
                config.stickyCookie());
    }

    public String id() {
        return config.id();
    }

    public ServiceConfig config() {
        return config;
    }

    /** The instance for this request, or null when none is available. */
    public Upstream pick(RequestKey request) {
        Endpoint e = balancer.pick(request);
        return e == null ? null : byEndpoint.get(e);
    }

    /** The cookie that pins a client to an instance, when the balancer is {@code sticky}. */
    public Optional<String> stickyCookie() {
        return config.loadBalancer().equals("sticky") ? Optional.of(config.stickyCookie()) : Optional.empty();
    }

    public List<Upstream> instances() {
        return instances;
    }
}
