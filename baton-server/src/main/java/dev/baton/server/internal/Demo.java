package dev.baton.server.internal;

import dev.baton.config.Config;
import dev.baton.config.ServiceConfig;
import dev.baton.server.BatonException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The upstreams of {@code baton demo}: one {@link DemoService} for every instance in
 * the demo config, on that instance's port, so the config alone says what runs.
 */
public final class Demo {
    private final Vertx vertx;
    private final List<DemoService> services;

    private Demo(Vertx vertx, List<DemoService> services) {
        this.vertx = vertx;
        this.services = services;
    }

    public static Demo start(Config config) {
        Vertx vertx = Vertx.vertx();
        List<DemoService> services = new ArrayList<>();
        List<Future<?>> started = new ArrayList<>();
        for (ServiceConfig s : config.services().values()) {
            for (ServiceConfig.Instance i : s.instances()) {
                DemoService d = new DemoService(vertx, s.id(), i.url().getPort(), items(s.id()));
                services.add(d);
                started.add(d.start()
                        .recover(err -> Future.failedFuture(new BatonException("cannot start demo service " + s.id()
                                + " on port " + i.url().getPort() + ": address already in use"))));
            }
        }
        Demo demo = new Demo(vertx, services);
        try {
            Future.all(started).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            demo.stop();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw cause instanceof BatonException be ? be : new BatonException("cannot start demo services", cause);
        }
        return demo;
    }

    private static JsonArray items(String service) {
        return switch (service) {
            case "orders" ->
                new JsonArray()
                        .add(new JsonObject()
                                .put("id", 1)
                                .put("item", "keyboard")
                                .put("quantity", 2))
                        .add(new JsonObject()
                                .put("id", 2)
                                .put("item", "monitor")
                                .put("quantity", 1));
            case "inventory" ->
                new JsonArray()
                        .add(new JsonObject().put("sku", "keyboard").put("inStock", 41))
                        .add(new JsonObject().put("sku", "monitor").put("inStock", 7));
            default -> new JsonArray();
        };
    }

    public void stop() {
        try {
            Future.join(services.stream().map(DemoService::stop).toList())
                    .compose(v -> vertx.close())
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // best effort on the way out
        }
    }

    public String banner(int proxyPort, int adminPort) {
        String p = "http://127.0.0.1:" + proxyPort;
        return String.join(
                "\n",
                "",
                "Baton demo is running.",
                "  proxy:  " + p,
                "  admin:  http://127.0.0.1:" + adminPort + "/health",
                "",
                "Try:",
                "  curl -s " + p + "/api/orders                 # routed to the orders service",
                "  curl -s " + p + "/api/inventory              # round-robin over two instances",
                "  curl -s " + p + "/orchestrator/orders/       # every service also lives here",
                "  curl -s -X DELETE " + p + "/api/orders       # 405, with an Allow header",
                "  curl -s " + p + "/nowhere                    # 404 as JSON",
                "  curl -s -X POST '" + p + "/api/orders/mode?set=slow'   # make orders slow (3 s); set=fail, set=ok",
                "",
                "Edit examples/demo.yaml while this runs: changes apply without a restart.",
                "Ctrl-C stops everything.",
                "");
    }
}
