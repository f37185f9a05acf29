package dev.baton.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.internal.SagaDefinitionReader;
import java.util.Map;

/**
 * A saga definition as JSON, in the config file's shape ({@code timeout},
 * {@code compensation-deadline}, {@code steps} with {@code call}, {@code compensate},
 * {@code retry}, …): what {@code PUT /sagas/definitions/{name}} takes and what a
 * saga's log keeps of the version it started with. Reading checks it exactly as
 * the config file's {@code sagas:} are checked; a body never expands
 * {@code ${VAR}}.
 */
public final class SagaDefinitions {
    private SagaDefinitions() {}

    /** A definition read, with its warnings (a service no one defines) as {@code key: message}. */
    public record Read(SagaConfig config, java.util.List<String> warnings) {
        public Read {
            warnings = java.util.List.copyOf(warnings);
        }
    }

    /**
     * Reads {@code json} as the definition of saga {@code name}; ConfigException with
     * every problem ({@code request body:LINE: key: message}) when it is not one.
     * {@code services} are those defined now, for the warnings.
     */
    public static SagaConfig read(String name, String json, Map<String, ServiceConfig> services) {
        return SagaDefinitionReader.read(name, json, services).config();
    }

    /** As {@link #read}, with its warnings. */
    public static Read readWithWarnings(String name, String json, Map<String, ServiceConfig> services) {
        return SagaDefinitionReader.read(name, json, services);
    }

    /** {@code saga} as JSON in the config's shape; {@link #read} gives it back. */
    public static ObjectNode json(SagaConfig saga) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode out = f.objectNode()
                .put("timeout", Durations.format(saga.timeout()))
                .put("compensation-deadline", Durations.format(saga.compensationDeadline()));
        ArrayNode steps = out.putArray("steps");
        for (SagaConfig.Step s : saga.steps()) {
            ObjectNode step = steps.addObject().put("id", s.id());
            step.set("call", call(s.call()));
            s.compensate().ifPresent(c -> step.set("compensate", call(c)));
            step.putObject("retry")
                    .put("attempts", s.retry().attempts())
                    .put("backoff", Durations.format(s.retry().backoff()))
                    .put("max-backoff", Durations.format(s.retry().maxBackoff()));
            step.put("timeout", Durations.format(s.timeout()));
            if (s.pivot()) {
                step.put("pivot", true);
            }
            if (!s.failOn().patterns().isEmpty()) {
                s.failOn().patterns().forEach(step.putArray("fail-on")::add);
            }
            if (!s.retryOn().patterns().isEmpty()) {
                s.retryOn().patterns().forEach(step.putArray("retry-on")::add);
            }
        }
        return out;
    }

    private static ObjectNode call(SagaConfig.Call c) {
        ObjectNode out = JsonNodeFactory.instance
                .objectNode()
                .put("service", c.service())
                .put("method", c.method())
                .put("path", c.path().source());
        if (!c.headers().isEmpty()) {
            ObjectNode h = out.putObject("headers");
            c.headers().forEach((k, v) -> h.put(k, v.source()));
        }
        c.body().ifPresent(b -> out.set("body", b.deepCopy()));
        return out;
    }
}
