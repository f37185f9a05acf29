package dev.baton.server.internal;

import dev.baton.balance.RequestKey;
import dev.baton.config.ConfigException;
import dev.baton.config.HostPort;
import dev.baton.health.HealthStatus;
import dev.baton.proxy.ServiceTarget;
import dev.baton.proxy.Snapshot;
import dev.baton.proxy.Upstream;
import dev.baton.proxy.internal.ErrorResponses;
import dev.baton.proxy.internal.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The admin API on {@code server.admin} (CONTRACT §3), camelCase JSON in and out;
 * every error is the contract's JSON error. So far: health, status, services,
 * {@code /loadbalancer/{type}}, the config (secrets masked) and its reload.
 * Registration, orchestrator start/stop, events, metrics and OpenAPI come with
 * their issues.
 */
public final class AdminApi {
    /** What the admin API reads and does; implemented by the server. */
    public interface Backend {
        Snapshot snapshot();

        /** An instance's active-check status by id, UNKNOWN if unchecked. */
        HealthStatus checked(Upstream instance);

        /** Re-reads the config file; throws ConfigException (invalid) or IllegalStateException (no file). */
        void reload();

        long reloadCount();
    }

    private static final String REQUEST_ID = "requestId";

    private final Vertx vertx;
    private final HostPort listen;
    private final Backend backend;
    private final Instant started = Instant.now();
    private final String version;
    private HttpServer server;

    public AdminApi(Vertx vertx, HostPort listen, Backend backend, String version) {
        this.vertx = vertx;
        this.listen = listen;
        this.backend = backend;
        this.version = version;
    }

