package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.errorBody;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import dev.baton.balance.RequestKey;
import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.HostPort;
import dev.baton.config.RequestIdConfig;
import dev.baton.control.ConfigRejection;
import dev.baton.control.DataStore;
import dev.baton.control.HealthChecker;
import dev.baton.control.RuntimeRoutes;
import dev.baton.control.RuntimeServices;
import dev.baton.control.ServiceTarget;
import dev.baton.control.Snapshot;
import dev.baton.control.Upstream;
import dev.baton.health.HealthStatus;
import dev.baton.http.RequestIds;
import dev.baton.telemetry.Alerts;
import dev.baton.telemetry.Stats;
import dev.baton.telemetry.Webhooks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The admin API on {@code server.admin}, camelCase JSON in and out;
 * every error is Baton's JSON error. Health, status, services and their
 * registration, {@code /loadbalancer/{type}}, orchestrator start/stop, the config
 * (secrets masked) and its reload, and its own description at {@code /openapi.json}
 * and {@code /docs}. Events and metrics come with the observability issue.
 */
public final class AdminApi {
    /** What the admin API reads and does; implemented by the server. */
    public interface Backend {
        Snapshot snapshot();

        /** An instance's health: its checks' verdict, or UNHEALTHY while ejected, else UNKNOWN. */
        HealthStatus health(Upstream instance);

        /** The instance's last few active health checks, newest first. */
        List<HealthChecker.RecentCheck> recentChecks(Upstream instance);

        /** Re-reads the config file; throws ConfigException (invalid) or IllegalStateException (no file). */
        void reload();

        long reloadCount();

        /** The last change of the config file that was refused, if one was. */
        Optional<ConfigRejection> lastRejection();

        /** Starts (true) or stops orchestration; false if it was already so. */
        boolean orchestrate(boolean run);

        boolean orchestrating();

        /** The metrics in Prometheus' text format. */
        String scrapeMetrics();

        /** Where admin mutations are recorded. */
        AuditLog audit();

        /** The config file as last loaded, without run-time services. */
        Config fileConfig();

        /** Registrations and discovery; null until the gateway has started. */
        RuntimeServices runtime();

        /** Routes added at run time. */
        RuntimeRoutes routes();

        /** Run-time routes the config file makes impossible, by id, each with why. */
        Map<String, String> idleRoutes();

        /** The lifecycle event bus. */
        dev.baton.events.EventBus events();

        /** Webhook delivery; null until the gateway has started. */
        Webhooks webhooks();

        /** The store in the data directory. */
        DataStore data();

        /** Recent traffic per service and route. */
        Stats stats();

        /** The sagas and their definitions. */
        dev.baton.saga.Sagas sagas();

        /** The queues and topics. */
        dev.baton.queue.Queues queues();

        /** The alert rules and their states. */
        Alerts alerts();

        /** The processes Baton launches; null until the gateway has started. */
        dev.baton.supervisor.Supervisor supervisor();

        /** Where refusals for a security reason are counted, the proxy's and the admin API's alike. */
        dev.baton.security.SecurityViolations violations();
    }

    private final Vertx vertx;
    private final HostPort listen;
    private final Backend backend;
    private final String version;
    private final Clock clock;
    private final ServiceViews views;
    // From start: each is made there, in this order of need.
    private @Nullable HttpServer server;
    private @Nullable Router router;
    private @Nullable EventStream stream;
    private @Nullable Dashboard dashboard;

    /** The admin API on {@code listen}; {@code clock} dates audit entries and measures uptime. */
    public AdminApi(Vertx vertx, HostPort listen, Backend backend, String version, Clock clock) {
        this.vertx = vertx;
        this.listen = listen;
        this.backend = backend;
        this.version = version;
        this.clock = clock;
        this.views = new ServiceViews(backend);
    }

