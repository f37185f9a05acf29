package dev.baton.config.internal;

import dev.baton.config.Durations;
import dev.baton.config.MessageFilter;
import dev.baton.config.QueueConfig;
import dev.baton.config.QueuesConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.config.Sizes;
import dev.baton.config.TopicConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code queues:} and {@code topics:}: each queue's delivery
 * settings, each topic's subscriptions with their target and filter. A
 * subscription that fans out into a queue must name one that exists; one that
 * pushes to a service no one defines is a warning, as for routes: it may register
 * at run time.
 */
public final class QueueReader {
    /** A queue's or topic's name: no ':', which a subscription's own queue has. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    static final String NAME_RULE = "is 1 to 64 letters, digits, '.', '-' or '_', starting with a letter or digit";
    private static final int MAX_FILTER_DEPTH = 8;
    private static final int MAX_FILTER_TERMS = 100;

    private QueueReader() {}

    /** Keys of {@code queues:} that are settings, not queues. */
    static final java.util.Set<String> SETTINGS = java.util.Set.of("broker", "url", "queue-type");

    /** The config's queues and topics. */
    public static QueuesConfig read(Section top, Map<String, ServiceConfig> services) {
        Section qs = top.section("queues");
        QueuesConfig.Broker broker = broker(qs);
        Map<String, QueueConfig> queues = new LinkedHashMap<>();
        for (String name : qs.keys()) {
            if (SETTINGS.contains(name)) {
                continue;
            }
            if (!NAME.matcher(name).matches()) {
                qs.error(name, "a queue's name " + NAME_RULE);
            }
            queues.put(name, queue(name, qs.section(name)));
        }
        qs.finish();
        Section ts = top.section("topics");
        Map<String, TopicConfig> topics = new LinkedHashMap<>();
        for (String name : ts.keys()) {
            if (!NAME.matcher(name).matches()) {
                ts.error(name, "a topic's name " + NAME_RULE);
            }
            topics.put(name, topic(name, ts.section(name), queues::containsKey, services));
        }
        ts.finish();
        return new QueuesConfig(broker, queues, topics);
    }

    /**
     * {@code queues.broker} ({@code store}, the default, {@code rabbitmq} or {@code
     * nats}) and its {@code url}. RabbitMQ cannot keep a key's messages in order nor
     * drop duplicates, NATS JetStream has neither priorities nor per-key order: the
     * config says so here, and a message that asks for what its broker cannot do is
     * refused when published.
     */
    private static QueuesConfig.Broker broker(Section qs) {
        String kind = qs.string("broker", "store").trim().toLowerCase(java.util.Locale.ROOT);
        Optional<java.net.URI> url = qs.value("url", java.net.URI::create);
        switch (kind) {
            case "store" -> {
                if (qs.has("queue-type")) {
                    qs.error("queue-type", "is for broker: rabbitmq");
                }
                if (url.isPresent()) {
                    qs.error("url", "is for a broker: the store is the one of store: (or the data directory)");
                }
                return QueuesConfig.Broker.STORE;
            }
            case "rabbitmq" -> {
                if (url.isEmpty()) {
                    qs.error("url", "is required with broker: rabbitmq (amqp://USER:PASSWORD@HOST:5672/VHOST)");
                } else if (!List.of("amqp", "amqps")
                                .contains(String.valueOf(url.get().getScheme()))
                        || url.get().getHost() == null) {
                    qs.error("url", "must be amqp://HOST[:PORT][/VHOST] or amqps://...");
                }
                String type = qs.string("queue-type", "classic").trim().toLowerCase(java.util.Locale.ROOT);
                if (!type.equals("classic") && !type.equals("quorum")) {
                    qs.error("queue-type", "must be classic or quorum, not '" + type + "'");
                }
                qs.warn(
                        "broker",
                        "rabbitmq keeps no per-key order and drops no duplicates: messages with a key or a dedupId"
                                + " are refused (the store does both)"
                                + (type.equals("quorum") ? "; quorum queues have no priorities either" : ""));
                return new QueuesConfig.Broker(kind, url, type.equals("quorum"));
            }
            case "nats" -> {
                if (qs.has("queue-type")) {
                    qs.error("queue-type", "is for broker: rabbitmq");
                }
                if (url.isEmpty()) {
                    qs.error("url", "is required with broker: nats (nats://HOST:4222)");
                } else if (!List.of("nats", "tls")
                                .contains(String.valueOf(url.get().getScheme()))
                        || url.get().getHost() == null) {
                    qs.error("url", "must be nats://HOST[:PORT] or tls://...");
                }
                qs.warn(
                        "broker",
                        "nats (JetStream) has no priorities and no per-key order: messages with a priority or a key"
                                + " are refused (the store does both)");
                return new QueuesConfig.Broker(kind, url);
            }
            default -> {
                qs.error("broker", "must be store, rabbitmq or nats, not '" + kind + "'");
                return QueuesConfig.Broker.STORE;
            }
        }
    }

