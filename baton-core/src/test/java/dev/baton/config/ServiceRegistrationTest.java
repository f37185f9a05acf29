package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceRegistrationTest {

    private static List<String> errors(String body) {
        try {
            ServiceRegistration.parse(body, Set.of("inventory"));
        } catch (ConfigException e) {
            return e.errors().stream()
                    .map(err -> err.path() + ": " + err.message())
                    .toList();
        }
        throw new AssertionError("expected the registration to be rejected");
    }

    @Test
    void theConfigShapeReadsEveryInstanceField() {
        ServiceRegistration r = ServiceRegistration.parse("""
                {"id": "orders", "type": "core", "load-balancer": "least-connections",
                 "instances": [
                   {"id": "o1", "url": "http://10.0.0.1:9101", "weight": 3, "zone": "eu-1a",
                    "tags": ["blue"], "metadata": {"version": "1.4.2"}, "ttl": "30s"},
                   "http://10.0.0.2:9101"],
                 "health-check": {"path": "/ready", "interval": "5s"},
                 "depends-on": ["inventory"]}
                """, Set.of("inventory"));
        ServiceConfig s = r.service();
        assertThat(s.id()).isEqualTo("orders");
        assertThat(s.loadBalancer()).isEqualTo("least-connections");
        ServiceConfig.Instance first = s.instances().get(0);
        assertThat(first.id()).isEqualTo("o1");
        assertThat(first.weight()).isEqualTo(3);
        assertThat(first.zone()).contains("eu-1a");
        assertThat(first.tags()).containsExactly("blue");
        assertThat(first.metadata()).isEqualTo(Map.of("version", "1.4.2"));
        assertThat(first.ttl()).contains(Duration.ofSeconds(30));
        assertThat(s.instances().get(1).id()).isEqualTo("orders-1");
        assertThat(s.instances().get(1).ttl()).isEmpty();
        assertThat(s.healthCheck().orElseThrow().path()).isEqualTo("/ready");
        assertThat(s.dependsOn()).containsExactly("inventory");
        assertThat(r.warnings()).isEmpty();
    }

    @Test
    void theFlatShapeOfOlderOrchestratorsMapsOntoTheConfigShape() {
        ServiceRegistration r = ServiceRegistration.parse("""
                {"id": "orders", "name": "Orders", "type": "core", "endpoint": "http://127.0.0.1:9101",
                 "healthCheckPath": "/health", "healthCheckInterval": 500, "maxRestarts": 3,
                 "restartDelay": 1000, "priority": 1, "dependencies": ["inventory"]}
                """, Set.of("inventory"));
        ServiceConfig s = r.service();
        assertThat(s.name()).isEqualTo("Orders");
        assertThat(s.instances()).extracting(i -> i.url().toString()).containsExactly("http://127.0.0.1:9101");
        assertThat(s.healthCheck().orElseThrow().interval()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.healthCheck().orElseThrow().timeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(s.dependsOn()).containsExactly("inventory");
        assertThat(r.warnings()).singleElement().asString().contains("maxRestarts, restartDelay, priority");
    }

    @Test
    void aRegistrationCannotMakeBatonReadAFile() {
        assertThat(errors("""
                        {"id": "vault", "instances": ["https://10.0.0.9:8443"],
                         "tls": {"ca": "/etc/shadow", "cert": "/root/.ssh/id_rsa", "key": "/nope"}}
                        """))
                .containsExactly(
                        "tls.ca: a run-time registration cannot name files; give the service its tls: in the config"
                                + " file",
                        "tls.cert: a run-time registration cannot name files; give the service its tls: in the"
                                + " config file",
                        "tls.key: a run-time registration cannot name files; give the service its tls: in the config"
                                + " file");
        ServiceConfig named = ServiceRegistration.parse("""
                        {"id": "vault", "instances": ["https://10.0.0.9:8443"], "tls": {"server-name": "vault.internal"}}
                        """, Set.of()).service();
        assertThat(named.tls().orElseThrow().serverName()).contains("vault.internal");
    }

    @Test
    void everyProblemIsListedUnderTheFieldTheCallerSent() {
        assertThat(errors("""
                        {"id": "bad id!", "endpoint": "ftp://x", "healthCheckInterval": "soon",
                         "dependencies": ["inventroy"], "colour": "red"}
                        """))
                .containsExactlyInAnyOrder(
                        "id: 'bad id!' is not a service id ([A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters)",
                        "endpoint: 'ftp://x' is not an upstream URL (expected http://host:port or https://host:port)",
                        "healthCheckInterval: expected a whole number, got 'soon'",
                        "dependencies: names unknown service 'inventroy' (did you mean 'inventory'?)",
                        "colour: unknown key");
        assertThat(errors("""
                        {"id": "o", "instances": [{"url": "http://a:1", "id": "x"}, {"url": "http://b:1", "id": "x"}],
                         "load-balancer": "random"}
                        """))
                .anySatisfy(e -> assertThat(e).contains("duplicate instance id 'x'"))
                .anySatisfy(e -> assertThat(e).startsWith("load-balancer: unknown balancer 'random'"));
    }

    @Test
    void malformedOrEmptyBodiesSaySo() {
        assertThat(errors("{\"id\": \"o\", ")).singleElement().asString().startsWith(": invalid JSON");
        assertThat(errors("{} {}")).singleElement().asString().contains("more content");
        assertThat(errors("[1]")).singleElement().asString().contains("expected a JSON object");
        assertThat(errors("")).singleElement().asString().contains("expected a JSON object");
        assertThat(errors("{\"endpoint\": \"http://a:1\"}")).containsExactly("id: is required");
    }

    @Test
    void aRegistrationCanNeverMakeBatonLaunchAProgram() {
        assertThat(errors("""
                        {"id": "x", "instances": ["http://127.0.0.1:1"], "process": {"command": ["rm", "-rf", "/"]}}
                        """))
                .containsExactly("process: only services in the config file can have a process Baton launches");
    }

    @Test
    void registrationsNeverReadTheEnvironment() {
        assertThat(errors("""
                        {"id": "o", "instances": ["http://${HOME}:1"]}
                        """)).singleElement().asString().contains("environment variable HOME is not set");
        assertThat(ServiceRegistration.parse("{\"id\":\"o\",\"endpoint\":\"http://a:1\"}", Set.of())
                        .service()
                        .instances()
                        .get(0)
                        .zone())
                .isEqualTo(Optional.empty());
    }
}
