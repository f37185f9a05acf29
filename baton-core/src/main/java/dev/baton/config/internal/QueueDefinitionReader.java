package dev.baton.config.internal;

import dev.baton.config.ConfigError;
import dev.baton.config.ConfigException;
import dev.baton.config.QueueConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.config.TopicConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Reads queues, topics and subscriptions from JSON bodies with the config file's {@link QueueReader}. */
public final class QueueDefinitionReader {
    private QueueDefinitionReader() {}

    public static boolean validName(String name) {
        return QueueReader.NAME.matcher(name).matches();
    }

    public static QueueConfig queue(String name, String json) {
        Problems problems = problems("queue", name);
        QueueConfig q =
                QueueReader.queue(name, Section.of(JsonBodies.object(json, problems, "the queue", true), "", problems));
        check(problems);
        return q;
    }

    public static TopicConfig topic(
            String name, String json, Predicate<String> queueExists, Map<String, ServiceConfig> services) {
        Problems problems = problems("topic", name);
        TopicConfig t = QueueReader.topic(
                name,
                Section.of(JsonBodies.object(json, problems, "the topic", true), "", problems),
                queueExists,
                services);
        check(problems);
        return t;
    }

    public static TopicConfig.Subscription subscription(
            String topic,
            String name,
            String json,
            Predicate<String> queueExists,
            Map<String, ServiceConfig> services) {
        Problems problems = problems("subscription", name);
        var s = QueueReader.subscription(
                topic,
                name,
                Section.of(JsonBodies.object(json, problems, "the subscription", true), "", problems),
                queueExists,
                services);
        check(problems);
        return s.orElseThrow(() -> new ConfigException(problems.errors()));
    }

    private static Problems problems(String what, String name) {
        if (!validName(name)) {
            throw new ConfigException(List.of(
                    new ConfigError(JsonBodies.SOURCE, 0, "name", "a " + what + "'s name " + QueueReader.NAME_RULE)));
        }
        return new Problems(JsonBodies.SOURCE, Map.of());
    }

    private static void check(Problems problems) {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.errors());
        }
    }
}
