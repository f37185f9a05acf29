package dev.baton.admin;

import dev.baton.config.RouteConfig;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.health.HealthStatus;
import dev.baton.supervisor.ProcessState;
import dev.baton.supervisor.ProcessStatus;
import dev.baton.telemetry.Alerts;
import dev.baton.telemetry.Stats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the dashboard's overview shows, read at one moment from the snapshot, the
 * health checks, the supervisor, the alerts and the stats: one {@link Card} per
 * service and the gateway's totals. Immutable, so a page and the live feed render
 * the same facts the same way.
 */
record Overview(List<Card> cards, Totals totals) {
    /** The window the overview's numbers are taken over. */
    static final Duration WINDOW = Duration.ofMinutes(1);

    /**
     * One service: its health, what a person must notice (an open breaker, ejected
     * instances, a process that is not running, an alert firing), and its traffic
     * over the last minute; {@code p99} is NaN without requests.
     */
    record Card(
            String id,
            String type,
            HealthStatus status,
            int instances,
            int ejected,
            Optional<String> breaker,
            Optional<ProcessState> process,
            boolean alerting,
            List<String> dependsOn,
            boolean routed,
            double requestsPerSecond,
            double errorRate,
            double p99) {

        /** A breaker that refuses calls: OPEN or FORCED_OPEN. */
        boolean breakerOpen() {
            return breaker.filter(b -> b.contains("OPEN") && !b.equals("HALF_OPEN"))
                    .isPresent();
        }

        /** A launched process that is not serving: anything but RUNNING. */
        boolean processDown() {
            return process.filter(p -> p != ProcessState.RUNNING).isPresent();
        }
    }

    /** The gateway as a whole: services by health, and the traffic of all of them. */
    record Totals(
            int services,
            int healthy,
            int degraded,
            int unhealthy,
            int unknown,
            double requestsPerSecond,
            double errorRate,
            double worstP99) {}

    static Overview of(AdminApi.Backend backend) {
        Snapshot snap = backend.snapshot();
        Set<String> routed = new HashSet<>();
        snap.config().routes().stream().map(RouteConfig::service).forEach(routed::add);
        Set<String> alerting = new HashSet<>();
        for (Alerts.Alert a : backend.alerts().alerts()) {
            if (a.state() == Alerts.State.FIRING) {
                alerting.addAll(a.targets());
            }
        }
        List<Card> cards = new ArrayList<>();
        int[] byStatus = new int[HealthStatus.values().length];
        double rps = 0;
        double errors = 0;
        double worst = Double.NaN;
        for (ServiceTarget s : snap.services().values()) {
            List<HealthStatus> statuses = new ArrayList<>();
            int ejected = 0;
            for (Upstream u : s.instances()) {
                statuses.add(backend.health(u));
                if (u.endpoint().ejected()) {
                    ejected++;
                }
            }
            HealthStatus status = HealthStatus.ofService(statuses);
            byStatus[status.ordinal()]++;
            Optional<ProcessState> process = Optional.ofNullable(backend.supervisor())
                    .flatMap(sup -> sup.processes(s.id()))
                    .flatMap(Overview::worst);
            Stats.Summary traffic = backend.stats()
                    .summary("service:" + s.id(), WINDOW)
                    .orElse(new Stats.Summary(0, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN));
            rps += traffic.requestsPerSecond();
            errors += traffic.errorRate() * traffic.requestsPerSecond();
            if (!Double.isNaN(traffic.p99()) && (Double.isNaN(worst) || traffic.p99() > worst)) {
                worst = traffic.p99();
            }
            cards.add(new Card(
                    s.id(),
                    s.config().type(),
                    status,
                    s.instances().size(),
                    ejected,
                    s.breakers().state().map(Enum::name),
                    process,
                    alerting.contains(s.id()),
                    s.config().dependsOn(),
                    routed.contains(s.id()),
                    traffic.requestsPerSecond(),
                    traffic.errorRate(),
                    traffic.p99()));
        }
        Totals totals = new Totals(
                cards.size(),
                byStatus[HealthStatus.HEALTHY.ordinal()],
                byStatus[HealthStatus.DEGRADED.ordinal()],
                byStatus[HealthStatus.UNHEALTHY.ordinal()],
                byStatus[HealthStatus.UNKNOWN.ordinal()],
                rps,
                rps == 0 ? 0 : errors / rps,
                worst);
        return new Overview(List.copyOf(cards), totals);
    }

    /** The state of a service's processes a person needs first: a failed one before a starting one. */
    private static Optional<ProcessState> worst(List<ProcessStatus> processes) {
        return processes.stream()
                .map(ProcessStatus::state)
                .filter(p -> p != ProcessState.RUNNING)
                .findFirst()
                .or(() -> processes.isEmpty() ? Optional.empty() : Optional.of(ProcessState.RUNNING));
    }
}
