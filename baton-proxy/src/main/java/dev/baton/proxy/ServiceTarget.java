package dev.baton.proxy;

import dev.baton.balance.WeightedRoundRobin;
import dev.baton.config.ServiceConfig;
import java.util.ArrayList;
import java.util.List;

/** A service's instances and the balancer that spreads requests over them. */
public final class ServiceTarget {
    private final String id;
    private final Upstream[] instances;
    private final WeightedRoundRobin balancer;

    public ServiceTarget(ServiceConfig config) {
        this.id = config.id();
        List<Upstream> list = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        for (int i = 0; i < config.instances().size(); i++) {
            ServiceConfig.Instance inst = config.instances().get(i);
            list.add(Upstream.of(id + "-" + i, inst.url()));
            weights.add(inst.weight());
        }
        this.instances = list.toArray(new Upstream[0]);
        this.balancer = new WeightedRoundRobin(weights);
    }

    public String id() {
        return id;
    }

    public Upstream pick() {
        return instances[balancer.pick()];
    }

    public List<Upstream> instances() {
        return List.of(instances);
    }
}
