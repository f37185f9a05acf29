package dev.baton.admin;

import static dev.baton.admin.Replies.error;
import static dev.baton.admin.Replies.json;
import static dev.baton.admin.Replies.pathParam;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.Durations;
import dev.baton.config.QueueConfig;
import dev.baton.config.QueueDefinitions;
import dev.baton.config.TopicConfig;
import dev.baton.queue.Body;
import dev.baton.queue.DeadLetter;
import dev.baton.queue.Delivery;
import dev.baton.queue.Message;
import dev.baton.queue.QueueRefused;
import dev.baton.queue.Queues;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Queues and topics on the admin API. Declarations: {@code GET|PUT|DELETE
 * /queues/{q}}, {@code GET|PUT|DELETE /topics/{t}}, {@code PUT|DELETE
 * /topics/{t}/subscriptions/{s}}. Messages: {@code POST /queues/{q}/messages} and
 * {@code POST /topics/{t}/messages} publish; {@code POST .../receive?max=&wait=}
 * long-polls; {@code .../ack}, {@code .../nack} and {@code .../extend} take
 * receipts; {@code GET .../dead-letters}, {@code POST .../dead-letters/redrive} and
 * {@code DELETE .../dead-letters} keep the failures. What is said of a queue is
 * said of a pull or push subscription's own queue under {@code
 * /topics/{t}/subscriptions/{s}/…} too. Message traffic is not audited (it is not an
 * operator's change); declarations, redrives and purges are.
 */
final class QueueRoutes {
    /** A batch of messages up to the largest body a queue may allow, and its JSON around it. */
    static final long MAX_BODY = QueueConfig.MAX_MESSAGE_SIZE + 4L * 1024 * 1024;

    static final int MAX_DEPTH = 100;

    private static final Pattern TRAFFIC =
            Pattern.compile("/(queues/[^/]+|topics/[^/]+(/subscriptions/[^/]+)?)/(messages|receive|ack|nack|extend)");
    /** Numbers kept as written: a body is the publisher's, and 12345678901234567.89 must stay that. */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .build())
                    .build())
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Set<String> MESSAGE_FIELDS =
            Set.of("body", "bodyBase64", "headers", "priority", "delay", "deliverAt", "key", "dedupId");

    private final AdminApi.Backend backend;

    QueueRoutes(AdminApi.Backend backend) {
        this.backend = backend;
    }

    /** Whether {@code path} is message traffic (publish, receive, settle), which the audit log leaves out. */
    static boolean traffic(String path) {
        return TRAFFIC.matcher(path).matches();
    }

    void mount(Router router) {
        BodyHandler small = BodyHandler.create(false).setBodyLimit(1024 * 1024);
        router.get("/queues").handler(this::listQueues);
        router.get("/queues/:q").handler(rc -> oneQueue(rc, pathParam(rc, "q")));
        router.put("/queues/:q").handler(small).handler(this::putQueue);
        router.delete("/queues/:q").handler(this::deleteQueue);
        router.post("/queues/:q/messages")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
                .handler(rc -> publish(rc, messages -> queues().publish(pathParam(rc, "q"), messages)));
        router.get("/topics").handler(this::listTopics);
        router.get("/topics/:t").handler(this::oneTopic);
        router.put("/topics/:t").handler(small).handler(this::putTopic);
        router.delete("/topics/:t").handler(this::deleteTopic);
        router.post("/topics/:t/messages")
                .handler(BodyHandler.create(false).setBodyLimit(MAX_BODY))
                .handler(rc -> publish(rc, messages -> queues().publishToTopic(pathParam(rc, "t"), messages)));
        router.put("/topics/:t/subscriptions/:s").handler(small).handler(this::putSubscription);
        router.delete("/topics/:t/subscriptions/:s").handler(this::deleteSubscription);
        router.get("/topics/:t/subscriptions/:s")
                .handler(rc -> oneQueue(rc, TopicConfig.ownQueue(pathParam(rc, "t"), pathParam(rc, "s"))));
        for (String prefix : List.of("/queues/:q", "/topics/:t/subscriptions/:s")) {
            Function<RoutingContext, String> queue = prefix.startsWith("/queues")
                    ? rc -> pathParam(rc, "q")
                    : rc -> TopicConfig.ownQueue(pathParam(rc, "t"), pathParam(rc, "s"));
            router.post(prefix + "/receive").handler(rc -> receive(rc, queue.apply(rc)));
            router.post(prefix + "/ack").handler(small).handler(rc -> settle(rc, queue.apply(rc), "acked"));
            router.post(prefix + "/nack").handler(small).handler(rc -> settle(rc, queue.apply(rc), "nacked"));
            router.post(prefix + "/extend").handler(small).handler(rc -> settle(rc, queue.apply(rc), "extended"));
            router.get(prefix + "/dead-letters").handler(rc -> deadLetters(rc, queue.apply(rc)));
            router.post(prefix + "/dead-letters/redrive").handler(small).handler(rc -> redrive(rc, queue.apply(rc)));
            router.delete(prefix + "/dead-letters").handler(small).handler(rc -> purge(rc, queue.apply(rc)));
            // One dead letter, with nothing in the body: what the dashboard's buttons post.
            router.post(prefix + "/dead-letters/:id/redrive")
                    .handler(rc -> redrive(rc, queue.apply(rc), Optional.of(List.of(pathParam(rc, "id")))));
            router.delete(prefix + "/dead-letters/:id")
                    .handler(rc -> purge(rc, queue.apply(rc), Optional.of(List.of(pathParam(rc, "id")))));
        }
    }

    private Queues queues() {
        return backend.queues();
    }

    // ---- declarations ----

    private void listQueues(RoutingContext rc) {
        ArrayNode out = F.arrayNode();
        queues().queues().forEach((name, q) -> out.add(queueJson(name, q.config(), q.source())));
        json(rc, 200, out);
    }

    private ObjectNode queueJson(String name, QueueConfig q, String source) {
        ObjectNode o = F.objectNode().put("name", name).put("source", source);
        o.set("settings", QueueDefinitions.json(q));
        o.put("depth", queues().meters().depth(name))
                .put("deadLetters", queues().meters().deadLetters(name));
        return o;
    }

    private void oneQueue(RoutingContext rc, String name) {
        Queues.Declared<QueueConfig> q = queues().queues().get(name);
        if (q != null) {
            json(rc, 200, queueJson(name, q.config(), q.source()));
            return;
        }
        try {
            QueueConfig own = queues().queue(name);
            json(rc, 200, queueJson(name, own, "subscription"));
        } catch (QueueRefused e) {
            failed(rc, e, "queue");
        }
    }

    private void putQueue(RoutingContext rc) {
        String name = pathParam(rc, "q");
        Future.fromCompletionStage(queues().declareQueue(name, text(rc)))
                .onSuccess(q -> {
                    Audit.after(rc, new JsonObject().put("queue", name));
                    json(rc, 200, queueJson(name, q, "api"));
                })
                .onFailure(e -> failed(rc, e, "queue"));
    }

    private void deleteQueue(RoutingContext rc) {
        String name = pathParam(rc, "q");
        Future.fromCompletionStage(queues().deleteQueue(name))
                .onSuccess(n -> {
                    Audit.after(rc, new JsonObject().put("queue", name).put("messages", n));
                    json(rc, 200, F.objectNode().put("deleted", name).put("messages", n));
                })
                .onFailure(e -> failed(rc, e, "queue"));
    }

    private void listTopics(RoutingContext rc) {
        ArrayNode out = F.arrayNode();
        queues().topics().forEach((name, t) -> out.add(topicJson(t.config(), t.source())));
        json(rc, 200, out);
    }

    private static ObjectNode topicJson(TopicConfig t, String source) {
        ObjectNode o = F.objectNode().put("name", t.name()).put("source", source);
        o.set("subscriptions", QueueDefinitions.json(t).get("subscriptions"));
        return o;
    }

    private void oneTopic(RoutingContext rc) {
        String name = pathParam(rc, "t");
        Queues.Declared<TopicConfig> t = queues().topics().get(name);
        if (t == null) {
            error(rc, 404, "no topic '" + name + "'");
        } else {
            json(rc, 200, topicJson(t.config(), t.source()));
        }
    }

    private void putTopic(RoutingContext rc) {
        String name = pathParam(rc, "t");
        Future.fromCompletionStage(queues().declareTopic(name, text(rc)))
                .onSuccess(t -> {
                    Audit.after(rc, new JsonObject().put("topic", name));
                    json(rc, 200, topicJson(t, "api"));
                })
                .onFailure(e -> failed(rc, e, "topic"));
    }

    private void deleteTopic(RoutingContext rc) {
        String name = pathParam(rc, "t");
        Future.fromCompletionStage(queues().deleteTopic(name))
                .onSuccess(n -> {
                    Audit.after(rc, new JsonObject().put("topic", name).put("messages", n));
                    json(rc, 200, F.objectNode().put("deleted", name).put("messages", n));
                })
                .onFailure(e -> failed(rc, e, "topic"));
    }

    private void putSubscription(RoutingContext rc) {
        String topic = pathParam(rc, "t");
        String name = pathParam(rc, "s");
        Future.fromCompletionStage(queues().declareSubscription(topic, name, text(rc)))
                .onSuccess(s -> {
                    Audit.after(rc, new JsonObject().put("topic", topic).put("subscription", name));
                    json(
                            rc,
                            200,
                            F.objectNode().put("topic", topic).put("name", name).setAll(QueueDefinitions.json(s)));
                })
                .onFailure(e -> failed(rc, e, "subscription"));
    }

    private void deleteSubscription(RoutingContext rc) {
        String topic = pathParam(rc, "t");
        String name = pathParam(rc, "s");
        Future.fromCompletionStage(queues().deleteSubscription(topic, name))
                .onSuccess(n -> {
                    Audit.after(rc, new JsonObject().put("topic", topic).put("subscription", name));
                    json(rc, 200, F.objectNode().put("deleted", name).put("messages", n));
                })
                .onFailure(e -> failed(rc, e, "subscription"));
    }

    // ---- messages ----

    private void publish(RoutingContext rc, Function<List<Message>, CompletionStage<List<String>>> to) {
        List<Message> messages;
        try {
            JsonNode body = object(rc);
            if (body.has("messages")) {
                if (body.size() != 1 || !body.get("messages").isArray()) {
                    throw new QueueRefused("invalid", "a batch is {\"messages\": [...]} and nothing else");
                }
                messages = new ArrayList<>();
                int i = 0;
                for (JsonNode m : body.get("messages")) {
                    messages.add(message(m, "messages[" + i++ + "]"));
                }
            } else {
                messages = List.of(message(body, "the message"));
            }
        } catch (QueueRefused e) {
            failed(rc, e, "publish");
            return;
        }
        Future.fromCompletionStage(to.apply(messages))
                .onSuccess(ids -> {
                    ArrayNode out = F.arrayNode();
                    ids.forEach(out::add);
                    ObjectNode o = F.objectNode();
                    o.set("ids", out);
                    json(rc, 201, o);
                })
                .onFailure(e -> failed(rc, e, "publish"));
    }

    private static Message message(JsonNode m, String where) {
        if (!m.isObject()) {
            throw new QueueRefused("invalid", where + " must be an object with a body");
        }
        for (Iterator<String> names = m.fieldNames(); names.hasNext(); ) {
            String f = names.next();
            if (!MESSAGE_FIELDS.contains(f)) {
                throw new QueueRefused(
                        "invalid",
                        where + ": unknown field '" + f + "' (a message has "
                                + String.join(
                                        ", ",
                                        List.of(
                                                "body",
                                                "bodyBase64",
                                                "headers",
                                                "priority",
                                                "delay",
                                                "deliverAt",
                                                "key",
                                                "dedupId"))
                                + ")");
            }
        }
        Message out;
        if (m.has("bodyBase64")) {
            if (m.has("body") || !m.get("bodyBase64").isTextual()) {
                throw new QueueRefused("invalid", where + ": bodyBase64 is text, in place of body");
            }
            try {
                out = Message.bytes(
                        Base64.getDecoder().decode(m.get("bodyBase64").asText()));
            } catch (IllegalArgumentException e) {
                throw new QueueRefused("invalid", where + ": bodyBase64 is not base64");
            }
        } else if (m.has("body")) {
            out = Message.of(m.get("body"));
        } else {
            throw new QueueRefused("invalid", where + " needs a body (any JSON) or bodyBase64");
        }
        if (m.has("headers")) {
            JsonNode h = m.get("headers");
            if (!h.isObject()) {
                throw new QueueRefused("invalid", where + ": headers is an object of text values");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw new QueueRefused("invalid", where + ": header '" + e.getKey() + "' must be text");
                }
                out = out.withHeader(e.getKey(), e.getValue().asText());
            }
        }
        if (m.has("priority")) {
            if (!m.get("priority").isIntegralNumber()) {
                throw new QueueRefused("invalid", where + ": priority is a whole number from 0 to 9");
            }
            out = out.withPriority(m.get("priority").asInt());
        }
        if (m.has("delay") && m.has("deliverAt")) {
            throw new QueueRefused("invalid", where + ": give delay or deliverAt, not both");
        }
        if (m.has("delay")) {
            out = out.withDelay(duration(m.get("delay"), where + ": delay"));
        }
        if (m.has("deliverAt")) {
            try {
                out = out.withDeliverAt(Instant.parse(m.get("deliverAt").asText()));
            } catch (DateTimeParseException e) {
                throw new QueueRefused("invalid", where + ": deliverAt is an instant such as 2026-12-03T10:00:00Z");
            }
        }
        if (m.has("key")) {
            out = out.withKey(textField(m, "key", where));
        }
        if (m.has("dedupId")) {
            out = out.withDedupId(textField(m, "dedupId", where));
        }
        return out;
    }

    private static String textField(JsonNode m, String field, String where) {
        if (!m.get(field).isTextual()) {
            throw new QueueRefused("invalid", where + ": " + field + " must be text");
        }
        return m.get(field).asText();
    }

    private static Duration duration(JsonNode n, String what) {
        if (!n.isTextual()) {
            throw new QueueRefused("invalid", what + " is a duration such as \"2s\"");
        }
        try {
            return Durations.parse(n.asText());
        } catch (IllegalArgumentException e) {
            throw new QueueRefused("invalid", what + ": " + e.getMessage());
        }
    }

    private void receive(RoutingContext rc, String queue) {
        int max;
        Duration wait;
        try {
            String m = rc.request().getParam("max");
            max = m == null ? 1 : Integer.parseInt(m.trim());
            String w = rc.request().getParam("wait");
            wait = w == null ? Duration.ZERO : Durations.parse(w.trim());
        } catch (NumberFormatException e) {
            error(rc, 400, "max must be a whole number from 1 to " + Queues.MAX_RECEIVE);
            return;
        } catch (IllegalArgumentException | ArithmeticException e) {
            error(rc, 400, "wait: " + (e instanceof ArithmeticException ? "too long" : e.getMessage()));
            return;
        }
        CompletableFuture<List<Delivery>> got = queues().receive(queue, max, wait);
        // A consumer that goes away gives up its wait; what was about to come to it goes back.
        rc.response().closeHandler(v -> got.cancel(false));
        Future.fromCompletionStage(got)
                .onSuccess(ds -> {
                    if (rc.response().closed()) {
                        queues().release(ds); // leased to a consumer that went away: back, uncounted
                        return;
                    }
                    ArrayNode out = F.arrayNode();
                    ds.forEach(d -> out.add(delivery(d)));
                    ObjectNode o = F.objectNode();
                    o.set("messages", out);
                    json(rc, 200, o);
                })
                .onFailure(e -> {
                    if (!rc.response().closed()) {
                        failed(rc, e, "receive");
                    }
                });
    }

    private static ObjectNode delivery(Delivery d) {
        ObjectNode o = F.objectNode()
                .put("id", d.id())
                .put("receipt", d.receipt())
                .put("attempt", d.attempt())
                .put("priority", d.priority());
        d.key().ifPresent(k -> o.put("key", k));
        o.set("headers", headers(d.headers()));
        body(o, d.body());
        o.put("publishedAt", d.publishedAt().toString())
                .put("leasedUntil", d.leasedUntil().toString());
        return o;
    }

    private static ObjectNode headers(Map<String, String> headers) {
        ObjectNode h = F.objectNode();
        headers.forEach(h::put);
        return h;
    }

    private static void body(ObjectNode o, Body body) {
        if (body.isJson()) {
            o.set("body", body.asJson().orElse(F.nullNode()));
        } else {
            o.put("bodyBase64", Base64.getEncoder().encodeToString(body.bytes()));
        }
    }

    private void settle(RoutingContext rc, String queue, String what) {
        List<String> receipts;
        Optional<Duration> delay = Optional.empty();
        Optional<String> reason = Optional.empty();
        Duration visibility = Duration.ZERO;
        try {
            JsonNode body = object(rc);
            Set<String> allowed = switch (what) {
                case "nacked" -> Set.of("receipts", "delay", "reason");
                case "extended" -> Set.of("receipts", "visibility");
                default -> Set.of("receipts");
            };
            for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
                String f = names.next();
                if (!allowed.contains(f)) {
                    throw new QueueRefused("invalid", "unknown field '" + f + "' (this takes " + allowed + ")");
                }
            }
            receipts = strings(body.get("receipts"), "receipts");
            if (body.has("delay")) {
                delay = Optional.of(duration(body.get("delay"), "delay"));
            }
            if (body.has("reason")) {
                reason = Optional.of(textField(body, "reason", "the nack"));
            }
            if (what.equals("extended")) {
                if (!body.has("visibility")) {
                    throw new QueueRefused("invalid", "visibility is required: how long the lease lasts from now");
                }
                visibility = duration(body.get("visibility"), "visibility");
            }
        } catch (QueueRefused e) {
            failed(rc, e, what);
            return;
        }
        CompletionStage<Integer> done = switch (what) {
            case "acked" -> queues().ack(queue, receipts);
            case "nacked" -> queues().nack(queue, receipts, delay, reason);
            default -> queues().extend(queue, receipts, visibility);
        };
        Future.fromCompletionStage(done)
                .onSuccess(n -> json(rc, 200, F.objectNode().put(what, n)))
                .onFailure(e -> failed(rc, e, what));
    }

    private void deadLetters(RoutingContext rc, String queue) {
        int limit;
        try {
            String given = rc.request().getParam("limit");
            limit = given == null ? 100 : Integer.parseInt(given.trim());
            if (limit < 1 || limit > 1000) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            error(rc, 400, "limit must be a whole number from 1 to 1000");
            return;
        }
        Future.fromCompletionStage(queues().deadLetters(queue, limit))
                .onSuccess(all -> {
                    ArrayNode out = F.arrayNode();
                    all.forEach(d -> out.add(deadLetter(d)));
                    ObjectNode o = F.objectNode();
                    o.set("messages", out);
                    json(rc, 200, o);
                })
                .onFailure(e -> failed(rc, e, "dead letters"));
    }

    private static ObjectNode deadLetter(DeadLetter d) {
        ObjectNode o = F.objectNode().put("id", d.id()).put("priority", d.priority());
        d.key().ifPresent(k -> o.put("key", k));
        o.set("headers", headers(d.headers()));
        body(o, d.body());
        o.put("publishedAt", d.publishedAt().toString())
                .put("deadAt", d.deadAt().toString());
        ArrayNode attempts = o.putArray("attempts");
        d.attempts()
                .forEach(a -> attempts.addObject()
                        .put("attempt", a.attempt())
                        .put("time", a.time().toString())
                        .put("error", a.error()));
        return o;
    }

    private void redrive(RoutingContext rc, String queue) {
        Optional<List<String>> ids;
        try {
            ids = ids(rc);
        } catch (QueueRefused e) {
            failed(rc, e, "redrive");
            return;
        }
        redrive(rc, queue, ids);
    }

    private void redrive(RoutingContext rc, String queue, Optional<List<String>> ids) {
        Future.fromCompletionStage(queues().redrive(queue, ids))
                .onSuccess(n -> {
                    Audit.after(rc, new JsonObject().put("queue", queue).put("redriven", n));
                    json(rc, 200, F.objectNode().put("redriven", n));
                })
                .onFailure(e -> failed(rc, e, "redrive"));
    }

    private void purge(RoutingContext rc, String queue) {
        Optional<List<String>> ids;
        try {
            ids = ids(rc);
        } catch (QueueRefused e) {
            failed(rc, e, "purge");
            return;
        }
        purge(rc, queue, ids);
    }

    private void purge(RoutingContext rc, String queue, Optional<List<String>> ids) {
        Future.fromCompletionStage(queues().purgeDeadLetters(queue, ids))
                .onSuccess(n -> {
                    Audit.after(rc, new JsonObject().put("queue", queue).put("purged", n));
                    json(rc, 200, F.objectNode().put("purged", n));
                })
                .onFailure(e -> failed(rc, e, "purge"));
    }

    /** {@code {"ids": [...]}} names dead letters; no body or {@code {}} means all of them. */
    private static Optional<List<String>> ids(RoutingContext rc) {
        String text = rc.body().asString();
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        JsonNode body = parse(text);
        if (!body.isObject() || (body.size() > 0 && (body.size() != 1 || !body.has("ids")))) {
            throw new QueueRefused("invalid", "the body is {\"ids\": [...]}, or {} for all");
        }
        return body.has("ids") ? Optional.of(strings(body.get("ids"), "ids")) : Optional.empty();
    }

    private static List<String> strings(@Nullable JsonNode n, String what) {
        if (n == null || !n.isArray()) {
            throw new QueueRefused("invalid", what + " must be a list of text");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw new QueueRefused("invalid", what + " must be a list of text");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static JsonNode object(RoutingContext rc) {
        String text = rc.body().asString();
        if (text == null || text.isBlank()) {
            throw new QueueRefused("invalid", "the body must be a JSON object");
        }
        JsonNode n = parse(text);
        if (!n.isObject()) {
            throw new QueueRefused("invalid", "the body must be a JSON object");
        }
        return n;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            String why = e.getMessage() == null
                    ? "unreadable"
                    : e.getMessage().lines().findFirst().orElse("unreadable");
            throw new QueueRefused("invalid", "the body must be JSON nested at most " + MAX_DEPTH + " deep: " + why);
        }
    }

    private static String text(RoutingContext rc) {
        String body = rc.body().asString();
        return body == null || body.isBlank() ? "{}" : body;
    }

    private static void failed(RoutingContext rc, Throwable e, String what) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof QueueRefused r) {
            int status = switch (r.code()) {
                case "not_found" -> 404;
                case "invalid" -> 400;
                case "too_large" -> 413;
                default -> 409;
            };
            error(rc, status, String.valueOf(r.getMessage()));
        } else {
            Replies.failed(rc, cause, what);
        }
    }
}
