package dev.baton.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.AlertRule;
import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.ConfigLoader;
import dev.baton.control.Snapshot;
import dev.baton.events.Event;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Alert rules: the language, and firing and resolving on a fake clock. */
class AlertsTest {
    final FakeClock clock = new FakeClock();
    final Stats stats = new Stats(clock);
    final List<Event> events = new ArrayList<>();
    final AtomicReference<HealthStatus> health = new AtomicReference<>(HealthStatus.HEALTHY);
    final Config config = new ConfigLoader(Map.of()).parse("""
                    services:
                      orders: { instances: [ "http://127.0.0.1:1" ] }
                      payments: { instances: [ "http://127.0.0.1:2" ] }
                    routes:
                      - { id: checkout, path: /checkout/**, service: orders }
                    alerts:
                      - { name: errors, when: "error-rate(orders) > 5% for 1m", severity: page }
                      - { name: slow, when: "p99(orders, 30s) > 200ms" }
                      - { name: down, when: "health(any) == UNHEALTHY for 10s" }
                      - { name: quiet, when: "rps(route:checkout) < 1 for 5m" }
                    """, "baton.yaml");
    final Snapshot snapshot = Snapshot.compile(config);
    final Alerts alerts = new Alerts(
            stats,
            () -> snapshot,
            s -> s.id().equals("payments") ? health.get() : HealthStatus.HEALTHY,
            (type, data) -> events.add(new Event(events.size() + 1, type, clock.instant(), new HashMap<>(data))),
            clock);

    AlertsTest() {
        alerts.configure(config.observability().alerts());
    }