    public Future<Integer> start() {
        Router router = Router.router(vertx);
        router.route().handler(rc -> {
            RequestIdConfig ids = backend.snapshot().config().server().requestId();
            String given = rc.request().getHeader(ids.header());
            boolean valid = given != null && RequestIds.isValid(given);
            String rid = given != null && valid ? given : RequestIds.generate();
            rc.put(Replies.REQUEST_ID, rid);
            rc.response().putHeader(ids.header(), rid);
            SecurityHeaders.apply(Replies.path(rc), rc.response().headers());
            if (given != null && !valid && !ids.replaceInvalid()) {
                error(
                        rc,
                        400,
                        "invalid " + ids.name()
                                + " (allowed: [A-Za-z0-9._-]{1,100}; server.request-id can replace invalid ones)");
            } else {
                rc.next();
            }
        });
        router.route().handler(rc -> {
            HttpMethod m = rc.request().method();
            if (m != HttpMethod.GET
                    && m != HttpMethod.HEAD
                    && m != HttpMethod.OPTIONS
                    && !QueueRoutes.traffic(rc.normalizedPath())) {
                // Ordered: appends run one after another in the order requests ended, so the
                // log (newest first) never shows two mutations the other way round.
                rc.addEndHandler(ar -> vertx.executeBlocking(
                        () -> {
                            backend.audit().append(Audit.entry(rc, clock.instant()));
                            return null;
                        },
                        true));
            }
            rc.next();
        });
        // Before auth: a page in the operator's browser is refused whether or not it holds a token.
        router.route()
                .handler(new BrowserGuard(
                        listen, () -> backend.snapshot().config().security(), backend::violations)::handle);
        router.route().handler(new AdminAuth(backend::snapshot, backend::violations)::handle);
        AllowedMethods allowed = new AllowedMethods();
        router.route().handler(allowed::options);
        router.get("/audit").handler(rc -> {
            int limit = 100;
            try {
                String given = rc.request().getParam("limit");
                limit = given == null ? 100 : Math.max(1, Math.min(1000, Integer.parseInt(given)));
            } catch (NumberFormatException e) {
                error(rc, 400, "limit must be a whole number from 1 to 1000");
                return;
            }
            int n = limit;
            vertx.executeBlocking(() -> backend.audit().recent(n), false)
                    .onSuccess(entries -> json(rc, 200, entries))
                    .onFailure(err -> error(rc, 500, "cannot read the audit log"));
        });
        router.get("/health").handler(rc -> json(rc, 200, new JsonObject().put("status", "UP")));
        new StatusRoutes(backend, views, version, clock).mount(router);
        router.get("/metrics")
                .handler(rc -> rc.response()
                        .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                        .end(backend.scrapeMetrics()));
        router.post("/orchestrator/start").handler(rc -> orchestrate(rc, true));
        router.post("/orchestrator/stop").handler(rc -> orchestrate(rc, false));
        router.get("/services").handler(this::services);
        router.get("/services/:id").handler(this::service);
        router.get("/loadbalancer/:type").handler(this::loadBalancer);
        router.post("/services/:id/circuit-breaker/:action").handler(this::breakerAction);
        new RegistrationRoutes(vertx, backend, views).mount(router);
        new RouteDefinitions(vertx, backend).mount(router);
        new ApiDocs().mount(router);
        Dashboard dashboard = new Dashboard(vertx, backend, views, version);
        this.dashboard = dashboard;
        dashboard.mount(router);
        EventStream stream = new EventStream(
                vertx,
                backend.events(),
                () -> backend.snapshot().config().observability().events().heartbeat(),
                after -> {
                    var events = backend.snapshot().config().observability().events();
                    return events.persist() && backend.data().exists()
                            ? java.util.Optional.of(
                                    backend.data().get().events().since(after, events.history()))
                            : java.util.Optional.empty();
                });
        this.stream = stream;
        stream.mount(router);
        new DeadLetterRoutes(vertx, backend).mount(router);
        new SagaRoutes(backend).mount(router);
        new QueueRoutes(backend).mount(router);
        new StatsRoutes(backend.stats(), backend::snapshot).mount(router);
        new ProcessRoutes(vertx, backend, views).mount(router);
        router.get("/alerts").handler(this::alerts);
        router.get("/config").handler(rc -> json(rc, 200, ConfigJson.config(backend.fileConfig())));
        router.post("/config/reload").handler(this::reload);
        router.get("/config/rejected")
                .handler(rc -> backend.lastRejection()
                        .ifPresentOrElse(
                                r -> json(rc, 200, rejection(r)),
                                () -> error(rc, 404, "no change of the config file has been rejected")));
        allowed.readOff(router); // after every other route, so that it sees them all
        router.errorHandler(
                404,
                rc -> error(
                        rc,
                        404,
                        "no admin endpoint " + rc.request().method() + " "
                                + rc.request().path()));
        router.errorHandler(
                405,
                rc -> error(
                        allowed.stated(rc),
                        405,
                        "method " + rc.request().method() + " not allowed on "
                                + rc.request().path()));
        router.errorHandler(
                413, rc -> error(rc, 413, "request body larger than " + RegistrationRoutes.MAX_BODY + " bytes"));
        router.errorHandler(500, rc -> error(rc, 500, "internal error"));
        this.router = router;
        HttpServer server = vertx.createHttpServer(
                        new HttpServerOptions().setHost(listen.host()).setPort(listen.port()))
                .requestHandler(router);
        this.server = server;
        return server.listen().map(HttpServer::actualPort);
    }

