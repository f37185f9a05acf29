package dev.baton.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.internal.QueueDefinitionReader;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Queues, topics and subscriptions as JSON in the config file's shape: what {@code
 * PUT /queues/{q}}, {@code PUT /topics/{t}} and {@code PUT
 * /topics/{t}/subscriptions/{s}} take, and what the store keeps of those declared
 * at run time. Reading checks a body exactly as the config file's {@code queues:}
 * and {@code topics:} are checked (ConfigException with every problem as {@code
 * request body:LINE: key: message}); a body never expands {@code ${VAR}}.
 */
public final class QueueDefinitions {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private QueueDefinitions() {}

    /** A queue named {@code name} from {@code json} ({@code {}} for every default). */
    public static QueueConfig queue(String name, String json) {
        return QueueDefinitionReader.queue(name, json);
    }

    /** A topic with its subscriptions; those that fan out name queues for which {@code queueExists} holds. */
    public static TopicConfig topic(
            String name, String json, Predicate<String> queueExists, Map<String, ServiceConfig> services) {
        return QueueDefinitionReader.topic(name, json, queueExists, services);
    }

    /** One subscription of {@code topic}. */
    public static TopicConfig.Subscription subscription(
            String topic,
            String name,
            String json,
            Predicate<String> queueExists,
            Map<String, ServiceConfig> services) {
        return QueueDefinitionReader.subscription(topic, name, json, queueExists, services);
    }

    /** Whether {@code name} can name a queue or a topic. */
    public static boolean validName(String name) {
        return QueueDefinitionReader.validName(name);
    }

    /** {@code q} as JSON in the config's shape; {@link #queue} gives it back. */
    public static ObjectNode json(QueueConfig q) {
        return F.objectNode()
                .put("visibility", Durations.format(q.visibility()))
                .put("max-attempts", q.maxAttempts())
                .put("backoff", Durations.format(q.backoff()))
                .put("max-backoff", Durations.format(q.maxBackoff()))
                .put("dedup-window", Durations.format(q.dedupWindow()))
                .put("max-message-size", Sizes.format(q.maxMessageSize()));
    }

    /** {@code t} as JSON in the config's shape. */
    public static ObjectNode json(TopicConfig t) {
        ObjectNode out = F.objectNode();
        ObjectNode subs = out.putObject("subscriptions");
        t.subscriptions().forEach((name, s) -> subs.set(name, json(s)));
        return out;
    }

    /** {@code s} as JSON in the config's shape. */
    public static ObjectNode json(TopicConfig.Subscription s) {
        ObjectNode out = F.objectNode();
        if (s.target() instanceof TopicConfig.Push p) {
            out.putObject("push")
                    .put("service", p.service())
                    .put("path", p.path())
                    .put("timeout", Durations.format(p.timeout()))
                    .put("concurrency", p.concurrency());
        } else if (s.target() instanceof TopicConfig.IntoQueue q) {
            out.put("queue", q.queue());
        } else if (s.target() instanceof TopicConfig.PushUrl w) {
            // A webhook's, from events: (never stored; its secret never shown)
            out.putObject("push").put("url", w.url().toString()).put("timeout", Durations.format(w.timeout()));
        }
        s.filter().ifPresent(f -> out.set("filter", json(f)));
        if (!(s.target() instanceof TopicConfig.IntoQueue)) {
            json(s.delivery()).fields().forEachRemaining(e -> out.set(e.getKey(), e.getValue()));
        }
        return out;
    }

    /** A filter as JSON in the config's shape. */
    public static ObjectNode json(MessageFilter f) {
        ObjectNode out = F.objectNode();
        if (f instanceof MessageFilter.Compare c) {
            out.putObject(c.field().source()).set(c.equal() ? "=" : "!=", value(c.value()));
        } else if (f instanceof MessageFilter.In in) {
            ArrayNode values = out.putObject(in.field().source()).putArray("in");
            in.values().forEach(v -> values.add(value(v)));
        } else if (f instanceof MessageFilter.Prefix p) {
            out.putObject(p.field().source()).put("prefix", p.prefix());
        } else if (f instanceof MessageFilter.Exists e) {
            out.putObject(e.field().source()).put("exists", e.exists());
        } else if (f instanceof MessageFilter.All all) {
            ArrayNode and = out.putArray("and");
            all.filters().forEach(x -> and.add(json(x)));
        } else if (f instanceof MessageFilter.Any any) {
            ArrayNode or = out.putArray("or");
            any.filters().forEach(x -> or.add(json(x)));
        }
        return out;
    }

    private static com.fasterxml.jackson.databind.JsonNode value(MessageFilter.Value v) {
        return v.number() ? F.numberNode(new java.math.BigDecimal(v.text())) : F.textNode(v.text());
    }
}
