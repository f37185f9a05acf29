package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics shows breakers, retries, bulkheads and rate limits with bounded labels, and follows reloads. */
class ResilienceMetricsTest {
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
        baton.close();
        up.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
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
}
