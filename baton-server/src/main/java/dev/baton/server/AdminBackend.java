package dev.baton.server;

import dev.baton.admin.AdminApi;
import dev.baton.admin.AuditLog;
import dev.baton.config.Config;
import dev.baton.control.RuntimeServices;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.health.HealthStatus;

/** What the admin API reads of a {@link Baton} and asks of it. */
final class AdminBackend implements AdminApi.Backend {
    private final Baton baton;

    AdminBackend(Baton baton) {
        this.baton = baton;
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
    public void reload() {
        baton.reloadAndPublish("admin API");
    }

    @Override
    public long reloadCount() {
        return baton.reloadCount();
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
        return baton.audit();
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
        return baton.runtime();
    }

    @Override
    public dev.baton.events.EventBus events() {
        return baton.events();
    }

    @Override
    public dev.baton.telemetry.Webhooks webhooks() {
        return baton.webhooks();
    }

    @Override
    public dev.baton.control.DataStore data() {
        return baton.data();
    }

    @Override
    public dev.baton.telemetry.Stats stats() {
        return baton.stats();
    }

    @Override
    public dev.baton.supervisor.Supervisor supervisor() {
        return baton.supervisor();
    }

    @Override
    public dev.baton.telemetry.Alerts alerts() {
        return baton.alerts();
    }

    @Override
    public dev.baton.security.SecurityViolations violations() {
        return baton.violations();
    }
}
