package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.baton.config.Durations;
import dev.baton.config.SagaDefinitions;
import dev.baton.saga.Saga;
import dev.baton.saga.SagaRefused;
import dev.baton.saga.SagaState;
import dev.baton.saga.Sagas;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The sagas on the admin API: {@code POST /sagas/{name}} starts one with the body
 * as its input ({@code Idempotency-Key} makes the start idempotent, {@code ?wait=10s}
 * answers once it ends, or 202 while it still runs); {@code GET /sagas/{id}} and
 * {@code GET /sagas?name=&state=&limit=} read them; {@code POST
 * /sagas/{id}/cancel}, {@code /retry} and {@code /skip} act on one;
 * {@code GET /sagas/definitions} and {@code PUT /sagas/definitions/{name}} read and
 * put definitions. Each change is audited.
 */
final class SagaRoutes {
    static final long MAX_INPUT = 1024 * 1024;
    /** An input nested deeper than this is refused: the saga's state must stay writable. */
    static final int MAX_DEPTH = 100;

    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .build())
            .build());
    private static final Duration MAX_WAIT = Duration.ofSeconds(60);

    private final AdminApi.Backend backend;

    SagaRoutes(AdminApi.Backend backend) {
        this.backend = backend;
    }

    void mount(Router router) {
        router.get("/sagas/definitions").handler(this::definitions);
        router.put("/sagas/definitions/:name")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_INPUT))
                .handler(this::define);
        router.get("/sagas").handler(this::list);
        router.get("/sagas/:id").handler(this::one);
        router.post("/sagas/:id/cancel").handler(rc -> act(rc, "cancel"));
        router.post("/sagas/:id/retry").handler(rc -> act(rc, "retry"));
        router.post("/sagas/:id/skip").handler(rc -> act(rc, "skip"));
        // One template for /sagas/{x}: here x names the definition to start (OpenAPI allows no second one).
        router.post("/sagas/:id")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_INPUT))
                .handler(this::start);
    }

    private void definitions(RoutingContext rc) {
        JsonArray out = new JsonArray();
        backend.sagas().definitions().values().forEach(d -> out.add(definition(d)));
        json(rc, 200, out);
    }

    private static JsonObject definition(Sagas.Definition d) {
        return new JsonObject()
                .put("name", d.name())
                .put("version", d.version())
                .put("source", d.source())
                .put("createdAt", d.createdAt().toString())
                .put(
                        "definition",
                        masked(new JsonObject(SagaDefinitions.json(d.config()).toString())));
    }

    /** The definition with every credential header's value masked, as GET /config shows them. */
    private static JsonObject masked(JsonObject definition) {
        for (Object step : definition.getJsonArray("steps", new JsonArray())) {
            for (String call : java.util.List.of("call", "compensate")) {
                JsonObject headers = ((JsonObject) step)
                        .getJsonObject(call, new JsonObject())
                        .getJsonObject("headers");
                if (headers != null) {
                    headers.fieldNames().stream()
                            .filter(ConfigJson::secretHeader)
                            .toList()
                            .forEach(h -> headers.put(h, ConfigJson.MASK));
                }
            }
        }
        return definition;
    }

    private void define(RoutingContext rc) {
        String name = pathParam(rc, "name");
        String body = rc.body().asString();
        rc.vertx()
                .executeBlocking(() -> backend.sagas().define(name, body == null ? "" : body), false)
                .onSuccess(d -> {
                    Audit.after(rc, new JsonObject().put("saga", name).put("version", d.version()));
                    json(rc, 200, definition(d));
                })
                .onFailure(e -> failed(rc, e, "saga definition"));
    }

    private void start(RoutingContext rc) {
        String name = pathParam(rc, "id");
        Optional<Duration> wait;
        try {
            wait = Optional.ofNullable(rc.request().getParam("wait")).map(SagaRoutes::waitFor);
        } catch (IllegalArgumentException | ArithmeticException e) {
            error(rc, 400, "wait: " + (e instanceof ArithmeticException ? "too long" : e.getMessage()));
            return;
        }
        JsonNode input;
        try {
            String text = rc.body().asString();
            input = text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        } catch (java.io.IOException e) {
            error(
                    rc,
                    400,
                    "the input must be JSON nested at most " + MAX_DEPTH + " deep: " + firstLine(e.getMessage()));
            return;
        }
        Optional<String> key =
                Optional.ofNullable(rc.request().getHeader("idempotency-key")).map(String::trim);
        if (key.isPresent() && !key.get().matches("[\\x21-\\x7e]{1,200}")) {
            error(rc, 400, "Idempotency-Key must be 1 to 200 visible characters");
            return;
        }
        Future.fromCompletionStage(backend.sagas().start(name, input, key))
                .onSuccess(s -> {
                    Audit.after(rc, new JsonObject().put("saga", s.id()).put("name", name));
                    rc.response().putHeader("location", "/sagas/" + s.id());
                    if (wait.isEmpty()) {
                        json(rc, 201, summary(s));
                        return;
                    }
                    Future.fromCompletionStage(backend.sagas().await(s.id(), wait.get()))
                            .onSuccess(done -> json(rc, done.state().ended() ? 200 : 202, SagaJson.saga(done)))
                            .onFailure(e -> failed(rc, e, "saga"));
                })
                .onFailure(e -> failed(rc, e, "saga"));
    }

    private void one(RoutingContext rc) {
        String id = pathParam(rc, "id");
        Future.fromCompletionStage(backend.sagas().get(id))
                .onSuccess(s -> s.ifPresentOrElse(
                        found -> json(rc, 200, SagaJson.saga(found)), () -> error(rc, 404, "no saga " + id)))
                .onFailure(e -> failed(rc, e, "saga"));
    }

    private void list(RoutingContext rc) {
        Optional<SagaState> state;
        int limit;
        try {
            state = Optional.ofNullable(rc.request().getParam("state"))
                    .map(s -> SagaState.valueOf(s.trim().toUpperCase(Locale.ROOT)));
            String given = rc.request().getParam("limit");
            limit = given == null ? 100 : Integer.parseInt(given);
            if (limit < 1 || limit > 1000) {
                throw new NumberFormatException();
            }
        } catch (IllegalArgumentException e) {
            error(
                    rc,
                    400,
                    e instanceof NumberFormatException
                            ? "limit must be a whole number from 1 to 1000"
                            : "state must be one of " + java.util.Arrays.toString(SagaState.values()));
            return;
        }
        Optional<String> name = Optional.ofNullable(rc.request().getParam("name"));
        Future.fromCompletionStage(backend.sagas().list(name, state, limit))
                .onSuccess(all -> {
                    JsonArray out = new JsonArray();
                    all.forEach(s -> out.add(summary(s)));
                    json(rc, 200, out);
                })
                .onFailure(e -> failed(rc, e, "sagas"));
    }

    private void act(RoutingContext rc, String action) {
        String id = pathParam(rc, "id");
        CompletionStage<Saga> done = switch (action) {
            case "cancel" -> backend.sagas().cancel(id);
            case "retry" -> backend.sagas().retry(id);
            default -> backend.sagas().skip(id);
        };
        Future.fromCompletionStage(done)
                .onSuccess(s -> {
                    Audit.after(
                            rc,
                            new JsonObject()
                                    .put("saga", id)
                                    .put("state", s.state().name()));
                    json(rc, 200, SagaJson.saga(s));
                })
                .onFailure(e -> failed(rc, e, "saga " + action));
    }

    private static JsonObject summary(Saga s) {
        return new JsonObject()
                .put("id", s.id())
                .put("name", s.name())
                .put("version", s.version())
                .put("state", s.state().name())
                .put("createdAt", s.createdAt().toString())
                .put("reason", s.reason().orElse(null));
    }

    private static Duration waitFor(String text) {
        Duration d = Durations.parse(text.trim());
        if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
            throw new IllegalArgumentException("at most " + Durations.format(MAX_WAIT));
        }
        return d;
    }

    private static void failed(RoutingContext rc, Throwable e, String what) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof SagaRefused r) {
            int status = switch (r.code()) {
                case "not_found" -> 404;
                case "invalid" -> 400;
                default -> 409;
            };
            error(rc, status, String.valueOf(r.getMessage()));
        } else {
            Replies.failed(rc, cause, what);
        }
    }

    private static String firstLine(@org.jspecify.annotations.Nullable String message) {
        return message == null ? "unreadable" : message.lines().findFirst().orElse("unreadable");
    }
}