    /**
     * Every endpoint as {@code "METHOD /path/{param}"}, read off the router itself,
     * so tests can hold the OpenAPI document to what is really served.
     */
    public SortedSet<String> endpoints() {
        if (router == null) {
            throw new IllegalStateException("the admin API has not started");
        }
        SortedSet<String> out = new TreeSet<>();
        for (Route r : router.getRoutes()) {
            // The dashboard's pages are for people, not part of the JSON API the document describes.
            if (r.getPath() == null
                    || r.methods() == null
                    || r.getPath().startsWith("/docs/assets")
                    || Dashboard.isPage(r.getPath())) {
                continue;
            }
            String path = r.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
            // HEAD goes with every GET and OPTIONS with every path: the document says so once.
            r.methods().stream()
                    .filter(m -> m != HttpMethod.HEAD && m != HttpMethod.OPTIONS)
                    .forEach(m -> out.add(m.name() + " " + path));
        }
        return out;
    }

    public int port() {
        if (server == null) {
            throw new IllegalStateException("the admin API has not started");
        }
        return server.actualPort();
    }

    /** Stops the server; also after a start that threw before it made one. */
    public Future<Void> stop() {
        if (stream != null) {
            stream.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
        return server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
    }

    /** An operator opens (forced), closes or resets a service's breaker(s). */
    private void breakerAction(RoutingContext rc) {
        String id = pathParam(rc, "id");
        String action = pathParam(rc, "action");
        ServiceTarget s = backend.snapshot().services().get(id);
        if (s == null) {
            error(rc, 404, "no service '" + id + "'");
        } else if (!s.breakers().enabled()) {
            error(rc, 409, "no_circuit_breaker", "service '" + id + "' has no circuit-breaker configured");
        } else if (!List.of("open", "close", "reset").contains(action)) {
            error(rc, 400, "'" + action + "' is not a breaker action (expected open, close or reset)");
        } else {
            Audit.before(
                    rc,
                    new JsonObject()
                            .put(
                                    "circuitBreaker",
                                    s.breakers().state().orElseThrow().name()));
            s.breakers().apply(action);
            Audit.after(
                    rc,
                    new JsonObject()
                            .put(
                                    "circuitBreaker",
                                    s.breakers().state().orElseThrow().name()));
            json(rc, 200, views.service(s));
        }
    }

    private void orchestrate(RoutingContext rc, boolean run) {
        Audit.before(rc, new JsonObject().put("orchestrator", backend.orchestrating() ? "RUNNING" : "STOPPED"));
        vertx.executeBlocking(() -> backend.orchestrate(run), false)
                .onSuccess(changed -> Audit.after(
                        rc, new JsonObject().put("orchestrator", backend.orchestrating() ? "RUNNING" : "STOPPED")))
                .onSuccess(changed -> json(
                        rc,
                        200,
                        new JsonObject()
                                .put("orchestrator", run ? "RUNNING" : "STOPPED")
                                .put("changed", changed)))
                .onFailure(err -> error(rc, 500, "cannot " + (run ? "start" : "stop") + ": " + err.getMessage()));
    }

    private JsonObject configSummary() {
        Config c = backend.fileConfig();
        return new JsonObject()
                .put("configReloads", backend.reloadCount())
                .put("services", c.services().size())
                .put("routes", c.routes().size());
    }

    private void services(RoutingContext rc) {
        String type = rc.request().getParam("type");
        JsonArray out = new JsonArray();
        for (ServiceTarget s : backend.snapshot().services().values()) {
            if (type == null || s.config().type().equals(type)) {
                out.add(views.service(s));
            }
        }
        json(rc, 200, out);
    }

    private void service(RoutingContext rc) {
        String id = pathParam(rc, "id");
        ServiceTarget s = backend.snapshot().services().get(id);
        if (s == null) {
            error(rc, 404, "no service '" + id + "'");
        } else {
            json(rc, 200, views.service(s));
        }
    }

    private void loadBalancer(RoutingContext rc) {
        String type = pathParam(rc, "type");
        if (!backend.orchestrating()) {
            error(rc, 503, "the orchestrator is stopped; POST /orchestrator/start resumes it");
            return;
        }
        for (ServiceTarget s : backend.snapshot().services().values()) {
            if (s.config().type().equals(type)) {
                ServiceTarget.Pick pick = s.pick(RequestKey.NONE);
                if (!(pick instanceof ServiceTarget.Picked picked)) {
                    continue; // its circuit breaker is open, or it has no instance
                }
                Upstream u = picked.upstream();
                s.abandoned(u); // a pick to hand out, not a call: its breaker permit goes back
                if (u.endpoint().available()) {
                    json(
                            rc,
                            200,
                            new JsonObject()
                                    .put("serviceId", s.id())
                                    .put("instanceId", u.id())
                                    .put(
                                            "url",
                                            s.config()
                                                    .instances()
                                                    .get(s.instances().indexOf(u))
                                                    .url()
                                                    .toString()));
                    return;
                }
            }
        }
        error(rc, 503, "no healthy instance of a service of type '" + type + "'");
    }

    private void reload(RoutingContext rc) {
        Audit.before(rc, configSummary());
        vertx.<Long>executeBlocking(() -> {
                    backend.reload();
                    return backend.reloadCount();
                })
                .onSuccess(n -> Audit.after(rc, configSummary()))
                .onSuccess(n -> json(
                        rc,
                        200,
                        new JsonObject()
                                .put("reloaded", true)
                                .put("configReloads", n)
                                .put(
                                        "warnings",
                                        new JsonArray(new ArrayList<>(
                                                backend.fileConfig().warnings())))))
                .onFailure(err -> {
                    if (err instanceof ConfigException ce) {
                        JsonObject body = errorBody(rc, 400, "invalid config; the last good config keeps serving")
                                .put("errors", new JsonArray(new ArrayList<>(ce.errors())));
                        json(rc, 400, body);
                    } else if (err instanceof IllegalStateException) {
                        error(rc, 400, "this gateway was started without a config file");
                    } else {
                        error(rc, 500, "reload failed: " + err.getMessage());
                    }
                });
    }

    /** A refused config change as the API shows it: {@code appliedSince} tells whether it still stands. */
    JsonObject rejection(ConfigRejection r) {
        return new JsonObject()
                .put("at", r.at().toString())
                .put("cause", r.cause())
                .put("file", r.file())
                .put("errors", new JsonArray(r.errors()))
                .put("appliedSince", Math.max(0, backend.reloadCount() - r.appliedBefore()));
    }

    private void alerts(RoutingContext rc) {
        json(rc, 200, alertList(backend));
    }

    /** The alert rules with their states, as {@code GET /alerts} and the dashboard show them. */
    static JsonArray alertList(Backend backend) {
        JsonArray out = new JsonArray();
        Snapshot snap = backend.snapshot();
        for (Alerts.Alert a : backend.alerts().alerts()) {
            dev.baton.config.AlertRule r = a.rule();
            JsonObject json = new JsonObject()
                    .put("name", r.name())
                    .put("rule", r.expression())
                    .put("severity", r.severity())
                    .put("state", a.state().name())
                    .put("since", a.since() == null ? null : a.since().toString())
                    .put("firedAt", a.firedAt() == null ? null : a.firedAt().toString())
                    .put("value", a.value() instanceof HealthStatus h ? h.name() : a.value())
                    .put("targets", new JsonArray(a.targets()));
            if (!r.anyService() && r.route() == null && !snap.services().containsKey(r.target())) {
                json.put("warning", "no service '" + r.target() + "' (yet): the rule has nothing to measure");
            }
            out.add(json);
        }
        return out;
    }
}
