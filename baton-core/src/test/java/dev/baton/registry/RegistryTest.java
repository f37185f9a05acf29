package dev.baton.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceRegistration;
import dev.baton.testing.FakeClock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RegistryTest {
    final FakeClock clock = new FakeClock();
    final Registry registry = new Registry(clock);
    final Config file = new ConfigLoader(Map.of()).parse("""
                    services:
                      orders: { instances: [ "http://127.0.0.1:9101" ] }
                      billing: { instances: [ "http://127.0.0.1:9201" ] }
                    routes: [ { path: /orders/**, service: orders } ]
                    """, "baton.yaml");

    static ServiceRegistration reg(String json) {
        return ServiceRegistration.parse(json, Set.of("orders", "billing"));
    }

    @Test
    void registrationsLayerOverTheConfigFileByIdAndUnregisteringRevealsItAgain() {
        assertThat(registry.register(reg("{\"id\":\"orders\",\"endpoint\":\"http://10.0.0.9:1\"}")))
                .isFalse();
        assertThat(registry.register(reg("{\"id\":\"search\",\"endpoint\":\"http://10.0.0.7:1\"}")))
                .isFalse();
        Registry.Merged merged = registry.merge(file);
        assertThat(merged.config().services().keySet()).containsExactly("orders", "billing", "search");
        assertThat(merged.config()
                        .services()
                        .get("orders")
                        .instances()
                        .get(0)
                        .url()
                        .getHost())
                .isEqualTo("10.0.0.9");
        assertThat(merged.sources())
                .containsEntry("orders", Source.REGISTRATION)
                .containsEntry("billing", Source.CONFIG)
                .containsEntry("search", Source.REGISTRATION);
        assertThat(merged.config().routes()).isEqualTo(file.routes());

        assertThat(registry.register(reg("{\"id\":\"search\",\"endpoint\":\"http://10.0.0.8:1\"}")))
                .isTrue();
        assertThat(registry.unregister("orders")).isPresent();
        assertThat(registry.unregister("orders")).isEmpty();
        merged = registry.merge(file);
        assertThat(merged.sources()).containsEntry("orders", Source.CONFIG);
        assertThat(merged.config()
                        .services()
                        .get("search")
                        .instances()
                        .get(0)
                        .url()
                        .getHost())
                .isEqualTo("10.0.0.8");
    }

    @Test
    void leasedInstancesExpireUnlessRenewedAndTheRestStay() {
        registry.register(reg("""
                {"id": "search", "instances": [
                  {"url": "http://10.0.0.1:1", "ttl": "10s"},
                  "http://10.0.0.2:1",
                  {"url": "http://10.0.0.3:1", "ttl": "10s"}]}
                """));
        clock.advance(Duration.ofSeconds(6));
        assertThat(registry.heartbeat("search", "search-2")).isEqualTo(Registry.Heartbeat.RENEWED);
        assertThat(registry.heartbeat("search", "search-1")).isEqualTo(Registry.Heartbeat.NO_LEASE);
        assertThat(registry.heartbeat("search", "search-9")).isEqualTo(Registry.Heartbeat.UNKNOWN_INSTANCE);
        assertThat(registry.heartbeat("nope", "search-0")).isEqualTo(Registry.Heartbeat.UNKNOWN_SERVICE);
        assertThat(registry.expire()).isEmpty();

        clock.advance(Duration.ofSeconds(4));
        var expired = registry.expire();
        assertThat(expired).singleElement().satisfies(e -> {
            assertThat(e.serviceId()).isEqualTo("search");
            assertThat(e.instanceIds()).containsExactly("search-0");
            assertThat(e.remaining()).isPresent();
        });
        ServiceConfig left = registry.registration("search").orElseThrow().service();
        // Ids given by position do not shift when an earlier instance goes.
        assertThat(left.instances()).extracting(ServiceConfig.Instance::id).containsExactly("search-1", "search-2");
        assertThat(registry.leaseExpiry("search", "search-2"))
                .contains(clock.instant().plusSeconds(6));
        assertThat(registry.heartbeat("search", "search-0")).isEqualTo(Registry.Heartbeat.UNKNOWN_INSTANCE);

        // The rewritten body reads back to the same registration, as it will after a restart.
        ServiceRegistration reread = ServiceRegistration.parse(
                registry.registration("search").orElseThrow().body(), Set.of());
        assertThat(reread.service()).isEqualTo(left);
    }

    @Test
    void aRegistrationWhoseLastInstanceExpiresIsRemoved() {
        registry.register(reg("{\"id\":\"s\",\"instances\":[{\"url\":\"http://10.0.0.1:1\",\"ttl\":\"5s\"}]}"));
        clock.advance(Duration.ofSeconds(5));
        assertThat(registry.expire())
                .singleElement()
                .satisfies(e -> assertThat(e.remaining()).isEmpty());
        assertThat(registry.registration("s")).isEmpty();
        assertThat(registry.merge(file).config().services()).doesNotContainKey("s");
    }

    @Test
    void reRegisteringGrantsAFreshLease() {
        String body = "{\"id\":\"s\",\"instances\":[{\"url\":\"http://10.0.0.1:1\",\"ttl\":\"5s\"}]}";
        registry.register(reg(body));
        clock.advance(Duration.ofSeconds(4));
        registry.register(reg(body));
        clock.advance(Duration.ofSeconds(4));
        assertThat(registry.expire()).isEmpty();
    }

    @Test
    void discoveryReportsWhatAppearedChangedAndWentAndSitsBetweenFileAndRegistrations() {
        ServiceConfig a =
                reg("{\"id\":\"billing\",\"endpoint\":\"http://10.1.0.1:1\"}").service();
        ServiceConfig b =
                reg("{\"id\":\"audit\",\"endpoint\":\"http://10.1.0.2:1\"}").service();
        var first = registry.discovered(
                Map.of("billing", new Registry.Discovered(a, "a.yaml"), "audit", new Registry.Discovered(b, "a.yaml")));
        assertThat(first.added()).hasSize(2);
        assertThat(registry.merge(file).sources())
                .containsEntry("billing", Source.DISCOVERY)
                .containsEntry("audit", Source.DISCOVERY);

        ServiceConfig b2 =
                reg("{\"id\":\"audit\",\"endpoint\":\"http://10.1.0.3:1\"}").service();
        var second = registry.discovered(Map.of("audit", new Registry.Discovered(b2, "a.yaml")));
        assertThat(second.added()).isEmpty();
        assertThat(second.changed()).extracting(d -> d.service().id()).containsExactly("audit");
        assertThat(second.removed()).extracting(d -> d.service().id()).containsExactly("billing");
        assertThat(registry.discovered(Map.of("audit", new Registry.Discovered(b2, "a.yaml")))
                        .isEmpty())
                .isTrue();

        registry.register(reg("{\"id\":\"audit\",\"endpoint\":\"http://10.1.0.4:1\"}"));
        assertThat(registry.merge(file).sources()).containsEntry("audit", Source.REGISTRATION);
        assertThat(registry.ids(file)).containsExactly("orders", "billing", "audit");
    }
}
