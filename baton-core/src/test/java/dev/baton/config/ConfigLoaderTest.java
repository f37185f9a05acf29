package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("PORT", "8181", "EMPTY", ""));

    private Config parse(String yaml) {
        return loader.parse(yaml, "baton.yaml");
    }

    private List<String> errors(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected the config to be rejected");
    }

    private static final String MINIMAL = """
            services:
              orders:
                instances:
                  - url: http://127.0.0.1:9101
            routes:
              - path: /api/orders/**
                service: orders
            """;

    @Test
    void appliesDefaults() {
        Config c = parse(MINIMAL);
        assertThat(c.server().listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.server().admin()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(c.server().dataDir()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(c.server().orchestratorPath()).isTrue();
        assertThat(c.limits().maxBodySize()).isEqualTo(10L << 20);
        assertThat(c.limits().requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.limits().maxConcurrentRequests()).isEqualTo(10_000);
        ServiceConfig orders = c.services().get("orders");
        assertThat(orders.name()).isEqualTo("orders");
        assertThat(orders.type()).isEqualTo("default");
        assertThat(orders.loadBalancer()).isEqualTo("round-robin");
        assertThat(orders.instances())
                .singleElement()
                .satisfies(i -> assertThat(i.weight()).isEqualTo(1));
        assertThat(c.routes()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo("route-0");
            assertThat(r.methods()).isEmpty();
            assertThat(r.timeout()).isEmpty();
        });
    }

    @Test
    void readsEverySupportedKey() {
        Config c = parse("""
                server:
                  listen: 0.0.0.0:${PORT}
                  admin: "[::1]:9091"
                  data-dir: /var/lib/baton
                  orchestrator-path: false
                  event-loops: 2
                  shutdown-grace: 1m30s
                limits:
                  max-body-size: 512KB
                  request-timeout: 250ms
                  max-concurrent-requests: 50
                services:
                  orders:
                    name: Orders
                    type: core
                    load-balancer: weighted
                    instances:
                      - url: http://127.0.0.1:9101/v1
                        weight: 3
                      - http://127.0.0.1:9102
                routes:
                  - id: orders
                    path: /api/orders/{id}
                    host: "*.example.com"
                    service: orders
                    strip-prefix: /api
                    methods: [get, POST]
                    timeout: 5s
                    preserve-host: true
                """);
        assertThat(c.server().listen()).isEqualTo(new HostPort("0.0.0.0", 8181));
        assertThat(c.server().admin()).isEqualTo(new HostPort("::1", 9091));
        assertThat(c.server().orchestratorPath()).isFalse();
        assertThat(c.server().eventLoops()).isEqualTo(2);
        assertThat(c.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.limits().maxBodySize()).isEqualTo(512 * 1024);
        assertThat(c.limits().requestTimeout()).isEqualTo(Duration.ofMillis(250));
        ServiceConfig orders = c.services().get("orders");
        assertThat(orders.instances())
                .extracting(i -> i.url().toString(), ServiceConfig.Instance::weight)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("http://127.0.0.1:9101/v1", 3),
                        org.assertj.core.groups.Tuple.tuple("http://127.0.0.1:9102", 1));
        RouteConfig r = c.routes().get(0);
        assertThat(r.methods()).containsExactlyInAnyOrder("GET", "POST");
        assertThat(r.host()).contains("*.example.com");
        assertThat(r.stripPrefix()).contains("/api");
        assertThat(r.timeout()).contains(Duration.ofSeconds(5));
        assertThat(r.preserveHost()).isTrue();
    }

    @Test
    void reportsEveryErrorWithFileLineAndPath() {
        List<String> errors = errors("""
                server:
                  lisen: 127.0.0.1:8080
                limits:
                  request-timeout: 10
                  max-body-size: lots
                services:
                  orders:
                    instances:
                      - url: ftp://example.com
                routes:
                  - path: /api/**
                    service: order
                """);
        assertThat(errors)
                .containsExactly(
                        "baton.yaml:2: server.lisen: unknown key (did you mean 'listen'?)",
                        "baton.yaml:4: limits.request-timeout: '10' is not a duration (expected a number with a unit: 250ms, 2s, 5m, 1h)",
                        "baton.yaml:5: limits.max-body-size: 'lots' is not a size (expected e.g. 512KB, 10MB, 1GB)",
                        "baton.yaml:9: services.orders.instances[0].url: 'ftp://example.com' is not an upstream URL (expected http://host:port or https://host:port)");
    }

    @Test
    void everyFeatureIsAcceptedButAServiceCannotDependOnItself() {
        List<String> errors = errors("""
                security:
                  jwt:
                    jwks-url: https://idp.example.com/jwks
                  ip-allow: [10.0.0.0/8]
                services:
                  orders:
                    instances: [http://127.0.0.1:9101]
                    health-check: { path: /health, interval: 2s }
                    retry: { attempts: 3 }
                    process: { command: [java, -jar, orders.jar] }
                    depends-on: [orders]
                routes:
                  - path: /x
                    service: orders
                    auth: { hmac: { secret: abc } }
                    ip-allow: [10.0.0.0/8]
                """);
        assertThat(errors)
                .containsExactly(
                        "baton.yaml:11: services.orders.depends-on: names the service itself",
                        "baton.yaml:15: routes[0].auth.hmac.secret: must be at least 32 characters");
    }

    @Test
    void processesAreReadWithTheirDefaults() {
        Config c = parse("""
                services:
                  orders:
                    instances: [http://127.0.0.1:9101, http://127.0.0.1:9102]
                    process:
                      command: [java, -jar, orders.jar, --port, "{port}"]
                      env: { MODE: "${MODE:-demo}" }
                      max-restarts: 3
                      restart: on-failure
                    depends-on: [db]
                  db:
                    instances: [http://127.0.0.1:5432]
                    process: { command: "exec db --fast", shell: true, priority: -5, per-instance: false }
                routes: []
                """);
        ProcessConfig p = c.services().get("orders").process().orElseThrow();
        assertThat(p.command()).containsExactly("java", "-jar", "orders.jar", "--port", "{port}");
        assertThat(p.env()).containsEntry("MODE", "demo");
        assertThat(p.perInstance()).isTrue(); // it names {port}
        assertThat(p.restart()).isEqualTo(ProcessConfig.Restart.ON_FAILURE);
        assertThat(p.maxRestarts()).isEqualTo(3);
        assertThat(p.restartDelay()).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(3)).isEqualTo(Duration.ofSeconds(8));
        assertThat(p.delay(10)).isEqualTo(Duration.ofMinutes(1));
        assertThat(p.stopGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(p.startTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.stableAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(p.restartWindow()).isEqualTo(Duration.ofMinutes(5));
        ProcessConfig db = c.services().get("db").process().orElseThrow();
        assertThat(db.command()).containsExactly("/bin/sh", "-c", "exec db --fast");
        assertThat(db.priority()).isEqualTo(-5);
        assertThat(DependencyGraph.of(c.services().values()).levels())
                .containsExactly(List.of("db"), List.of("orders"));
    }

    @Test
    void processMistakesAreReported() {
        List<String> errors = errors("""
                services:
                  orders:
                    instances: [http://127.0.0.1:9101, http://127.0.0.1:9102]
                    process:
                      command: [serve, "{port}"]
                      per-instance: false
                      restart: sometimes
                      restart-delay: 5s
                      max-delay: 1s
                      env: { 1BAD: x }
                      working-dir: /no/such/dir
                      colour: blue
                  db:
                    instances: [http://127.0.0.1:5432]
                    process: { shell: true, command: [a, b] }
                  cache:
                    instances: [http://127.0.0.1:6379]
                    process: {}
                routes: []
                """);
        assertThat(errors)
                .containsExactlyInAnyOrder(
                        "baton.yaml:10: services.orders.process.env.1BAD: is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)",
                        "baton.yaml:11: services.orders.process.working-dir: is not a directory: /no/such/dir",
                        "baton.yaml:6: services.orders.process.per-instance: is false, but the command or env names {port}, {host} or {instance} and the service has 2 instances: which one's?",
                        "baton.yaml:7: services.orders.process.restart: expected always, on-failure or never, got 'sometimes'",
                        "baton.yaml:9: services.orders.process.max-delay: is less than restart-delay (5000ms)",
                        "baton.yaml:12: services.orders.process.colour: unknown key",
                        "baton.yaml:15: services.db.process.command: with shell: true, give one string for /bin/sh -c",
                        "baton.yaml:18: services.cache.process.command: is required (a list: [program, arg, ...])");
    }

    @Test
    void aDiscoveryFileCannotMakeBatonLaunchAProgram() {
        assertThatThrownBy(() -> loader.parseServices("""
                        reports:
                          instances: [http://127.0.0.1:9101]
                          process: { command: [reports] }
                        """, "team.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "team.yaml:3: reports.process: only services in the config file can have a process Baton launches");
    }

    @Test
    void aDependencyCycleNamesEveryServiceInIt() {
        List<String> errors = errors("""
                services:
                  a:
                    instances: [http://127.0.0.1:9101]
                    depends-on: [b]
                  b:
                    instances: [http://127.0.0.1:9102]
                    depends-on: [c]
                  c:
                    instances: [http://127.0.0.1:9103]
                    depends-on: [a]
                  d:
                    instances: [http://127.0.0.1:9104]
                    depends-on: [a]
                routes: []
                """);
        assertThat(errors).containsExactly("baton.yaml:4: services.a.depends-on: forms a cycle: a -> b -> c -> a");
    }

    @Test
    void everyFeatureIsValidatedInFull() {
        List<String> errors = errors("""
                services:
                  orders:
                    instances: [http://127.0.0.1:9101]
                    health-check: { path: health, interval: 1s, timeout: 2s, unhealthy-thresold: 3, type: udp, expected-status: 200-100 }
                    circuit-breaker: { failure-rate-threshold: 150 }
                    rate-limit: { key: cookie }
                """);
        assertThat(errors)
                .contains(
                        "baton.yaml:4: services.orders.health-check.path: must start with '/'",
                        "baton.yaml:4: services.orders.health-check.timeout: must not exceed interval (1s)",
                        "baton.yaml:4: services.orders.health-check.type: 'udp' is not a check type (expected http or tcp)",
                        "baton.yaml:4: services.orders.health-check.expected-status: '200-100' is not a status or range like 200-399",
                        "baton.yaml:4: services.orders.health-check.unhealthy-thresold: unknown key (did you mean 'unhealthy-threshold'?)",
                        "baton.yaml:5: services.orders.circuit-breaker.failure-rate-threshold: must be between 1 and 100, but was 150",
                        "baton.yaml:6: services.orders.rate-limit.key: 'cookie' is not a rate-limit key (expected ip, route, global, header:NAME or claim:NAME)");
    }

    @Test
    void defaultsFitWhatTheUserWrote() {
        Config c = parse("""
                services:
                  orders:
                    instances: [http://127.0.0.1:9101]
                    health-check: { path: /health, interval: 1s, healthy-threshold: 1 }
                    retry: { backoff: 3s }
                  slow:
                    instances: [http://127.0.0.1:9102]
                    health-check: { interval: 30s }
                """);
        assertThat(c.services().get("orders").healthCheck().orElseThrow().timeout())
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(c.services().get("slow").healthCheck().orElseThrow().timeout())
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(c.services().get("orders").retry().orElseThrow().maxBackoff())
                .isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void anUnquotedVariableInAFlowMappingIsExplained() {
        assertThat(errors("observability: { tracing: { headers: { x-api-key: ${OTLP_KEY} } } }"))
                .singleElement()
                .asString()
                .contains("invalid YAML")
                .endsWith("(a ${OTLP_KEY} inside { } or [ ] must be quoted: \"${OTLP_KEY}\")");
    }

    @Test
    void anErrorIsOneLineWhateverTheValueHeld() {
        assertThat(errors("services: { s: { instances: [ \"http://a\\nb\\tc\" ] } }"))
                .containsExactly("baton.yaml:1: services.s.instances[0]: 'http://a\\nb\\tc' is not a valid URL:"
                        + " Illegal character in authority");
    }

    @Test
    void requestIdHeaderAndPolicy() {
        assertThat(parse(MINIMAL).server().requestId()).isEqualTo(RequestIdConfig.DEFAULT);
        assertThat(parse("server: { request-id: { header: X-Trace, invalid: replace } }\n" + MINIMAL)
                        .server()
                        .requestId())
                .isEqualTo(new RequestIdConfig("X-Trace", "x-trace", true));
        assertThat(errors("server: { request-id: { header: Host, invalid: ignore } }\n" + MINIMAL))
                .containsExactly(
                        "baton.yaml:1: server.request-id.header: 'Host' is a header Baton sets or checks itself; choose another",
                        "baton.yaml:1: server.request-id.invalid: 'ignore' is not a choice (expected reject or replace)");
        assertThat(errors("server: { request-id: { header: \"a b\" } }\n" + MINIMAL))
                .containsExactly("baton.yaml:1: server.request-id.header: 'a b' is not a header name");
    }

    @Test
    void environmentVariables() {
        assertThat(parse("""
                        server: { listen: "127.0.0.1:${MISSING:-7000}", admin: "127.0.0.1:${EMPTY:-7001}" }
                        """).server()).satisfies(s -> {
            assertThat(s.listen().port()).isEqualTo(7000);
            assertThat(s.admin().port()).isEqualTo(7001);
        });
        assertThat(errors("server: { listen: \"127.0.0.1:${NOPE}\" }"))
                .containsExactly("baton.yaml:1: server.listen: environment variable NOPE is not set");
    }

    @Test
    void routeValidation() {
        List<String> errors = errors("""
                services:
                  orders: { instances: [http://127.0.0.1:9101] }
                routes:
                  - { id: a, path: /api/**/x, service: orders }
                  - { id: a, path: api, service: orders }
                  - { path: "/x/{id}/{id}", service: orders, methods: [FETCH], host: "bad host" }
                  - { path: /x, service: orders, timeout: 6m, strip-prefix: x }
                  - { service: orders }
                """);
        assertThat(errors)
                .containsExactly(
                        "baton.yaml:4: routes[0].path: '**' may only end a path, as in /api/**",
                        "baton.yaml:5: routes[1].id: duplicate route id 'a'",
                        "baton.yaml:5: routes[1].path: 'api' must start with '/'",
                        "baton.yaml:6: routes[2].path: parameter {id} appears twice",
                        "baton.yaml:6: routes[2].host: 'bad host' is not a host name (expected api.example.com or *.example.com)",
                        "baton.yaml:6: routes[2].methods: unknown method 'FETCH' (expected one of GET, HEAD, POST, PUT, DELETE, PATCH, OPTIONS, TRACE)",
                        "baton.yaml:7: routes[3].strip-prefix: must start with '/'",
                        "baton.yaml:7: routes[3].timeout: must be between 1ms and 5m, but was 6m",
                        "baton.yaml:8: routes[4].path: is required");
    }

    @Test
    void serviceValidation() {
        List<String> errors = errors("""
                services:
                  "bad id!": { instances: [http://127.0.0.1:1] }
                  orders:
                    load-balancer: round-robbin
                    instances:
                      - { url: http://127.0.0.1:9101, weight: 0 }
                      - { url: http://127.0.0.1:9101, weight: 0 }
                  users:
                    load-balancer: p2c
                    hash-key: query:x
                    sticky-cookie: "a b"
                    outlier-detection: { max-ejection-percent: 150, base-ejection-time: 1ms, consecutive-fails: 3 }
                    panic-mode: sometimes
                  empty: {}
                """);
        assertThat(errors)
                .contains(
                        "baton.yaml:2: services.bad id!: service id must match [A-Za-z0-9][A-Za-z0-9._-]* (at most 64 characters)",
                        "baton.yaml:4: services.orders.load-balancer: unknown balancer 'round-robbin' (did you mean 'round-robin'?)",
                        "baton.yaml:7: services.orders.instances[1]: duplicate instance http://127.0.0.1:9101",
                        "baton.yaml:10: services.users.hash-key: only applies to load-balancer: consistent-hash",
                        "baton.yaml:10: services.users.hash-key: 'query:x' is not a hash key (expected ip, path, header:NAME or cookie:NAME)",
                        "baton.yaml:11: services.users.sticky-cookie: only applies to load-balancer: sticky",
                        "baton.yaml:11: services.users.sticky-cookie: 'a b' is not a cookie name (token characters, at most 64)");
        assertThat(errors)
                .anyMatch(e -> e.startsWith("baton.yaml:12: services.users.outlier-detection.max-ejection-percent:"))
                .anyMatch(e -> e.startsWith("baton.yaml:12: services.users.outlier-detection.base-ejection-time:"))
                .anyMatch(e -> e.startsWith("baton.yaml:12: services.users.outlier-detection.consecutive-fails:")
                        && e.contains("did you mean 'consecutive-failures'"))
                .anyMatch(e -> e.startsWith("baton.yaml:13: services.users.panic-mode:"));
        assertThat(errors)
                .anyMatch(e -> e.endsWith("services.orders.instances: at least one instance needs a weight above 0"));
        assertThat(errors)
                .anyMatch(e -> e.endsWith("services.users.instances: needs at least one instance with a url"));
        assertThat(errors)
                .anyMatch(e -> e.endsWith("services.empty.instances: needs at least one instance with a url"));
    }

    @Test
    void syntaxErrorsAndDuplicatesAndWrongShapes() {
        assertThat(errors("routes:\n  - { path: /x/{id} }\n"))
                .containsExactly(
                        "baton.yaml:2: invalid YAML: while parsing a flow mapping; expected ',' or '}', but got {");
        assertThat(errors("""
                server:
                  listen: 127.0.0.1:1
                  listen: 127.0.0.1:2
                """)).containsExactly("baton.yaml:3: listen: duplicate key");
        assertThat(errors("server: 8080")).containsExactly("baton.yaml:1: server: expected a mapping, got a scalar");
        assertThat(errors("routes: {a: 1}")).containsExactly("baton.yaml:1: routes: expected a list, got a mapping");
        assertThat(errors("server: { listen: 127.0.0.1:8080, admin: 127.0.0.1:8080 }"))
                .containsExactly("baton.yaml:1: server.admin: must differ from server.listen (127.0.0.1:8080)");
    }

    @Test
    void anEmptyFileIsAValidEmptyGateway() {
        Config c = parse("");
        assertThat(c.services()).isEmpty();
        assertThat(c.routes()).isEmpty();
    }

    @Test
    void relativePathsAreFromTheConfigFilesDirectory(@TempDir Path dir) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(conf.resolve("apps/orders"));
        Files.writeString(conf.resolve("order.schema.json"), "{\"type\": \"object\"}");
        Path file = conf.resolve("baton.yaml");
        Files.writeString(file, """
                server: { data-dir: ./state }
                access-log: { file: logs/access.log }
                discovery: { files: ../discovered }
                services:
                  orders:
                    instances: [http://127.0.0.1:9101]
                    process: { command: [./run], working-dir: apps/orders }
                routes:
                  - { path: /o/**, service: orders, validate: { json: { schema: order.schema.json } } }
                """);
        Config c = loader.load(file);
        assertThat(c.server().dataDir()).isEqualTo(conf.resolve("state"));
        assertThat(c.observability().accessLog().file()).contains(conf.resolve("logs/access.log"));
        assertThat(c.discovery().files()).contains(dir.resolve("discovered"));
        assertThat(c.services().get("orders").process().orElseThrow().workingDir())
                .contains(conf.resolve("apps/orders"));
        assertThat(c.routes().get(0).validate().orElseThrow().schemaText()).isPresent();
        assertThat(loader.load(file).server().dataDir())
                .as("the same wherever Baton runs from")
                .isEqualTo(c.server().dataDir());
    }

    @Test
    void unreadableFiles(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> loader.load(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith("nope.yaml:1: cannot read config: no such file");
        Path bad = dir.resolve("bad.yaml");
        Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xfe, 'a'});
        assertThatThrownBy(() -> loader.load(bad)).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void healthSettings() {
        assertThat(new ConfigLoader(Map.of())
                        .parse(
                                "health: { max-concurrent-checks: 25 }\nservices: { s: { instances: [http://127.0.0.1:1] } }",
                                "baton.yaml")
                        .health()
                        .maxConcurrentChecks())
                .isEqualTo(25);
        assertThat(errors("health: { max-concurrent-checks: 0, max-concurrent-check: 1 }\n"))
                .anyMatch(e -> e.startsWith("baton.yaml:1: health.max-concurrent-checks:"))
                .anyMatch(
                        e -> e.startsWith("baton.yaml:1: health.max-concurrent-check:") && e.contains("did you mean"));
    }

    @Test
    void retryAndBreakerSettingsAreReadAndChecked() {
        Config c = parse("""
                services:
                  orders:
                    timeout: 4s
                    instances: [http://127.0.0.1:9101]
                    retry:
                      attempts: 4
                      per-try-timeout: 1s
                      retry-on: [connect, timeout, 429, 5xx]
                      body-buffer: 8KB
                      methods: [post]
                      budget: { percent: 10, min-retries: 1 }
                    circuit-breaker:
                      scope: instance
                      window-type: time
                      window-size: 30
                      slow-call-duration: 2s
                      slow-call-rate-threshold: 80
                      failure-on: [timeout, 503]
                      fallback: { cache: 1m, status: 200, headers: { x-a: b }, body: "{}" }
                """);
        ServiceConfig s = c.services().get("orders");
        assertThat(s.timeout()).contains(Duration.ofSeconds(4));
        ServiceConfig.Retry r = s.retry().orElseThrow();
        assertThat(r.attempts()).isEqualTo(4);
        assertThat(r.perTryTimeout()).contains(Duration.ofSeconds(1));
        assertThat(r.retryOn().statuses()).contains(429, 500, 599).doesNotContain(404);
        assertThat(r.retryOn().reset()).isFalse();
        assertThat(r.bodyBuffer()).isEqualTo(8192);
        assertThat(r.methods()).containsExactly("POST");
        assertThat(r.budgetPercent()).isEqualTo(10);
        ServiceConfig.CircuitBreaker cb = s.circuitBreaker().orElseThrow();
        assertThat(cb.perInstance()).isTrue();
        assertThat(cb.timeWindow()).isTrue();
        assertThat(cb.failureOn().statuses()).containsExactly(503);
        assertThat(cb.fallback().cacheTtl()).contains(Duration.ofMinutes(1));
        assertThat(cb.fallback().headers()).containsEntry("x-a", "b");

        assertThat(errors("""
                        services:
                          orders:
                            instances: [http://127.0.0.1:9101]
                            retry: { attempts: 0, retry-on: [sometimes], budget: { percent: 200 } }
                            circuit-breaker: { scope: zone, window-type: sliding, slow-call-rate-threshold: 50 }
                        """))
                .containsExactlyInAnyOrder(
                        "baton.yaml:4: services.orders.retry.attempts: must be between 1 and 10, but was 0",
                        "baton.yaml:4: services.orders.retry.retry-on: 'sometimes' is not an outcome (expected connect, timeout, reset, 5xx, 4xx or a status)",
                        "baton.yaml:4: services.orders.retry.budget.percent: must be between 0 and 100, but was 200",
                        "baton.yaml:5: services.orders.circuit-breaker.scope: 'zone' is not a breaker scope (expected service or instance)",
                        "baton.yaml:5: services.orders.circuit-breaker.window-type: 'sliding' is not a window type (expected count or time)",
                        "baton.yaml:5: services.orders.circuit-breaker.slow-call-rate-threshold: needs slow-call-duration (which calls count as slow)");
    }

    @Test
    void redisRateLimitsNeedARedisAndClaimKeysNeedJwt() {
        assertThat(errors("""
                        services:
                          orders:
                            instances: [http://127.0.0.1:9101]
                            rate-limit: { store: redis, key: "claim:" }
                        routes: [ { path: /x, service: orders, rate-limit: { store: memcached } } ]
                        """))
                .containsExactlyInAnyOrder(
                        "baton.yaml:4: services.orders.rate-limit.key: 'claim:' is not a rate-limit key (expected ip, route, global, header:NAME or claim:NAME)",
                        "baton.yaml:5: routes[0].rate-limit.store: 'memcached' is not a rate-limit store (expected local or redis)",
                        "baton.yaml:1: redis: rate limits with store: redis need redis.url (e.g. redis://127.0.0.1:6379)");
        Config c = parse("""
                redis: { url: "redis://127.0.0.1:6379", timeout: 100ms, fail-open: false }
                services:
                  orders:
                    instances: [http://127.0.0.1:9101]
                    rate-limit: { requests-per-second: 0.5, store: redis, key: "header:X-Api-Key" }
                """);
        assertThat(c.redis().url())
                .hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(6379));
        assertThat(c.redis().failOpen()).isFalse();
        ServiceConfig.RateLimit l = c.services().get("orders").rateLimit().orElseThrow();
        assertThat(l.burst()).isEqualTo(1);
        assertThat(l.headerName()).isEqualTo("X-Api-Key");
        assertThat(l.redis()).isTrue();
    }

    @Test
    void tlsNeedsOneReadableKindOfKeyMaterial() {
        assertThat(errors("""
                        server:
                          tls: { cert: /nonexistent/cert.pem, pkcs12: /nonexistent/a.p12, protocols: [SSLv3] }
                        """))
                .containsExactlyInAnyOrder(
                        "baton.yaml:2: server.tls.cert: give either cert and key (PEM) or pkcs12 (with password), not both or neither",
                        "baton.yaml:2: server.tls.cert: cannot read /nonexistent/cert.pem",
                        "baton.yaml:2: server.tls.pkcs12: cannot read /nonexistent/a.p12",
                        "baton.yaml:2: server.tls.protocols: 'SSLv3' is not offered (expected TLSv1.2 or TLSv1.3)");
        assertThat(errors("server: { tls: { cert: /etc/hostname } }"))
                .contains("baton.yaml:1: server.tls.key: is required with cert");
    }
}