    /** One queue's settings; what is not given is the default. */
    public static QueueConfig queue(String name, Section s) {
        QueueConfig q = delivery(name, s);
        s.finish();
        return q;
    }

    private static QueueConfig delivery(String name, Section s) {
        Duration visibility =
                s.duration("visibility", QueueConfig.DEFAULT_VISIBILITY, Duration.ofMillis(100), Duration.ofHours(12));
        int attempts = s.integer("max-attempts", QueueConfig.DEFAULT_MAX_ATTEMPTS, 1, 1000);
        Duration backoff =
                s.duration("backoff", QueueConfig.DEFAULT_BACKOFF, Duration.ofMillis(1), Duration.ofHours(1));
        Duration maxBackoff = s.duration(
                "max-backoff",
                QueueConfig.DEFAULT_MAX_BACKOFF.compareTo(backoff) < 0 ? backoff : QueueConfig.DEFAULT_MAX_BACKOFF,
                Duration.ofMillis(1),
                Duration.ofDays(1));
        if (maxBackoff.compareTo(backoff) < 0) {
            s.error("max-backoff", "must be at least backoff (" + Durations.format(backoff) + ")");
        }
        Duration dedup =
                s.duration("dedup-window", QueueConfig.DEFAULT_DEDUP_WINDOW, Duration.ZERO, Duration.ofDays(7));
        long size = s.size("max-message-size", QueueConfig.DEFAULT_MAX_MESSAGE_SIZE);
        if (size < 1 || size > QueueConfig.MAX_MESSAGE_SIZE) {
            s.error(
                    "max-message-size",
                    "must be between 1B and " + Sizes.format(QueueConfig.MAX_MESSAGE_SIZE) + ", but was "
                            + Sizes.format(size));
        }
        return new QueueConfig(name, visibility, attempts, backoff, maxBackoff, dedup, size);
    }

    /** One topic and its subscriptions; {@code queueExists} says which queues a subscription may fan out into. */
    public static TopicConfig topic(
            String name, Section s, Predicate<String> queueExists, Map<String, ServiceConfig> services) {
        Section subs = s.section("subscriptions");
        Map<String, TopicConfig.Subscription> out = new LinkedHashMap<>();
        for (String sub : subs.keys()) {
            if (!NAME.matcher(sub).matches()) {
                subs.error(sub, "a subscription's name " + NAME_RULE);
            }
            subscription(name, sub, subs.section(sub), queueExists, services).ifPresent(x -> out.put(sub, x));
        }
        subs.finish();
        s.finish();
        return new TopicConfig(name, out);
    }

