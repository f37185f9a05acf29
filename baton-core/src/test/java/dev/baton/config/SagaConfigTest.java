package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Saga definitions in the config file: the shape, the defaults, and every template checked at load. */
class SagaConfigTest {
    static final String SERVICES = """
            services:
              inventory: { instances: [ "http://127.0.0.1:9101" ] }
              payments: { instances: [ "http://127.0.0.1:9102" ] }
              shipping: { instances: [ "http://127.0.0.1:9103" ] }
            """;

    static Config parse(String sagas) {
        return new ConfigLoader(Map.of("TOKEN", "t0k")).parse(SERVICES + sagas, "baton.yaml");
    }

    @Test
    void theIssuesExampleReadsWithItsDefaults() throws Exception {
        Config c = parse("""
                sagas:
                  place-order:
                    timeout: 2m
                    steps:
                      - id: reserve
                        call: { service: inventory, method: POST, path: /reservations,
                                body: { sku: "{{input.sku}}", qty: "{{input.qty}}", note: "n-{{input.qty}}", gift: false, count: 3 } }
                        compensate: { service: inventory, method: DELETE, path: "/reservations/{{steps.reserve.response.body.id}}" }
                        retry: { attempts: 5, backoff: 200ms, max-backoff: 10s }
                        timeout: 3s
                      - id: charge
                        call: { service: payments, method: POST, path: /charges, headers: { x-token: "${TOKEN}" },
                                body: { order: "{{saga.id}}", amount: "{{input.amount}}" } }
                        compensate: { service: payments, method: POST, path: "/charges/{{steps.charge.response.body.id}}/refund" }
                        retry-on: [409]
                        fail-on: [503]
                      - id: ship
                        pivot: true
                        call: { service: shipping, method: POST, path: /shipments, body: "{{input}}" }
                """);
        SagaConfig s = c.sagas().get("place-order");
        assertThat(s.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(s.compensationDeadline()).isEqualTo(Duration.ofHours(1));
        assertThat(s.steps()).extracting(SagaConfig.Step::id).containsExactly("reserve", "charge", "ship");
        SagaConfig.Step reserve = s.steps().get(0);
        assertThat(reserve.retry()).isEqualTo(new SagaConfig.Retry(5, Duration.ofMillis(200), Duration.ofSeconds(10)));
        assertThat(reserve.timeout()).isEqualTo(Duration.ofSeconds(3));
        JsonNode body = reserve.call().body().orElseThrow();
        assertThat(body.get("gift").isBoolean()).as("a YAML boolean stays one").isTrue();
        assertThat(body.get("count").isInt()).isTrue();
        assertThat(body.get("qty").textValue()).isEqualTo("{{input.qty}}");
        assertThat(reserve.compensate().orElseThrow().method()).isEqualTo("DELETE");
        SagaConfig.Step charge = s.steps().get(1);
        assertThat(charge.call().headers().get("x-token").source()).isEqualTo("t0k");
        assertThat(charge.retryOn().contains(409)).isTrue();
        assertThat(charge.failOn().contains(503)).isTrue();
        assertThat(charge.retry()).isEqualTo(SagaConfig.Retry.DEFAULT);
        assertThat(charge.timeout()).isEqualTo(SagaConfig.DEFAULT_STEP_TIMEOUT);
        assertThat(s.steps().get(2).pivot()).isTrue();
        assertThat(s.steps().get(2).compensate()).isEmpty();

        Template t = reserve.call()
                .body()
                .map(b -> Template.parse(b.get("note").textValue()))
                .orElseThrow();
        JsonNode input = new ObjectMapper().readTree("{\"qty\": 2}");
        assertThat(t.text(r -> Optional.ofNullable(input.get(r.path().get(1))))).isEqualTo("n-2");
        Template single = Template.parse("{{input.qty}}");
        assertThat(single.value(r -> Optional.ofNullable(input.get(r.path().get(1))))
                        .isInt())
                .as("exactly one template keeps its JSON type")
                .isTrue();
        assertThatThrownBy(() -> Template.parse("{{input.nope}}").text(r -> Optional.empty()))
                .isInstanceOf(Template.Unresolved.class)
                .hasMessage("{{input.nope}} names nothing");
    }

    @Test
    void aTemplateThatCanNameNothingIsAnErrorAtItsLine() {
        assertThatThrownBy(() -> parse("""
                sagas:
                  bad:
                    steps:
                      - id: a
                        call: { service: inventory, path: "/x/{{steps.b.response.body.id}}" }
                      - id: b
                        call: { service: payments, path: /y, body: { who: "{{sagas.id}}", s: "{{steps.a.response.code}}" } }
                        compensate: { service: payments, path: "/z/{{steps.c.response.status}}", method: DELETE }
                      - id: c
                        call: { service: shipping, path: "/{{input.x", headers: { Idempotency-Key: k } }
                      - id: a
                        call: { service: nowhere, path: relative, method: BREW }
                        retry: { backoff: 2s, max-backoff: 1s }
                        fail-on: [6xx]
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "baton.yaml:9: sagas.bad.steps[0].call.path: {{steps.b.response.body.id}}: no step"
                                + " 'b' has run by then")
                .hasMessageContaining(
                        "baton.yaml:11: sagas.bad.steps[1].call.body.who: {{sagas.id}}: a reference starts"
                                + " with input, saga or steps")
                .hasMessageContaining("sagas.bad.steps[1].call.body.s: {{steps.a.response.code}}: a response has body,"
                        + " status and headers")
                .hasMessageContaining("sagas.bad.steps[1].compensate.path: {{steps.c.response.status}}: no step 'c'"
                        + " has run by then (before it: a, b)")
                .hasMessageContaining("sagas.bad.steps[2].call.path: '{{' at 1 is not closed with '}}'")
                .hasMessageContaining(
                        "sagas.bad.steps[2].call.headers.Idempotency-Key: is set by Baton on every saga" + " call")
                .hasMessageContaining("sagas.bad.steps[3].id: another step is 'a' already")
                .hasMessageContaining("sagas.bad.steps[3].call.path: must start with '/'")
                .hasMessageContaining("sagas.bad.steps[3].call.method: 'BREW' is not a method")
                .hasMessageContaining("sagas.bad.steps[3].retry.max-backoff: must be at least backoff (2s)")
                .hasMessageContaining("sagas.bad.steps[3].fail-on: '6xx' is not a status");
    }

    @Test
    void aServiceNoOneDefinesIsAWarningAndAStepNeedsACall() {
        Config c = parse("""
                sagas:
                  later:
                    steps:
                      - { id: one, call: { service: reports, path: /r } }
                """);
        assertThat(c.warnings())
                .extracting(ConfigError::toString)
                .containsExactly("baton.yaml:8: sagas.later.steps[0].call.service: no service 'reports' is defined:"
                        + " calls fail until one registers");
        assertThatThrownBy(() -> parse("""
                sagas:
                  empty: { steps: [] }
                  nocall: { steps: [ { id: x } ] }
                """))
                .hasMessageContaining("sagas.empty.steps: a saga needs at least one step")
                .hasMessageContaining("sagas.nocall.steps[0].call: is required");
    }
}
