package dev.baton.config.internal;

import dev.baton.config.ConfigException;
import dev.baton.config.SagaDefinitions;
import dev.baton.config.ServiceConfig;
import java.util.List;
import java.util.Map;

/** Reads one saga definition from a JSON body with the config file's {@link SagaReader}. */
public final class SagaDefinitionReader {
    private SagaDefinitionReader() {}

    public static SagaDefinitions.Read read(String name, String json, Map<String, ServiceConfig> services) {
        Problems problems = new Problems(JsonBodies.SOURCE, Map.of());
        if (!SagaReader.NAME.matcher(name).matches()) {
            throw new ConfigException(List.of(new dev.baton.config.ConfigError(
                    JsonBodies.SOURCE, 0, "name", "a saga's name is 1 to 64 letters, digits, '-' or '_'")));
        }
        YamlNode.Mapping mapping = JsonBodies.object(json, problems, "the saga");
        var saga = SagaReader.saga(name, Section.of(mapping, "", problems), services);
        if (!problems.isEmpty() || saga.isEmpty()) {
            throw new ConfigException(problems.errors());
        }
        List<String> warnings = problems.warnings().stream()
                .map(w -> w.path().isEmpty() ? w.message() : w.path() + ": " + w.message())
                .toList();
        return new SagaDefinitions.Read(saga.get(), warnings);
    }
}