    public Future<Integer> start() {
        Router router = Router.router(vertx);
        router.route().handler(rc -> {
            String given = rc.request().getHeader("x-request-id");
            boolean valid = given != null && RequestIds.isValid(given);
            String rid = valid ? given : RequestIds.generate();
            rc.put(REQUEST_ID, rid);
            rc.response().putHeader("x-request-id", rid);
            if (given != null && !valid) {
                error(rc, 400, "invalid X-Request-ID (allowed: [A-Za-z0-9._-]{1,100})");
            } else {
                rc.next();
            }
        });
        router.get("/health").handler(rc -> json(rc.response(), 200, new JsonObject().put("status", "UP")));
        router.get("/status").handler(this::status);
        router.get("/services").handler(this::services);
        router.get("/services/:id").handler(this::service);
        router.get("/loadbalancer/:type").handler(this::loadBalancer);
        router.get("/config")
                .handler(rc -> json(
                        rc.response(), 200, ConfigJson.render(backend.snapshot().config())));
        router.post("/config/reload").handler(this::reload);
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
                        rc,
                        405,
                        "method " + rc.request().method() + " not allowed on "
                                + rc.request().path()));
        router.errorHandler(500, rc -> error(rc, 500, "internal error"));
        server = vertx.createHttpServer(
                        new HttpServerOptions().setHost(listen.host()).setPort(listen.port()))
                .requestHandler(router);
        return server.listen().map(HttpServer::actualPort);
    }

    public int port() {
        return server.actualPort();
    }

    public Future<Void> stop() {
        return server.shutdown(1, TimeUnit.SECONDS);
    }

    private void status(RoutingContext rc) {
        Snapshot snap = backend.snapshot();
        Map<HealthStatus, Integer> byStatus = new EnumMap<>(HealthStatus.class);
        for (HealthStatus s : HealthStatus.values()) {
            byStatus.put(s, 0);
        }
        int instances = 0;
        for (ServiceTarget s : snap.services().values()) {
            for (Upstream u : s.instances()) {
                byStatus.merge(status(u), 1, Integer::sum);
                instances++;
            }
        }
        JsonObject counts = new JsonObject();
        byStatus.forEach((k, v) -> counts.put(k.name(), v));
        json(
                rc.response(),
                200,
                new JsonObject()
                        .put("status", "UP")
                        .put("version", version)
                        .put(
                                "uptimeSeconds",
                                Duration.between(started, Instant.now()).toSeconds())
                        .put("services", snap.services().size())
                        .put(
                                "instances",
                                new JsonObject().put("total", instances).put("byStatus", counts))
                        .put("configReloads", backend.reloadCount()));
    }

    private void services(RoutingContext rc) {
        String type = rc.request().getParam("type");
        JsonArray out = new JsonArray();
        for (ServiceTarget s : backend.snapshot().services().values()) {
            if (type == null || s.config().type().equals(type)) {
                out.add(serviceJson(s));
            }
        }
        json(rc.response(), 200, out);
    }

    private void service(RoutingContext rc) {
        String id = rc.pathParam("id");
        ServiceTarget s = backend.snapshot().services().get(id);
        if (s == null) {
            error(rc, 404, "no service '" + id + "'");
        } else {
            json(rc.response(), 200, serviceJson(s));
        }
    }

    private void loadBalancer(RoutingContext rc) {
        String type = rc.pathParam("type");
        for (ServiceTarget s : backend.snapshot().services().values()) {
            if (s.config().type().equals(type)) {
                Upstream u = s.pick(RequestKey.NONE);
                if (u != null && u.endpoint().available()) {
                    json(
                            rc.response(),
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
        vertx.<Long>executeBlocking(() -> {
                    backend.reload();
                    return backend.reloadCount();
                })
                .onSuccess(n -> json(
                        rc.response(),
                        200,
                        new JsonObject().put("reloaded", true).put("configReloads", n)))
                .onFailure(err -> {
                    if (err instanceof ConfigException ce) {
                        JsonObject body = errorBody(rc, 400, "invalid config; the last good config keeps serving")
                                .put("errors", new JsonArray(new ArrayList<>(ce.errors())));
                        json(rc.response(), 400, body);
                    } else if (err instanceof IllegalStateException) {
                        error(rc, 400, "this gateway was started without a config file");
                    } else {
                        error(rc, 500, "reload failed: " + err.getMessage());
                    }
                });
    }

    /** The service JSON of CONTRACT §3; fields only ever added. */
    private JsonObject serviceJson(ServiceTarget s) {
        JsonArray instances = new JsonArray();
        List<HealthStatus> statuses = new ArrayList<>();
        for (int i = 0; i < s.instances().size(); i++) {
            Upstream u = s.instances().get(i);
            HealthStatus st = status(u);
            statuses.add(st);
            instances.add(new JsonObject()
                    .put("id", u.id())
                    .put("url", s.config().instances().get(i).url().toString())
                    .put("weight", u.endpoint().weight())
                    .put("status", st.name())
                    .put("ejected", u.endpoint().ejected())
                    .put("activeRequests", u.endpoint().outstanding()));
        }
        return new JsonObject()
                .put("id", s.id())
                .put("name", s.config().name())
                .put("type", s.config().type())
                .put("status", HealthStatus.ofService(statuses).name())
                .put("loadBalancer", s.config().loadBalancer())
                .put("instances", instances)
                .put("dependsOn", new JsonArray(s.config().dependsOn()));
    }

    /**
     * An instance's status: its active checks' verdict when it has them; without
     * them, UNHEALTHY while outlier detection has it ejected, else UNKNOWN.
     */
    private HealthStatus status(Upstream u) {
        HealthStatus checked = backend.checked(u);
        if (checked != HealthStatus.UNKNOWN) {
            return checked;
        }
        return u.endpoint().ejected() ? HealthStatus.UNHEALTHY : HealthStatus.UNKNOWN;
    }

    private static JsonObject errorBody(RoutingContext rc, int status, String message) {
        String rid = rc.get(REQUEST_ID);
        return new JsonObject()
                .put("status", status)
                .put("error", ErrorResponses.code(status))
                .put("message", message)
                .put("requestId", rid != null ? rid : RequestIds.generate());
    }

    private static void error(RoutingContext rc, int status, String message) {
        json(rc.response(), status, errorBody(rc, status, message));
    }

    private static void json(HttpServerResponse res, int status, Object body) {
        res.setStatusCode(status).putHeader("content-type", "application/json").end(body.toString());
    }
}
