package dev.baton.proxy;

import dev.baton.control.Upstream;
import dev.baton.resilience.Outcome;
import java.util.List;

/** Several {@link RequestObserver}s as one, called in order; one that throws does not stop the others. */
public final class RequestObservers implements RequestObserver {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RequestObservers.class);
    private final RequestObserver[] all;

    private RequestObservers(List<RequestObserver> all) {
        this.all = all.toArray(RequestObserver[]::new);
    }

    public static RequestObserver of(RequestObserver... observers) {
        return observers.length == 1 ? observers[0] : new RequestObservers(List.of(observers));
    }

    @Override
    public void tried(ProxiedRequest request, Upstream upstream, Outcome outcome, int status, long nanos) {
        for (RequestObserver o : all) {
            try {
                o.tried(request, upstream, outcome, status, nanos);
            } catch (RuntimeException e) {
                log.warn("request observer {} failed: {}", o.getClass().getSimpleName(), e.toString());
            }
        }
    }

    @Override
    public void completed(ProxiedRequest request) {
        for (RequestObserver o : all) {
            try {
                o.completed(request);
            } catch (RuntimeException e) {
                log.warn("request observer {} failed: {}", o.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
