package dev.baton.server;

import dev.baton.admin.AdminApi;
import dev.baton.admin.AuditLog;
import dev.baton.config.Config;
import dev.baton.control.ConfigRejection;
import dev.baton.control.HealthChecker;
import dev.baton.control.RuntimeRoutes;
import dev.baton.control.RuntimeServices;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.health.HealthStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the admin API reads of a {@link Baton} and asks of it: the run's components
 * from the {@link Wiring} that serves it (they are there before the admin listener
 * is bound), the rest from the Baton.
 */
final class AdminBackend implements AdminApi.Backend {
    private final Baton baton;
    private final Reloads reloads;
    private final Wiring run;

    AdminBackend(Baton baton, Reloads reloads, Wiring run) {
        this.baton = baton;
        this.reloads = reloads;
        this.run = run;
    }

    @Override
    public Snapshot snapshot() {
        return baton.plane().snapshot();
    }

    @Override
    public HealthStatus health(Upstream instance) {
        return baton.plane().health(instance);
    }

    @Override
    public List<HealthChecker.RecentCheck> recentChecks(Upstream instance) {
        return baton.plane().recentChecks(instance);
    }

    @Override
    public void reload() {
        reloads.reloadAndPublish("admin API");
    }

    @Override
    public long reloadCount() {
        return baton.reloadCount();
    }

    @Override
    public Optional<ConfigRejection> lastRejection() {
        return reloads.lastRejection();
    }

    @Override
    public boolean orchestrate(boolean run) {
        return baton.orchestrate(run);
    }

    @Override
    public boolean orchestrating() {
        return baton.orchestrating();
    }

    @Override
    public AuditLog audit() {
        return run.audit();
    }

    @Override
    public String scrapeMetrics() {
        return baton.scrapeMetrics();
    }

    @Override
    public Config fileConfig() {
        return baton.plane().fileConfig();
    }

    @Override
    public RuntimeServices runtime() {
        return run.runtime();
    }

    @Override
    public RuntimeRoutes routes() {
        return run.routes();
    }

    @Override
    public Map<String, String> idleRoutes() {
        return baton.plane().idleRoutes();
    }

    @Override
    public dev.baton.events.EventBus events() {
        return baton.events();
    }

    @Override
    public dev.baton.telemetry.Webhooks webhooks() {
        return run.webhooks();
    }

    @Override
    public dev.baton.saga.Sagas sagas() {
        return run.sagas();
    }

    @Override
    public dev.baton.queue.Queues queues() {
        return run.queues();
    }

    @Override
    public dev.baton.control.DataStore data() {
        return run.data();
    }

    @Override
    public dev.baton.telemetry.Stats stats() {
        return baton.stats();
    }

    @Override
    public dev.baton.supervisor.Supervisor supervisor() {
        return run.supervisor();
    }

    @Override
    public dev.baton.telemetry.Alerts alerts() {
        return baton.alerts();
    }

    @Override
    public dev.baton.security.SecurityViolations violations() {
        return run.proxy().violations();
    }
}
