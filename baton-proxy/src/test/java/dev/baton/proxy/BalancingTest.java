package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.control.Snapshot;
import dev.baton.testing.TestUpstream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Balancers chosen in config, end to end through the proxy to three real upstreams. */
class BalancingTest extends ProxyTestSupport {
    List<TestUpstream> three;

    @BeforeEach
    void upstreams() {
        three = List.of(named("a"), named("b"), named("c"));
    }

    @AfterEach
    void closeUpstreams() {
        three.forEach(TestUpstream::close);
    }

    private static TestUpstream named(String name) {
        return TestUpstream.start(vertx, req -> req.response().end(name));
    }

    private void balanceWith(String extra) {
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    %s
                    instances: [ "%s", "%s", "%s" ]
                routes: [ { path: /**, service: s } ]
                """.formatted(
                extra, three.get(0).url(), three.get(1).url(), three.get(2).url()));
    }

    @Test
    void stickyPinsAClientWithACookie() throws Exception {
        balanceWith("load-balancer: sticky\n    sticky-cookie: route");
        HttpResponse<String> first = proxy.get("/x");
        String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
        assertThat(setCookie).startsWith("route=s-").contains("HttpOnly");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> again =
                    proxy.send(HttpRequest.newBuilder(proxy.uri("/x")).header("Cookie", cookie));
            assertThat(again.body()).isEqualTo(first.body());
            assertThat(again.headers().firstValue("set-cookie"))
                    .as("already pinned")
                    .isEmpty();
        }
    }

    @Test
    void consistentHashKeepsAUserOnOneInstance() throws Exception {
        balanceWith("load-balancer: consistent-hash\n    hash-key: header:X-User");
        Set<String> seen = new HashSet<>();
        for (int u = 0; u < 30; u++) {
            String first = null;
            for (int i = 0; i < 3; i++) {
                String body = proxy.send(HttpRequest.newBuilder(proxy.uri("/x")).header("X-User", "user" + u))
                        .body();
                if (first == null) {
                    first = body;
                }
                assertThat(body).isEqualTo(first);
            }
            seen.add(first);
        }
        assertThat(seen).as("users spread over the instances").hasSize(3);
    }

    @Test
    void noAvailableInstanceIs503() throws Exception {
        balanceWith("load-balancer: least-connections");
        proxy.takeDown("s");
        HttpResponse<String> r = proxy.get("/x");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("no available instance of service s");
        assertThat(r.headers().firstValue("retry-after"))
                .as("without a health check: try again in a second")
                .hasValue("1");
    }

    @Test
    void requestsInFlightAreCountedAndReleased() throws Exception {
        balanceWith("load-balancer: p2c");
        for (int i = 0; i < 20; i++) {
            assertThat(proxy.get("/x").statusCode()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(5))
                .until(() ->
                        proxy.instances("s").stream().allMatch(u -> u.endpoint().outstanding() == 0));
        assertThat(proxy.instances("s"))
                .anySatisfy(u -> assertThat(u.endpoint().latencyNanos()).isPositive());
    }

    @Test
    void aReloadThatLeavesAServiceAloneKeepsItsLiveState() {
        balanceWith("load-balancer: round-robin");
        Snapshot before = proxy.snapshot.get();
        Snapshot same = Snapshot.compile(before.config(), before);
        assertThat(same.services().get("s")).isSameAs(before.services().get("s"));
        Snapshot changed = Snapshot.compile(
                ProxyHarness.config("services: { s: { instances: [\""
                        + three.get(0).url() + "\"] } }\n" + "routes: [ { path: /**, service: s } ]"),
                before);
        assertThat(changed.services().get("s")).isNotSameAs(before.services().get("s"));
    }
}