    /** One subscription of {@code topic}; empty (with the problems reported) when it is not valid. */
    public static Optional<TopicConfig.Subscription> subscription(
            String topic, String name, Section s, Predicate<String> queueExists, Map<String, ServiceConfig> services) {
        int errors = s.problems().errors().size();
        TopicConfig.Target target = new TopicConfig.Pull();
        if (s.has("push") && s.has("queue")) {
            s.error("queue", "a subscription either pushes or fans out into a queue, not both");
        }
        if (s.has("push")) {
            target = push(s.section("push"), services);
        } else if (s.has("queue")) {
            String queue = s.string("queue", "");
            if (!queueExists.test(queue)) {
                s.error("queue", "no queue '" + queue + "' is declared");
            }
            target = new TopicConfig.IntoQueue(queue);
        }
        Optional<MessageFilter> filter = Optional.empty();
        if (s.has("filter")) {
            filter = Optional.of(filter(s.section("filter"), 0, new int[] {0}));
        }
        QueueConfig delivery = delivery(TopicConfig.ownQueue(topic, name), s);
        if (target instanceof TopicConfig.Push p && p.timeout().compareTo(delivery.visibility()) >= 0) {
            // A push still out when its lease ends would be pushed again beside it.
            s.error(
                    "push",
                    "push.timeout (" + Durations.format(p.timeout()) + ") must be shorter than visibility ("
                            + Durations.format(delivery.visibility()) + ")");
        }
        if (target instanceof TopicConfig.IntoQueue) {
            for (String key : List.of(
                    "visibility", "max-attempts", "backoff", "max-backoff", "dedup-window", "max-message-size")) {
                if (s.has(key)) {
                    s.error(key, "is the queue's to set: this subscription fans out into it");
                }
            }
        }
        s.finish();
        if (s.problems().errors().size() > errors) {
            return Optional.empty();
        }
        return Optional.of(new TopicConfig.Subscription(topic, name, target, filter, delivery));
    }

