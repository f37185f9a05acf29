package dev.baton.telemetry;

import dev.baton.config.AlertRule;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.events.EventSink;
import dev.baton.events.EventType;
import dev.baton.health.HealthStatus;
import dev.baton.lifecycle.Component;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates the {@code alerts:} rules (see {@link AlertRule}) against the stats,
 * health and breakers, once a second. A rule whose condition holds becomes
 * PENDING; once it has held for the rule's {@code for}, FIRING, with an
 * {@code ALERT_FIRING} event; when it stops holding, back to INACTIVE, with
 * {@code ALERT_RESOLVED} if it had fired (as Prometheus' alerting rules). A reload
 * keeps the state of rules whose name and expression did not change.
 */
public final class Alerts implements Component<Snapshot> {
    /** Where an alert stands. */
    public enum State {
        INACTIVE,
        PENDING,
        FIRING
    }

    /** One rule and where it stands. */
    public static final class Alert {
        final AlertRule rule;
        State state = State.INACTIVE;

        @Nullable
        Instant since; // while PENDING or FIRING

        @Nullable
        Instant firedAt; // while FIRING

        @Nullable
        Object value; // null without data

        List<String> targets = List.of();

        Alert(AlertRule rule) {
            this.rule = rule;
        }

        public AlertRule rule() {
            return rule;
        }

        public State state() {
            return state;
        }

        /** When the condition began to hold (PENDING or FIRING), else null. */
        public @Nullable Instant since() {
            return since;
        }

        /** When it fired (FIRING), else null. */
        public @Nullable Instant firedAt() {
            return firedAt;
        }

        /** The last value measured (a number, a status, or the open breakers' services); null without data. */
        public @Nullable Object value() {
            return value;
        }

        /** The services (or route) that make the condition hold. */
        public List<String> targets() {
            return targets;
        }
    }

    private final Stats stats;
    private final Supplier<Snapshot> snapshot;
    private final Function<ServiceTarget, HealthStatus> health;
    private final EventSink events;
    private final Clock clock;
    private List<Alert> alerts = List.of();

    public Alerts(
            Stats stats,
            Supplier<Snapshot> snapshot,
            Function<ServiceTarget, HealthStatus> health,
            EventSink events,
            Clock clock) {
        this.stats = stats;
        this.snapshot = snapshot;
        this.health = health;
        this.events = events;
        this.clock = clock;
    }

    /** Holds nothing: whoever runs it calls {@link #evaluate} every so often. */
    @Override
    public void start() {}

    /** Follows the snapshot's {@code observability.alerts}. */
    @Override
    public void apply(Snapshot next) {
        configure(next.config().observability().alerts());
    }

    @Override
    public void close() {}

    /** Follows the config's rules, keeping the state of those unchanged. */
    public synchronized void configure(List<AlertRule> rules) {
        Map<String, Alert> old = new LinkedHashMap<>();
        alerts.forEach(a -> old.put(a.rule.name() + "\n" + a.rule.expression(), a));
        List<Alert> next = new ArrayList<>();
        for (AlertRule r : rules) {
            Alert kept = old.get(r.name() + "\n" + r.expression());
            next.add(kept != null && kept.rule.equals(r) ? kept : new Alert(r));
        }
        alerts = List.copyOf(next);
    }

    /** The rules and their states, in config order. */
    public synchronized List<Alert> alerts() {
        return alerts;
    }

    /** One evaluation of every rule; run it every second. */
    public synchronized void evaluate() {
        Instant now = clock.instant();
        Snapshot snap = snapshot.get();
        for (Alert a : alerts) {
            List<String> matching = new ArrayList<>();
            Object value = null;
            for (String target : targets(a.rule, snap)) {
                Object v = measure(a.rule, target, snap);
                if (v != null && holds(a.rule, v)) {
                    matching.add(target);
                    value = v;
                } else if (value == null) {
                    value = v;
                }
            }
            a.value = value;
            step(a, !matching.isEmpty(), matching, now);
        }
    }

    private static List<String> targets(AlertRule r, Snapshot snap) {
        if (r.anyService()) {
            return new ArrayList<>(snap.services().keySet());
        }
        return List.of(r.target());
    }

    /** The rule's measure for one target: a Double, a HealthStatus, a Boolean, or null without data. */
    private @Nullable Object measure(AlertRule r, String target, Snapshot snap) {
        String route = r.route();
        ServiceTarget service = route == null ? snap.services().get(target) : null;
        switch (r.function()) {
            case HEALTH:
                return service == null ? null : health.apply(service);
            case CIRCUIT_OPEN:
                return service == null ? null : open(service);
            default:
                break;
        }
        String key = route != null ? "route:" + route : "service:" + target;
        Stats.Summary s = stats.summary(key, r.window()).orElse(null);
        if (r.function() == AlertRule.Function.RPS) {
            if (s != null) {
                return s.requestsPerSecond();
            }
            // No traffic at all is a rate of zero: "rps(orders) < 1" must see it. A service
            // that is not there (yet) has no rate. (One ternary unboxed that null: an NPE.)
            return route != null || service != null ? 0.0 : null;
        }
        if (s == null || s.requests() == 0) {
            return null; // no requests, no rate or latency to judge
        }
        return switch (r.function()) {
            case ERROR_RATE -> s.errorRate();
            case P50 -> s.p50();
            case P95 -> s.p95();
            default -> s.p99();
        };
    }

    private static boolean open(ServiceTarget s) {
        for (CircuitBreaker cb : s.breakers().all().values()) {
            CircuitBreaker.State st = cb.getState();
            if (st == CircuitBreaker.State.OPEN || st == CircuitBreaker.State.FORCED_OPEN) {
                return true;
            }
        }
        return false;
    }

    private static boolean holds(AlertRule r, Object v) {
        return switch (r.function()) {
            case HEALTH -> (v == r.status()) == (r.op() == AlertRule.Op.EQ);
            case CIRCUIT_OPEN -> (Boolean) v;
            default -> r.op() != null && r.op().test((Double) v, r.threshold()); // parse gives these an op
        };
    }

    private void step(Alert a, boolean holds, List<String> matching, Instant now) {
        if (!holds) {
            if (a.state == State.FIRING) {
                Instant firedAt = Objects.requireNonNull(a.firedAt); // set with FIRING, cleared with it
                Map<String, Object> data = data(a);
                data.put("firedAt", firedAt.toString());
                data.put("durationSeconds", Duration.between(firedAt, now).toSeconds());
                a.state = State.INACTIVE;
                data.put("state", a.state.name());
                events.publish(EventType.ALERT_RESOLVED, data);
            }
            a.state = State.INACTIVE;
            a.since = null;
            a.firedAt = null;
            a.targets = List.of();
            return;
        }
        a.targets = List.copyOf(matching);
        if (a.state == State.INACTIVE) {
            a.state = State.PENDING;
            a.since = now;
        }
        // since is set when the state leaves INACTIVE and cleared when it goes back.
        if (a.state == State.PENDING
                && !now.isBefore(Objects.requireNonNull(a.since).plus(a.rule.holdFor()))) {
            a.state = State.FIRING;
            a.firedAt = now;
            events.publish(EventType.ALERT_FIRING, data(a));
        }
    }

    private static Map<String, Object> data(Alert a) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("alert", a.rule.name());
        d.put("rule", a.rule.expression());
        d.put("severity", a.rule.severity());
        d.put("state", a.state.name());
        d.put("targets", a.targets);
        d.put("value", a.value instanceof HealthStatus h ? h.name() : a.value);
        d.put("since", a.since == null ? null : a.since.toString());
        return d;
    }
}