    Alerts.Alert alert(String name) {
        return alerts.alerts().stream()
                .filter(a -> a.rule().name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    /** One second of traffic to orders (and its route), then an evaluation. */
    void second(int requests, int errors, long latencyMs) {
        for (int i = 0; i < requests; i++) {
            stats.record("service:orders", latencyMs * 1_000_000, i < errors);
            stats.record("route:checkout", latencyMs * 1_000_000, i < errors);
        }
        clock.advance(Duration.ofSeconds(1));
        alerts.evaluate();
    }

    List<String> fired() {
        return events.stream().map(e -> e.type() + " " + e.data().get("alert")).toList();
    }

    @Test
    void anErrorRateAlertFiresAfterHoldingForItsDurationAndResolves() {
        for (int s = 0; s < 30; s++) {
            second(100, 1, 10);
        }
        assertThat(alert("errors").state()).isEqualTo(Alerts.State.INACTIVE);
        for (int s = 0; s < 5; s++) {
            second(100, 50, 10); // the 1m window's rate passes 5% within a few seconds
        }
        assertThat(alert("errors").state()).isEqualTo(Alerts.State.PENDING);
        java.time.Instant pendingSince = alert("errors").since();
        while (alert("errors").state() == Alerts.State.PENDING) {
            second(100, 50, 10);
        }
        assertThat(alert("errors").state()).isEqualTo(Alerts.State.FIRING);
        assertThat(Duration.between(pendingSince, alert("errors").firedAt())).isEqualTo(Duration.ofMinutes(1));
        assertThat(fired()).containsOnlyOnce("ALERT_FIRING errors");
        Event firing = events.stream()
                .filter(e -> e.type() == EventType.ALERT_FIRING)
                .findFirst()
                .orElseThrow();
        assertThat(firing.data())
                .containsEntry("severity", "page")
                .containsEntry("rule", "error-rate(orders) > 5% for 1m")
                .containsEntry("targets", List.of("orders"));
        assertThat((Double) firing.data().get("value")).isGreaterThan(0.05);

        for (int s = 0; s < 70; s++) {
            second(100, 0, 10); // the window clears
        }
        assertThat(alert("errors").state()).isEqualTo(Alerts.State.INACTIVE);
        assertThat(fired()).containsOnlyOnce("ALERT_RESOLVED errors");
        Event resolved = events.stream()
                .filter(e -> e.type() == EventType.ALERT_RESOLVED)
                .findFirst()
                .orElseThrow();
        assertThat((Long) resolved.data().get("durationSeconds")).isPositive();
    }

    @Test
    void latencyHealthAndSilenceRules() {
        second(100, 0, 500);
        assertThat(alert("slow").state()).as("no 'for': fires at once").isEqualTo(Alerts.State.FIRING);
        assertThat(alert("quiet").state())
                .as("100 requests in the 1m window: 1.7/s")
                .isEqualTo(Alerts.State.INACTIVE);

        health.set(HealthStatus.UNHEALTHY);
        for (int s = 0; s < 9; s++) {
            second(100, 0, 500);
        }
        assertThat(alert("down").state()).isEqualTo(Alerts.State.PENDING);
        assertThat(alert("down").targets()).containsExactly("payments");
        second(100, 0, 500);
        second(100, 0, 500);
        assertThat(alert("down").state()).isEqualTo(Alerts.State.FIRING);
        health.set(HealthStatus.HEALTHY);
        second(100, 0, 500);
        assertThat(alert("down").state()).isEqualTo(Alerts.State.INACTIVE);
        assertThat(fired()).contains("ALERT_FIRING down", "ALERT_RESOLVED down");

        // Traffic stops: once the window's rate is under 1/s, and for five minutes, it fires.
        assertThat(alert("quiet").state()).isEqualTo(Alerts.State.INACTIVE);
        while (alert("quiet").state() == Alerts.State.INACTIVE) {
            second(0, 0, 0);
        }
        java.time.Instant quietSince = alert("quiet").since();
        while (alert("quiet").state() == Alerts.State.PENDING) {
            second(0, 0, 0);
        }
        assertThat(Duration.between(quietSince, alert("quiet").firedAt())).isEqualTo(Duration.ofMinutes(5));
        assertThat(alert("slow").state()).as("no requests: nothing to judge").isEqualTo(Alerts.State.INACTIVE);
    }

    @Test
    void aRateRuleForAServiceNotThereYetMeasuresNothingAndTheRulesAfterItStillRun() {
        alerts.configure(List.of(
                AlertRule.parse("later", "rps(later) < 1", "warning"),
                AlertRule.parse("slow", "p99(orders, 30s) > 200ms", "warning")));
        second(10, 0, 500);
        assertThat(alert("later").state()).isEqualTo(Alerts.State.INACTIVE);
        assertThat(alert("later").value()).isNull();
        assertThat(alert("slow").state()).isEqualTo(Alerts.State.FIRING);
    }

    @Test
    void aReloadKeepsTheStateOfUnchangedRules() {
        second(10, 0, 500);
        assertThat(alert("slow").state()).isEqualTo(Alerts.State.FIRING);
        alerts.configure(config.observability().alerts());
        assertThat(alert("slow").state()).isEqualTo(Alerts.State.FIRING);
        alerts.configure(List.of(AlertRule.parse("slow", "p99(orders, 30s) > 1s", "warning")));
        assertThat(alert("slow").state()).isEqualTo(Alerts.State.INACTIVE);
    }

    @Test
    void theLanguageRefusesWhatItCannotMean() {
        AlertRule r = AlertRule.parse("x", "p95(route:checkout, 5m) >= 1500ms for 30s", "warning");
        assertThat(r.function()).isEqualTo(AlertRule.Function.P95);
        assertThat(r.route()).isEqualTo("checkout");
        assertThat(r.window()).isEqualTo(Duration.ofMinutes(5));
        assertThat(r.threshold()).isEqualTo(1.5);
        assertThat(r.holdFor()).isEqualTo(Duration.ofSeconds(30));
        assertThat(AlertRule.parse("y", "circuit-open(any)", "warning").anyService())
                .isTrue();

        for (String[] bad : new String[][] {
            {"error-rate(orders) > 5", "percentage"},
            {"latency(orders) > 1s", "unknown function 'latency'"},
            {"health(orders) > HEALTHY", "needs == or !="},
            {"health(orders) == SICK", "'SICK' is not a health status"},
            {"circuit-open(orders) == 1", "takes no comparison"},
            {"p99(orders) > fast", "latency: 'fast' is not a duration"},
            {"rps(orders)", "needs a comparison"},
            {"error-rate(orders, 20m) > 5%", "window must be from 1s"},
            {"error-rate orders > 5%", "is not a rule"}
        }) {
            assertThatThrownBy(() -> AlertRule.parse("x", bad[0], "warning"))
                    .as(bad[0])
                    .hasMessageContaining(bad[1]);
        }
        assertThatThrownBy(() -> new ConfigLoader(Map.of()).parse("""
                        services:
                          orders: { instances: [ "http://127.0.0.1:1" ] }
                        alerts:
                          - { name: a, when: "rps(route:nope) < 1" }
                          - { name: a, when: "rps(orders) < 1" }
                          - { when: "rps(orders) < 1" }
                        """, "baton.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("baton.yaml:4: alerts[0].when: no route 'nope'")
                .hasMessageContaining("alerts[1].name: 'a' is used by another alert")
                .hasMessageContaining("alerts[2].name: is required");
    }
}
