package dev.baton.balance;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Session affinity by cookie: a request whose cookie names an available endpoint goes
 * there; any other gets a round-robin pick, and the proxy then sets the cookie (see
 * {@link #cookie()}) so the client's next requests follow it.
 */
public final class Sticky implements Balancer {
    private final String cookie;
    private final Map<String, Endpoint> byId = new HashMap<>();
    private final WeightedRoundRobin fallback;

    Sticky(List<Endpoint> endpoints, String cookie) {
        this.cookie = cookie;
        endpoints.forEach(e -> byId.put(e.id(), e));
        this.fallback = new WeightedRoundRobin(endpoints);
    }

    /** The cookie that carries the endpoint id. */
    public String cookie() {
        return cookie;
    }

    @Override
    public @Nullable Endpoint pick(RequestKey request) {
        String id = request.cookie(cookie);
        if (id != null) {
            Endpoint e = byId.get(id);
            if (e != null && e.available()) {
                return e;
            }
        }
        return fallback.pick(request);
    }
}
