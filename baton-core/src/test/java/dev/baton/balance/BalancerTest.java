package dev.baton.balance;

import static dev.baton.balance.WeightedRoundRobinTest.endpoints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BalancerTest {
    static final List<String> KINDS =
            List.of("round-robin", "weighted", "least-connections", "p2c", "ip-hash", "consistent-hash", "sticky");

    /** A request with a client address, one header, one cookie and a path. */
    record Req(String ip, String headerValue, String cookieValue, String path) implements RequestKey {
        static Req ip(String ip) {
            return new Req(ip, null, null, "/");
        }

        @Override
        public String clientIp() {
            return ip;
        }

        @Override
        public String header(String name) {
            return name.equalsIgnoreCase("x-user") ? headerValue : null;
        }

        @Override
        public String cookie(String name) {
            return name.equals("route") ? cookieValue : null;
        }
    }

    static Balancer create(String kind, List<Endpoint> endpoints) {
        return Balancer.create(kind, endpoints, Optional.of(HashKey.parse("header:X-User")), "route");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"round-robin", "weighted", "least-connections", "p2c", "ip-hash", "consistent-hash", "sticky"})
    void everyBalancerSkipsUnavailableEndpointsAndReturnsNullWhenNoneIsLeft(String kind) {
        List<Endpoint> eps = endpoints(1, 1, 1);
        Balancer b = create(kind, eps);
        eps.get(0).setAvailable(false);
        eps.get(2).setAvailable(false);
        for (int i = 0; i < 200; i++) {
            Req r = new Req("10.0.0." + (i % 50), "user" + i, "e" + (i % 3), "/p/" + i);
            assertThat(b.pick(r)).as(kind).isSameAs(eps.get(1));
        }
        eps.get(1).setAvailable(false);
        assertThat(b.pick(Req.ip("10.0.0.1"))).as(kind).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"round-robin", "weighted", "least-connections", "p2c", "sticky"})
    void weightsHoldWithinThreePercentOver10000Picks(String kind) {
        List<Endpoint> eps = endpoints(5, 3, 2);
        Balancer b = create(kind, eps);
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            Endpoint e = b.pick(Req.ip("10.0.0.1"));
            // Each request stays in flight for a while, as under load, so load-aware
            // balancers see the weights through outstanding counts.
            e.started();
            counts.merge(e, 1, Integer::sum);
            if (i % 10 == 9) {
                eps.forEach(x -> {
                    while (x.outstanding() > 0) {
                        x.finished(1_000_000);
                    }
                });
            }
        }
        assertThat(counts.get(eps.get(0)) / 10_000.0)
                .as(kind)
                .isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.03));
        assertThat(counts.get(eps.get(1)) / 10_000.0)
                .as(kind)
                .isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.03));
        assertThat(counts.get(eps.get(2)) / 10_000.0)
                .as(kind)
                .isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.03));
    }

    @Test
    void consistentHashMovesOnlyTheLeavingEndpointsKeys() {
        int n = 10;
        List<Endpoint> eps = endpoints(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Balancer all = create("consistent-hash", eps);
        Map<String, Endpoint> before = new HashMap<>();
        int keys = 20_000;
        for (int i = 0; i < keys; i++) {
            before.put("user" + i, all.pick(new Req(null, "user" + i, null, "/")));
        }
        // Each endpoint gets about 1/N of the keys.
        Map<Endpoint, Integer> share = new HashMap<>();
        before.values().forEach(e -> share.merge(e, 1, Integer::sum));
        assertThat(share.values()).allSatisfy(c -> assertThat(c / (double) keys).isBetween(0.05, 0.15));

        // One endpoint leaves the config (the ring is rebuilt without it)...
        Balancer without = create("consistent-hash", eps.subList(1, n));
        int moved = 0;
        for (int i = 0; i < keys; i++) {
            if (without.pick(new Req(null, "user" + i, null, "/")) != before.get("user" + i)) {
                moved++;
            }
        }
        assertThat(moved / (double) keys).isLessThanOrEqualTo(1.0 / n + 0.05);
        // ...or just goes down: only its own keys move.
        eps.get(0).setAvailable(false);
        for (int i = 0; i < keys; i++) {
            Endpoint now = all.pick(new Req(null, "user" + i, null, "/"));
            if (before.get("user" + i) != eps.get(0)) {
                assertThat(now).isSameAs(before.get("user" + i));
            }
        }
    }

    @Test
    void ipHashKeepsAClientOnOneEndpoint() {
        List<Endpoint> eps = endpoints(1, 1, 1, 1);
        Balancer b = create("ip-hash", eps);
        for (int c = 0; c < 50; c++) {
            Endpoint first = b.pick(Req.ip("192.168.1." + c));
            for (int i = 0; i < 5; i++) {
                assertThat(b.pick(Req.ip("192.168.1." + c))).isSameAs(first);
            }
        }
    }

    @Test
    void keylessRequestsStillSpread() {
        List<Endpoint> eps = endpoints(1, 1);
        Balancer b = create("consistent-hash", eps);
        assertThat(b.pick(Req.ip("1.2.3.4"))).isNotSameAs(b.pick(Req.ip("1.2.3.4")));
    }

    @Test
    void stickyFollowsTheCookieWhileItsEndpointIsAvailable() {
        List<Endpoint> eps = endpoints(1, 1, 1);
        Balancer b = create("sticky", eps);
        for (int i = 0; i < 10; i++) {
            assertThat(b.pick(new Req(null, null, "e2", "/"))).isSameAs(eps.get(2));
        }
        eps.get(2).setAvailable(false);
        assertThat(b.pick(new Req(null, null, "e2", "/")))
                .isNotSameAs(eps.get(2))
                .isNotNull();
        assertThat(b.pick(new Req(null, null, "nonsense", "/"))).isNotNull();
        assertThat(((Sticky) b).cookie()).isEqualTo("route");
    }

    @Test
    void leastConnectionsAndP2cAvoidTheBusyEndpoint() {
        for (String kind : List.of("least-connections", "p2c")) {
            List<Endpoint> eps = endpoints(1, 1);
            for (int i = 0; i < 10; i++) {
                eps.get(0).started();
            }
            Balancer b = create(kind, eps);
            for (int i = 0; i < 20; i++) {
                assertThat(b.pick(RequestKey.NONE)).as(kind).isSameAs(eps.get(1));
            }
        }
    }

    @Test
    void p2cBreaksTiesOnLatency() {
        List<Endpoint> eps = endpoints(1, 1);
        eps.get(0).started();
        eps.get(0).finished(50_000_000);
        eps.get(1).started();
        eps.get(1).finished(1_000_000);
        Balancer b = create("p2c", eps);
        for (int i = 0; i < 20; i++) {
            assertThat(b.pick(RequestKey.NONE)).isSameAs(eps.get(1));
        }
    }

    @Test
    void hashKeysParseOrSayWhatIsExpected() {
        assertThat(HashKey.parse("header:X-User").of(new Req(null, "alice", null, "/")))
                .isEqualTo("alice");
        assertThat(HashKey.parse("cookie:route").of(new Req(null, null, "c", "/")))
                .isEqualTo("c");
        assertThat(HashKey.parse("path").of(new Req(null, null, null, "/a"))).isEqualTo("/a");
        assertThat(HashKey.parse("IP").of(Req.ip("1.1.1.1"))).isEqualTo("1.1.1.1");
        assertThatThrownBy(() -> HashKey.parse("header:")).hasMessageContaining("expected ip, path");
        assertThatThrownBy(() -> HashKey.parse("query:x")).hasMessageContaining("expected ip, path");
        assertThatThrownBy(() -> Balancer.create("random", List.of(), Optional.empty(), "c"))
                .hasMessageContaining("unknown load balancer");
        assertThat(KINDS).hasSize(7);
    }
}
