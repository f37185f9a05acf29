package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Queues, topics, subscriptions and filters in the config file and in API bodies. */
class QueueConfigTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static Config parse(String yaml) {
        return new ConfigLoader(Map.of()).parse("""
                services:
                  payments: { instances: [ "http://127.0.0.1:9102" ] }
                """ + yaml, "baton.yaml");
    }

    @Test
    void theIssuesExampleReads() {
        Config c = parse("""
                queues:
                  jobs: { visibility: 30s, max-attempts: 5, backoff: 1s, max-backoff: 5m, dedup-window: 10m, max-message-size: 256KB }
                  audit-log: {}
                topics:
                  orders:
                    subscriptions:
                      billing: { push: { service: payments, path: /events }, filter: { "headers.type": { in: [order.placed] } } }
                      audit:   { queue: audit-log }
                      pulled:  { max-attempts: 3 }
                """);
        QueueConfig jobs = c.queues().queues().get("jobs");
        assertThat(jobs)
                .isEqualTo(new QueueConfig(
                        "jobs",
                        Duration.ofSeconds(30),
                        5,
                        Duration.ofSeconds(1),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(10),
                        256 * 1024));
        assertThat(c.queues().queues().get("audit-log")).isEqualTo(QueueConfig.defaults("audit-log"));
        TopicConfig orders = c.queues().topics().get("orders");
        TopicConfig.Subscription billing = orders.subscriptions().get("billing");
        assertThat(billing.target())
                .isEqualTo(new TopicConfig.Push(
                        "payments", "/events", TopicConfig.Push.DEFAULT_TIMEOUT, TopicConfig.Push.DEFAULT_CONCURRENCY));
        assertThat(billing.queue()).isEqualTo("orders:billing");
        assertThat(billing.filter()).isPresent();
        assertThat(orders.subscriptions().get("audit").queue()).isEqualTo("audit-log");
        TopicConfig.Subscription pulled = orders.subscriptions().get("pulled");
        assertThat(pulled.target()).isInstanceOf(TopicConfig.Pull.class);
        assertThat(pulled.delivery().maxAttempts()).isEqualTo(3);
        assertThat(pulled.delivery().name()).isEqualTo("orders:pulled");
    }

    @Test
    void badSettingsAreEachReportedWithTheirLine() {
        assertThatThrownBy(() -> parse("""
                        queues:
                          "bad:name": {}
                          jobs: { visibility: 1ms, max-attempts: 0, backoff: 2s, max-backoff: 1s, max-message-size: 1GB, colour: red }
                        topics:
                          orders:
                            subscriptions:
                              a: { queue: nowhere }
                              b: { push: { path: nope }, queue: jobs }
                              c: { queue: jobs, max-attempts: 3 }
                        """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("baton.yaml:4: queues.bad:name: a queue's name is 1 to 64")
                .hasMessageContaining("baton.yaml:5: queues.jobs.visibility: must be between 100ms")
                .hasMessageContaining("queues.jobs.max-attempts:")
                .hasMessageContaining("queues.jobs.max-backoff: must be at least backoff (2s)")
                .hasMessageContaining("queues.jobs.max-message-size: must be between 1B and 16MB")
                .hasMessageContaining("queues.jobs.colour: unknown key")
                .hasMessageContaining(
                        "baton.yaml:9: topics.orders.subscriptions.a.queue: no queue 'nowhere' is declared")
                .hasMessageContaining("topics.orders.subscriptions.b.queue: a subscription either pushes")
                .hasMessageContaining("topics.orders.subscriptions.b.push.service: is required")
                .hasMessageContaining("topics.orders.subscriptions.b.push.path: must start with '/'")
                .hasMessageContaining("topics.orders.subscriptions.c.max-attempts: is the queue's to set");
        assertThatThrownBy(() -> parse("""
                        topics:
                          t: { subscriptions: { s: { push: { service: payments, timeout: 30s }, visibility: 30s } } }
                        """))
                .hasMessageContaining("push.timeout (30s) must be shorter than visibility (30s)");
        assertThat(filter("{ \"body.n\": 1e99999 }").matches(Map.of(), Optional.of(JSON.createObjectNode())))
                .as("an exponent no number has is text, and matches nothing")
                .isFalse();
    }

    @Test
    void aBrokerIsNamedWithItsUrlAndTheConfigSaysWhatItCannotDo() {
        Config rabbit = parse("queues: { broker: rabbitmq, url: \"amqp://guest:secret@127.0.0.1:5672\", jobs: {} }\n");
        assertThat(rabbit.queues().broker().kind()).isEqualTo("rabbitmq");
        assertThat(rabbit.queues().broker().shown())
                .isEqualTo("amqp://127.0.0.1:5672")
                .doesNotContain("secret");
        assertThat(rabbit.queues().queues()).containsOnlyKeys("jobs");
        assertThat(rabbit.warnings())
                .extracting(ConfigError::toString)
                .anySatisfy(w -> assertThat(w).contains("queues.broker: rabbitmq keeps no per-key order"));
        Config nats = parse("queues: { broker: nats, url: \"nats://127.0.0.1:4222\" }\n");
        assertThat(nats.warnings())
                .extracting(ConfigError::toString)
                .anySatisfy(w -> assertThat(w).contains("has no priorities"));
        assertThat(parse("queues: { jobs: {} }\n").queues().broker().store()).isTrue();
        assertThatThrownBy(() -> parse("queues: { broker: rabbitmq }\n"))
                .hasMessageContaining("queues.url: is required with broker: rabbitmq");
        assertThatThrownBy(() -> parse("queues: { broker: kafka, url: \"x://y\" }\n"))
                .hasMessageContaining("queues.broker: must be store, rabbitmq or nats, not 'kafka'");
        assertThatThrownBy(() -> parse("queues: { url: \"amqp://h\" }\n"))
                .hasMessageContaining("queues.url: is for a broker");
        assertThatThrownBy(() -> parse("queues: { broker: nats, url: \"http://h:4222\" }\n"))
                .hasMessageContaining("queues.url: must be nats://HOST");
    }

    @Test
    void aPushToAnUnknownServiceIsAWarning() {
        Config c = parse("""
                topics:
                  t: { subscriptions: { s: { push: { service: nobody, path: /in } } } }
                """);
        assertThat(c.warnings())
                .extracting(ConfigError::toString)
                .anySatisfy(w -> assertThat(w).contains("push.service: no service 'nobody' is defined"));
    }

    static MessageFilter filter(String yaml) {
        Config c = parse("topics:\n  t:\n    subscriptions:\n      s:\n        filter: " + yaml + "\n");
        return c.queues().topics().get("t").subscriptions().get("s").filter().orElseThrow();
    }

    static boolean passes(MessageFilter f, Map<String, String> headers, String body) throws Exception {
        return f.matches(headers, Optional.ofNullable(body == null ? null : JSON.readTree(body)));
    }

    @Test
    void filtersJudgeHeadersAndBodyFields() throws Exception {
        MessageFilter f =
                filter("{ \"headers.Type\": { in: [order.placed, order.paid] }, \"body.total\": { \"!=\": 0 } }");
        assertThat(passes(f, Map.of("type", "order.placed"), "{\"total\": 12.5}"))
                .isTrue();
        assertThat(passes(f, Map.of("type", "order.placed"), "{\"total\": 0.0}"))
                .as("0.0 is 0")
                .isFalse();
        assertThat(passes(f, Map.of("type", "order.shipped"), "{\"total\": 1}")).isFalse();
        assertThat(passes(f, Map.of(), "{\"total\": 1}")).isFalse();

        MessageFilter or =
                filter("{ or: [ { \"body.customer.tier\": gold }, { \"body.items.0.sku\": { prefix: \"VIP-\" } } ] }");
        assertThat(passes(or, Map.of(), "{\"customer\": {\"tier\": \"gold\"}}")).isTrue();
        assertThat(passes(or, Map.of(), "{\"items\": [{\"sku\": \"VIP-1\"}]}")).isTrue();
        assertThat(passes(or, Map.of(), "{\"items\": [{\"sku\": \"X-1\"}]}")).isFalse();
        assertThat(passes(or, Map.of(), null))
                .as("a message with no JSON body has no body fields")
                .isFalse();

        MessageFilter exists = filter("{ \"body.coupon\": { exists: false }, \"headers.x-test\": { exists: true } }");
        assertThat(passes(exists, Map.of("x-test", "1"), "{\"a\": 1}")).isTrue();
        assertThat(passes(exists, Map.of("x-test", "1"), "{\"coupon\": \"C\"}")).isFalse();
        assertThat(passes(exists, Map.of("x-test", "1"), "{\"coupon\": null}"))
                .as("null is not there")
                .isTrue();

        MessageFilter missing = filter("{ \"body.state\": { \"!=\": closed } }");
        assertThat(passes(missing, Map.of(), "{}"))
                .as("a missing field differs from anything")
                .isTrue();
        assertThat(passes(missing, Map.of(), "{\"state\": {\"closed\": true}}")).isTrue();
        MessageFilter text = filter("{ \"body.n\": \"5\" }");
        assertThat(passes(text, Map.of(), "{\"n\": \"5\"}")).isTrue();
    }

    @Test
    void aBadFilterIsRefusedAtDeclaration() {
        assertThatThrownBy(() -> filter(
                        "{ \"headers.\": 1, \"body..a\": 1, colour: red, \"body.a\": { between: [1, 2] }, \"body.b\": { in: [] },"
                                + " \"body.c\": { exists: maybe }, and: [ 3 ], or: [] }"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("filter.headers.: a field is headers.NAME or body.PATH")
                .hasMessageContaining("filter.body..a: a field is headers.NAME")
                .hasMessageContaining("filter.colour: a field is")
                .hasMessageContaining("filter.body.a.between: unknown operator")
                .hasMessageContaining("filter.body.b.in: expected a list of at least one value")
                .hasMessageContaining("filter.body.c.exists: expected true or false")
                .hasMessageContaining("filter.and[0]: expected a mapping, got a scalar")
                .hasMessageContaining("filter.or: needs a list of at least one filter");
        assertThatThrownBy(() -> filter("{}")).hasMessageContaining("a filter needs at least one field");
    }

    @Test
    void definitionsRoundTripThroughJson() throws Exception {
        Config c = parse("""
                queues:
                  jobs: { visibility: 45s, max-message-size: 1KB }
                topics:
                  orders:
                    subscriptions:
                      billing: { push: { service: payments, path: /events, concurrency: 2 },
                                 filter: { or: [ { "headers.type": { in: [a, 2] } }, { "body.x": { prefix: p } } ], "body.y": { exists: true } } }
                      audit: { queue: jobs }
                """);
        QueueConfig jobs = c.queues().queues().get("jobs");
        assertThat(QueueDefinitions.queue("jobs", QueueDefinitions.json(jobs).toString()))
                .isEqualTo(jobs);
        TopicConfig orders = c.queues().topics().get("orders");
        String json = QueueDefinitions.json(orders).toString();
        TopicConfig back = QueueDefinitions.topic("orders", json, "jobs"::equals, c.services());
        assertThat(QueueDefinitions.json(back).toString()).isEqualTo(json);
        assertThat(back.subscriptions().get("billing").filter())
                .isEqualTo(orders.subscriptions().get("billing").filter());
        assertThat(QueueDefinitions.queue("q", "{}")).isEqualTo(QueueConfig.defaults("q"));
    }

    @Test
    void aBadBodyOrNameIsRefusedWithEveryProblem() {
        assertThatThrownBy(() -> QueueDefinitions.queue("q", "{\"visibility\": \"soon\", \"x\": 1}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("request body:1: visibility:")
                .hasMessageContaining("request body:1: x: unknown key");
        assertThatThrownBy(() -> QueueDefinitions.queue("a:b", "{}")).hasMessageContaining("a queue's name is 1 to 64");
        assertThatThrownBy(() -> QueueDefinitions.queue("q", "[]")).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> QueueDefinitions.subscription("t", "s", "{\"queue\": \"none\"}", q -> false, Map.of()))
                .hasMessageContaining("queue: no queue 'none' is declared");
    }
}
