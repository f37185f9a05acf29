package dev.baton.server.internal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A small JSON service for {@code baton demo}: {@code GET /health}, a resource list,
 * an echo of what the gateway forwarded, and a switch to make it slow or failing:
 * {@code POST /mode?set=ok|slow|fail|stuck}. For the demo's {@code place-order}
 * saga, orders takes {@code POST /orders} and {@code DELETE /orders/{id}} (which
 * answers 503 in mode {@code stuck}, while its health stays up), and inventory
 * {@code POST /reservations} (409 when it has fewer in stock than asked) and
 * {@code DELETE /reservations/{id}}. Runs as its own program
 * ({@code DemoService --name orders --port 9101}), launched by Baton from the demo
 * config.
 */
public final class DemoService {
    private final Vertx vertx;
    private final String name;
    private final int port;
    private final JsonArray items;
    private volatile String mode = "ok";
    /** The last messages pushed to POST /events (the demo's order-events topic), newest last. */
    private final java.util.Deque<JsonObject> events = new java.util.concurrent.ConcurrentLinkedDeque<>();

    private @Nullable HttpServer server;

    public DemoService(Vertx vertx, String name, int port, JsonArray items) {
        this.vertx = vertx;
        this.name = name;
        this.port = port;
        this.items = items;
    }

    public static void main(String[] args) {
        String name = null;
        int port = -1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--name" -> name = args[i + 1];
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                default -> {}
            }
        }
        if (name == null || port < 0) {
            System.err.println("usage: DemoService --name NAME --port PORT");
            System.exit(2);
            return;
        }
        Vertx vertx = Vertx.vertx();
        String n = name;
        int p = port;
        new DemoService(vertx, name, port, items(name))
                .start()
                .onSuccess(s -> System.out.println("demo service " + n + " listening on 127.0.0.1:" + p))
                .onFailure(e -> {
                    System.err.println(
                            "demo service " + n + " cannot listen on 127.0.0.1:" + p + ": " + e.getMessage());
                    System.exit(1);
                });
    }

    static JsonArray items(String service) {
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

    public Future<HttpServer> start() {
        HttpServer server = vertx.createHttpServer().requestHandler(this::handle);
        this.server = server;
        return server.listen(port, "127.0.0.1");
    }

    public Future<Void> stop() {
        return server == null ? Future.succeededFuture() : server.shutdown(1, TimeUnit.SECONDS);
    }

    private void handle(HttpServerRequest req) {
        String path = req.path(); // null for a target without one, such as *
        if ("/mode".equals(path) && req.method().name().equals("POST")) {
            String set = req.getParam("set", "");
            if (!set.equals("ok") && !set.equals("slow") && !set.equals("fail") && !set.equals("stuck")) {
                json(req, 400, new JsonObject().put("error", "set must be ok, slow, fail or stuck"));
                return;
            }
            mode = set;
            json(req, 200, new JsonObject().put("service", name).put("mode", mode));
            return;
        }
        if ("/health".equals(path)) {
            boolean up = !mode.equals("fail");
            json(req, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN"));
            return;
        }
        if ("/events".equals(path) && req.method().name().equals("GET")) {
            json(req, 200, new JsonObject().put("service", name).put("events", new JsonArray(List.copyOf(events))));
            return;
        }
        if (mode.equals("fail")) {
            json(req, 500, new JsonObject().put("error", name + " is failing (demo mode 'fail')"));
        } else if ("/events".equals(path) && req.method().name().equals("POST")) {
            req.body().onSuccess(b -> {
                events.addLast(new JsonObject()
                        .put("id", req.getHeader("x-baton-message-id"))
                        .put("attempt", req.getHeader("x-baton-attempt"))
                        .put("body", b.length() > 1000 ? b.getString(0, 1000) : b.toString()));
                while (events.size() > 20) {
                    events.pollFirst();
                }
                req.response().setStatusCode(204).end();
            });
        } else if (path != null && (path.startsWith("/orders") || path.startsWith("/reservations"))) {
            req.body().onSuccess(b -> saga(req, path, b.length() == 0 ? new JsonObject() : tryJson(b.toString())));
        } else if (mode.equals("slow")) {
            vertx.setTimer(3000, t -> answer(req));
        } else {
            answer(req);
        }
    }

    /** What the place-order saga calls: make an order or a reservation, or undo one. */
    private void saga(HttpServerRequest req, String path, JsonObject body) {
        String method = req.method().name();
        boolean orders = path.startsWith("/orders");
        if (method.equals("DELETE") && path.matches("/(orders|reservations)/[A-Za-z0-9-]{1,64}")) {
            if (mode.equals("stuck")) {
                json(req, 503, new JsonObject().put("error", name + " cannot undo anything (demo mode 'stuck')"));
            } else {
                req.response().setStatusCode(204).end(); // undone, or never was: the same either way
            }
            return;
        }
        if (!method.equals("POST") || !(path.equals("/orders") || path.equals("/reservations"))) {
            json(req, 404, new JsonObject().put("error", "no " + method + " " + path));
            return;
        }
        String sku = String.valueOf(body.getValue("sku", ""));
        Object qty = body.getValue("qty");
        if (!(qty instanceof Number n) || n.intValue() < 1) {
            json(req, 400, new JsonObject().put("error", "qty must be a number of at least 1"));
            return;
        }
        if (!orders) {
            int inStock = items.stream()
                    .map(JsonObject.class::cast)
                    .filter(i -> i.getString("sku").equals(sku))
                    .mapToInt(i -> i.getInteger("inStock"))
                    .findFirst()
                    .orElse(0);
            if (n.intValue() > inStock) {
                json(req, 409, new JsonObject().put("error", "only " + inStock + " " + sku + " in stock"));
                return;
            }
        }
        String id = (orders ? "order-" : "res-") + Long.toHexString(System.nanoTime() & 0xffffffL);
        json(req, 201, new JsonObject().put("id", id).put("sku", sku).put("qty", n.intValue()));
    }

    private static JsonObject tryJson(String text) {
        try {
            return new JsonObject(text);
        } catch (io.vertx.core.json.DecodeException e) {
            return new JsonObject();
        }
    }

    private void answer(HttpServerRequest req) {
        JsonObject body = new JsonObject()
                .put("service", name)
                .put("instance", "127.0.0.1:" + port)
                .put("method", req.method().name())
                .put("path", req.uri())
                .put("requestId", req.getHeader("x-request-id"))
                .put("forwardedFor", req.getHeader("x-forwarded-for"));
        if ("/".equals(req.path()) || ("/" + name).equals(req.path())) {
            body.put(name, items);
        }
        json(req, 200, body);
    }

    private static void json(HttpServerRequest req, int status, JsonObject body) {
        req.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(body.encode());
    }
}
