package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /metrics: every name and label the README's Metrics lists after a scripted scenario,
 * breakers, retries, bulkheads and rate limits with bounded labels, and meters
 * that follow reloads.
 */
class MetricsTest {
    @TempDir
    Path dir;

    Vertx vertx;
    TestUpstream up;
    Baton baton;
    Path file;

    String yaml(boolean withLimit) {
        return """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  orders:
                    circuit-breaker: { minimum-calls: 50 }
                    retry: { attempts: 2, backoff: 1ms }
                    max-concurrent: 100
                    instances: [ "%s", "http://127.0.0.1:1" ]
                routes:
                  - id: limited
                    path: /**
                    service: orders
                    %s
                """.formatted(
                        dir.resolve("data"),
                        up.url(),
                        withLimit ? "rate-limit: { requests-per-second: 1, burst: 2, key: ip }" : "");
    }

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        up = TestUpstream.ok(vertx);
        file = Files.writeString(dir.resolve("baton.yaml"), yaml(true));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() throws Exception {
        Calls.closeAll(vertx, baton, up);
    }

    String metrics() throws Exception {
        HttpResponse<String> r = Calls.get(baton.adminPort(), "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return r.body();
    }

    @Test
    void everyResilienceMeterWithItsLabels() throws Exception {
        for (int i = 0; i < 3; i++) {
            Calls.get(baton.proxyPort(), "/x"); // round-robin: one goes to the dead instance and is retried
        }
        String m = metrics();
        assertThat(m)
                .contains("orchestrator_rate_limit_exceeded_total{identifier=\"route:limited\"} 1.0")
                .contains("orchestrator_circuit_breaker_state{service_name=\"orders\",state=\"CLOSED\"} 1.0")
                .contains("orchestrator_circuit_breaker_state{service_name=\"orders\",state=\"OPEN\"} 0.0")
                .contains("orchestrator_retries_total{service_name=\"orders\"} 1.0")
                .contains("orchestrator_retry_budget_exhausted_total{service_name=\"orders\"} 0.0")
                .contains("orchestrator_bulkhead_rejected_total{service_name=\"orders\"} 0.0")
                .contains("orchestrator_security_violations_total{violation_type=\"path_traversal\"} 0.0")
                .doesNotContain("127.0.0.1\"");

        Files.writeString(file, yaml(false));
        baton.reload();
        assertThat(metrics()).doesNotContain("orchestrator_rate_limit_exceeded_total{identifier=\"route:limited\"}");
    }

    /** The samples of a scrape: {@code name{labels}} to value. */
    static Map<String, Double> samples(String text) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    static double sample(Map<String, Double> samples, String key) {
        assertThat(samples).as("a sample " + key).containsKey(key);
        return samples.get(key);
    }

    @Test
    void everyContractMetricWithItsLabelsAfterAScriptedScenario() throws Exception {
        Files.writeString(file, """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  orders:
                    retry: { attempts: 3, backoff: 1ms }
                    health-check: { path: /health, interval: 100ms, timeout: 100ms, unhealthy-threshold: 1, healthy-threshold: 1 }
                    instances: [ "%s", "http://127.0.0.1:1" ]
                routes:
                  - id: orders
                    path: /api/**
                    service: orders
                    rate-limit: { requests-per-second: 1000, burst: 1000, key: ip }
                """.formatted(dir.resolve("data"), up.url()));
        baton.reload();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> samples(metrics())
                                .getOrDefault("orchestrator_service_health_status{service_name=\"orders\"}", -1.0)
                        == 0.5);
        // The dead instance of orders is checked out of rotation by now; a registered
        // service with only a dead instance shows the failed tries.
        assertThat(Calls.send(baton.proxyPort(), "POST", "/api/orders", "x".repeat(1000))
                        .statusCode())
                .isEqualTo(200);
        assertThat(Calls.get(baton.proxyPort(), "/api/orders").statusCode()).isEqualTo(200);
        assertThat(Calls.get(baton.proxyPort(), "/nowhere").statusCode()).isEqualTo(404);
        HttpResponse<String> reg = Calls.send(
                baton.adminPort(),
                "POST",
                "/services/register",
                "{\"id\":\"extra\",\"endpoint\":\"http://127.0.0.1:1\"}");
        assertThat(reg.statusCode()).isEqualTo(201);
        HttpResponse<String> viaExtra = Calls.get(baton.proxyPort(), "/orchestrator/extra/x");
        assertThat(viaExtra.statusCode()).isEqualTo(502);

        // A request is counted just after its response is sent: a scrape may race the last one.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> samples(metrics())
                        .containsKey("orchestrator_requests_total{service_name=\"extra\",status=\"502\"}"));
        Map<String, Double> m = samples(metrics());
        assertThat(m.keySet())
                .as("no check series for a service without checks")
                .noneMatch(k -> k.startsWith("orchestrator_health_checks_total{service_name=\"extra\""));
        assertThat(sample(m, "orchestrator_requests_total{service_name=\"orders\",status=\"200\"}"))
                .isEqualTo(2.0);
        assertThat(sample(m, "orchestrator_requests_total{service_name=\"unrouted\",status=\"404\"}"))
                .isEqualTo(1.0);
        assertThat(sample(m, "orchestrator_requests_total{service_name=\"extra\",status=\"502\"}"))
                .isEqualTo(1.0);
        assertThat(sample(m, "orchestrator_request_duration_seconds_count{service_name=\"orders\"}"))
                .isEqualTo(2.0);
        assertThat(sample(m, "orchestrator_request_duration_seconds_bucket{service_name=\"orders\",le=\"30.0\"}"))
                .isEqualTo(2.0);
        assertThat(m)
                .containsKey("orchestrator_request_duration_seconds_bucket{service_name=\"orders\",le=\"5.0E-4\"}");
        assertThat(sample(m, "orchestrator_routing_total{service_name=\"orders\",status=\"200\"}"))
                .isEqualTo(2.0);
        assertThat(sample(m, "orchestrator_routing_total{service_name=\"extra\",status=\"connect_failure\"}"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(sample(m, "orchestrator_routing_duration_seconds_count{service_name=\"orders\"}"))
                .isEqualTo(2.0);
        assertThat(sample(m, "orchestrator_payload_size_bytes_sum{service_name=\"orders\"}"))
                .isEqualTo(1000.0);
        assertThat(sample(m, "orchestrator_payload_size_bytes_count{service_name=\"orders\"}"))
                .isEqualTo(2.0);
        assertThat(sample(m, "orchestrator_active_services")).isEqualTo(2.0);
        assertThat(sample(m, "orchestrator_health_checks_total{service_name=\"orders\",status=\"success\"}"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(sample(m, "orchestrator_health_checks_total{service_name=\"orders\",status=\"failure\"}"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(sample(m, "orchestrator_health_check_duration_seconds_count{service_name=\"orders\"}"))
                .isGreaterThanOrEqualTo(2.0);
        assertThat(sample(m, "orchestrator_service_health_status{service_name=\"orders\"}"))
                .isEqualTo(0.5);
        assertThat(sample(m, "orchestrator_service_discoveries_total{action=\"registered\",service_name=\"extra\"}"))
                .isEqualTo(1.0);
        assertThat(sample(m, "orchestrator_discovered_services{status=\"DEGRADED\"}"))
                .isEqualTo(1.0);
        assertThat(sample(m, "orchestrator_discovered_services{status=\"UNKNOWN\"}"))
                .isEqualTo(1.0);
        assertThat(sample(m, "orchestrator_events_published_total{event_type=\"SERVICE_REGISTERED\"}"))
                .isEqualTo(1.0);
        assertThat(sample(m, "orchestrator_events_published_total{event_type=\"SERVICE_HEALTH_CHANGED\"}"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(sample(
                        m, "orchestrator_events_handled_total{event_type=\"SERVICE_REGISTERED\",handler=\"metrics\"}"))
                .isEqualTo(1.0);
        assertThat(sample(m, "orchestrator_security_violations_total{violation_type=\"ip_denied\"}"))
                .isZero();
        assertThat(sample(m, "orchestrator_rate_limit_exceeded_total{identifier=\"route:orders\"}"))
                .isZero();
        // JVM, event loops and the upstream pool
        assertThat(m.keySet())
                .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"))
                .anyMatch(k -> k.startsWith("jvm_gc_"))
                .anyMatch(k -> k.startsWith("orchestrator_event_loop_lag_seconds{loop=\"0\"}"))
                .anyMatch(k -> k.startsWith("orchestrator_event_loop_pending_tasks{loop=\"0\"}"))
                .anyMatch(k -> k.startsWith("netty_allocator_"));
        assertThat(sample(m, "orchestrator_upstream_connections_opened_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(sample(m, "orchestrator_upstream_connections{state=\"idle\"}"))
                .isGreaterThanOrEqualTo(1.0);
        assertThat(sample(m, "orchestrator_upstream_connections_failed_total")).isGreaterThanOrEqualTo(1.0);
        assertThat(sample(m, "orchestrator_client_connections")).isGreaterThanOrEqualTo(0.0);
        assertThat(sample(m, "orchestrator_client_connections_closed_total{reason=\"header_timeout\"}"))
                .isEqualTo(0.0);
        // Bounded labels: never a path or an address.
        assertThat(m.keySet()).noneMatch(k -> k.contains("/api") || k.contains("/nowhere") || k.contains("127.0.0.1"));

        // A service that goes away takes its meters with it.
        assertThat(Calls.send(baton.adminPort(), "DELETE", "/services/extra", null)
                        .statusCode())
                .isEqualTo(204);
        assertThat(samples(metrics()).keySet())
                .noneMatch(k -> k.startsWith("orchestrator_requests_total{service_name=\"extra\""));
    }
}