    private static TopicConfig.Push push(Section s, Map<String, ServiceConfig> services) {
        Optional<String> service = s.string("service");
        if (service.isEmpty()) {
            s.error("service", "is required");
        } else if (!services.containsKey(service.get())) {
            s.warn("service", "no service '" + service.get() + "' is defined: deliveries wait until one registers");
        }
        String path = s.string("path", "/");
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '#')) {
            s.error("path", "must start with '/' and hold no spaces, controls or '#'");
        }
        Duration timeout =
                s.duration("timeout", TopicConfig.Push.DEFAULT_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(10));
        int concurrency = s.integer("concurrency", TopicConfig.Push.DEFAULT_CONCURRENCY, 1, 256);
        s.finish();
        return new TopicConfig.Push(service.orElse(""), path, timeout, concurrency);
    }

    /**
     * A filter: a mapping whose keys are fields (each a value, meaning {@code =}, or
     * one operator: {@code =}, {@code !=}, {@code in}, {@code prefix}, {@code exists})
     * and {@code and} / {@code or} with lists of filters; all its keys must hold.
     */
    private static MessageFilter filter(Section s, int depth, int[] terms) {
        List<MessageFilter> all = new ArrayList<>();
        if (s.keys().isEmpty()) {
            s.problems().add(s.line(), s.path(), "a filter needs at least one field or 'and' / 'or'");
        }
        if (depth > MAX_FILTER_DEPTH) {
            s.problems().add(s.line(), s.path(), "filters nest at most " + MAX_FILTER_DEPTH + " levels");
            return new MessageFilter.All(List.of());
        }
        for (String key : List.copyOf(s.keys())) {
            if (++terms[0] > MAX_FILTER_TERMS) {
                s.error(key, "a filter has at most " + MAX_FILTER_TERMS + " terms");
                return new MessageFilter.All(all);
            }
            if (key.equals("and") || key.equals("or")) {
                List<YamlNode> items = s.list(key);
                if (items.isEmpty()) {
                    s.error(key, "needs a list of at least one filter");
                }
                List<MessageFilter> parts = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    // Section.of reports an item that is not a mapping.
                    Section item = Section.of(items.get(i), s.path(key) + "[" + i + "]", s.problems());
                    if (items.get(i) instanceof YamlNode.Mapping) {
                        parts.add(filter(item, depth + 1, terms));
                    }
                }
                all.add(key.equals("and") ? new MessageFilter.All(parts) : new MessageFilter.Any(parts));
                continue;
            }
            Optional<MessageFilter.Field> field = field(key);
            if (field.isEmpty()) {
                s.error(key, "a field is headers.NAME or body.PATH (or 'and' / 'or')");
                s.raw(key);
                continue;
            }
            term(s, key, field.get()).ifPresent(all::add);
        }
        s.finish();
        return all.size() == 1 ? all.get(0) : new MessageFilter.All(all);
    }

    private static Optional<MessageFilter.Field> field(String key) {
        if (key.startsWith("headers.") && key.length() > "headers.".length()) {
            String name = key.substring("headers.".length());
            return dev.baton.http.FieldSyntax.isToken(name)
                    ? Optional.of(new MessageFilter.Field(key, true, List.of(name.toLowerCase(Locale.ROOT))))
                    : Optional.empty();
        }
        if (key.equals("body")) {
            return Optional.of(new MessageFilter.Field(key, false, List.of()));
        }
        if (key.startsWith("body.")) {
            List<String> path = List.of(key.substring("body.".length()).split("\\.", -1));
            return path.stream().anyMatch(String::isEmpty)
                    ? Optional.empty()
                    : Optional.of(new MessageFilter.Field(key, false, path));
        }
        return Optional.empty();
    }

    private static Optional<MessageFilter> term(Section s, String key, MessageFilter.Field field) {
        YamlNode node = s.raw(key);
        if (node instanceof YamlNode.Scalar scalar) {
            return Optional.of(new MessageFilter.Compare(field, value(scalar), true));
        }
        if (!(node instanceof YamlNode.Mapping m) || m.entries().size() != 1) {
            s.error(key, "expected a value, or one of =, !=, in, prefix, exists");
            return Optional.empty();
        }
        Section op = s.section(key);
        String name = m.entries().keySet().iterator().next();
        YamlNode given = m.entries().get(name);
        YamlNode arg = given == null ? new YamlNode.Null(m.line()) : given;
        Optional<MessageFilter> out = switch (name) {
            case "=", "!=" ->
                arg instanceof YamlNode.Scalar v
                        ? Optional.of(new MessageFilter.Compare(field, value(v), name.equals("=")))
                        : bad(op, name, "expected a value, got " + arg.kind());
            case "in" -> {
                List<MessageFilter.Value> values = new ArrayList<>();
                if (arg instanceof YamlNode.Sequence seq && !seq.items().isEmpty()) {
                    for (YamlNode item : seq.items()) {
                        if (item instanceof YamlNode.Scalar v) {
                            values.add(value(v));
                        } else {
                            op.error(name, "expected a list of values, found " + item.kind());
                        }
                    }
                    yield Optional.of(new MessageFilter.In(field, values));
                }
                yield bad(op, name, "expected a list of at least one value");
            }
            case "prefix" ->
                arg instanceof YamlNode.Scalar v
                        ? Optional.of(new MessageFilter.Prefix(field, v.text()))
                        : bad(op, name, "expected text, got " + arg.kind());
            case "exists" ->
                arg instanceof YamlNode.Scalar v
                                && (v.text().equals("true") || v.text().equals("false"))
                        ? Optional.of(new MessageFilter.Exists(field, v.text().equals("true")))
                        : bad(op, name, "expected true or false");
            default -> bad(op, name, "unknown operator: use =, !=, in, prefix or exists");
        };
        op.raw(name);
        op.finish();
        return out;
    }

    private static Optional<MessageFilter> bad(Section s, String key, String message) {
        s.error(key, message);
        return Optional.empty();
    }

    private static MessageFilter.Value value(YamlNode.Scalar v) {
        boolean number = !v.string() && v.text().matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]{1,4})?");
        if (number) {
            try {
                new java.math.BigDecimal(v.text()); // what matching compares with: it must read
            } catch (NumberFormatException e) {
                number = false;
            }
        }
        return new MessageFilter.Value(v.text(), number);
    }
}
