package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.control.HealthChecker;
import dev.baton.control.Upstream;
import dev.baton.events.Event;
import dev.baton.events.EventBus;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.testing.TestUpstream;
import dev.baton.time.Ticker;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Active health checks against real upstreams switch instances out of balancing and
 * back. These run on the real clock, since their probes are real I/O; the schedule,
 * backoff and timeouts on a fake one are in the control plane's {@code HealthCheckerTest}.
 */
class HealthCheckTest extends ProxyTestSupport {
    final AtomicBoolean aHealthy = new AtomicBoolean(true);
    TestUpstream a;
    TestUpstream b;
    HealthChecker checker;
    String yaml;
    final EventBus events = new EventBus();
    final List<Event> published = new CopyOnWriteArrayList<>();
    /** Finished checks by instance. */
    final Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() {
        events.close();
        if (checker != null) {
            checker.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    private void start(String check) {
        a = TestUpstream.start(vertx, req -> {
            if (req.path().equals("/health")) {
                req.response().setStatusCode(aHealthy.get() ? 200 : 503).end(aHealthy.get() ? "all good" : "down");
            } else {
                req.response().end("a");
            }
        });
        b = TestUpstream.start(vertx, req -> req.response().end(req.path().equals("/health") ? "all good" : "b"));
        yaml = """
                services:
                  s:
                    health-check: %s
                    outlier-detection: { consecutive-failures: 0 }
                    instances: [ "%s", "%s" ]
                routes: [ { path: /**, service: s } ]
                """.formatted(check, a.url(), b.url());
        proxy = new ProxyHarness(vertx, yaml);
        checker = new HealthChecker(
                vertx,
                10,
                events,
                (service, instance, passed, nanos) -> checked(instance).incrementAndGet(),
                new UpstreamProbes(),
                Ticker.system());
        checker.sync(proxy.snapshot.get());
    }

    private AtomicInteger checked(String instance) {
        return checks.computeIfAbsent(instance, i -> new AtomicInteger());
    }

    private Upstream instance(String id) {
        return proxy.snapshot.get().services().get("s").instances().stream()
                .filter(u -> u.id().equals(id))
                .findFirst()
                .orElseThrow();
    }

    /** Health changes of {@code instance} so far, from the bus's history: in as soon as they are published. */
    private long changesOf(String instance) {
        return events.history(EventFilter.of(EventType.SERVICE_HEALTH_CHANGED), 0).stream()
                .filter(e -> instance.equals(e.data().get("instance")))
                .count();
    }

    private Set<String> bodies(int requests) throws Exception {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            seen.add(proxy.get("/x").body());
        }
        return seen;
    }

    @Test
    void anInstanceFailingItsChecksLeavesAndComesBack() throws Exception {
        start("{ path: /health, interval: 100ms, timeout: 50ms, unhealthy-threshold: 2, healthy-threshold: 2 }");
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(instance("s-0")) == HealthStatus.HEALTHY);
        assertThat(bodies(10)).containsExactlyInAnyOrder("a", "b");

        events.subscribe("test", published::add);
        aHealthy.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(instance("s-0")) == HealthStatus.UNHEALTHY);
        assertThat(bodies(10)).containsExactly("b");
        await().atMost(Duration.ofSeconds(5)).until(() -> !published.isEmpty());
        Event down = published.get(0);
        assertThat(down.type()).isEqualTo(EventType.SERVICE_HEALTH_CHANGED);
        assertThat(down.data())
                .containsEntry("service", "s")
                .containsEntry("instance", "s-0")
                .containsEntry("status", "UNHEALTHY")
                .containsEntry("previous", "HEALTHY")
                .containsEntry("serviceStatus", "DEGRADED")
                .containsEntry("error", "status 503");

        aHealthy.set(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> checker.status(instance("s-0")) == HealthStatus.HEALTHY);
        assertThat(bodies(10)).containsExactlyInAnyOrder("a", "b");
        assertThat(checker.status(instance("s-1"))).isEqualTo(HealthStatus.HEALTHY);
    }

    @Test
    void bodyAndStatusRangeAreChecked() {
        start("{ path: /health, interval: 100ms, timeout: 50ms, unhealthy-threshold: 1, expected-status: 200-299,"
                + " body-contains: 'all good' }");
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(instance("s-0")) == HealthStatus.HEALTHY);
        aHealthy.set(false); // 503 and "down"
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(instance("s-0")) == HealthStatus.UNHEALTHY);
    }

    @Test
    void tcpChecksSeeAClosedPort() {
        start("{ type: tcp, interval: 100ms, timeout: 50ms, unhealthy-threshold: 1 }");
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(instance("s-1")) == HealthStatus.HEALTHY);
        b.close();
        b = null;
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(instance("s-1")) == HealthStatus.UNHEALTHY);
        assertThat(proxy.instances("s").get(1).endpoint().available()).isFalse();
    }

    @Test
    void aServiceDroppedFromTheConfigIsNoLongerChecked() {
        start("{ path: /health, interval: 100ms, timeout: 50ms }");
        Upstream dropped = instance("s-0");
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(dropped) == HealthStatus.HEALTHY);
        proxy.apply("services: { t: { instances: [\"" + a.url() + "\"] } }\nroutes: [ { path: /**, service: t } ]");
        checker.sync(proxy.snapshot.get());
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(dropped) == HealthStatus.UNKNOWN);
    }

    @Test
    void anInstanceKeepsItsVerdictWhenItsServiceChangesAroundIt() throws Exception {
        start("{ path: /health, interval: 100ms, timeout: 50ms, unhealthy-threshold: 1 }");
        events.subscribe("test", published::add);
        aHealthy.set(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> checker.status(instance("s-0")) == HealthStatus.UNHEALTHY);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> published.stream()
                        .anyMatch(e -> "s-0".equals(e.data().get("instance"))
                                && "UNHEALTHY".equals(e.data().get("status"))));
        long before = changesOf("s-0");
        int checkedBefore = checked("s-0").get();

        proxy.apply(yaml.replace("instances:", "load-balancer: least-connections\n    instances:"));
        checker.sync(proxy.snapshot.get());
        // Three more checks (the first may have been under way before the sync): a check
        // started afresh would have published UNKNOWN -> UNHEALTHY after its first, on the
        // checker's loop, before its second was heard of.
        await().atMost(Duration.ofSeconds(10)).until(() -> checked("s-0").get() >= checkedBefore + 3);
        assertThat(proxy.snapshot.get().services().get("s").config().loadBalancer())
                .isEqualTo("least-connections");
        assertThat(checker.status(instance("s-0"))).isEqualTo(HealthStatus.UNHEALTHY);
        assertThat(changesOf("s-0"))
                .as("no UNKNOWN -> UNHEALTHY again: the verdict carried over")
                .isEqualTo(before);
        assertThat(proxy.instances("s").get(0).endpoint().available()).isFalse();
        assertThat(bodies(10)).containsExactly("b");
    }
}
