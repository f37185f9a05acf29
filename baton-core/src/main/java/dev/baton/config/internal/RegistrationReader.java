package dev.baton.config.internal;

import dev.baton.config.ConfigError;
import dev.baton.config.ConfigException;
import dev.baton.config.ServiceConfig;
import dev.baton.config.ServiceRegistration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads a registration body (see {@link ServiceRegistration}). The flat shape is
 * rewritten into the config's shape and read by the same {@link ServiceReader}, so
 * both shapes obey exactly the config's rules; problems found in the rewritten
 * tree are reported under the flat field names the caller sent.
 */
public final class RegistrationReader {
    static final String SOURCE = JsonBodies.SOURCE;

    /** Flat fields and the config paths they become, for error messages. */
    private static final Map<String, String> FLAT_PATHS = Map.of(
            "instances[0].url", "endpoint",
            "instances[0]", "endpoint",
            "instances", "endpoint",
            "health-check.path", "healthCheckPath",
            "health-check.interval", "healthCheckInterval",
            "health-check", "healthCheckPath",
            "depends-on", "dependencies");

    private static final Set<String> FLAT_ONLY = Set.of(
            "endpoint",
            "healthCheckPath",
            "healthCheckInterval",
            "maxRestarts",
            "restartDelay",
            "priority",
            "dependencies");

    public ServiceRegistration read(@Nullable String body, Set<String> knownServices) {
        String text = body == null ? "" : body;
        Problems problems = new Problems(SOURCE, Map.of());
        YamlNode.Mapping mapping = JsonBodies.object(text, problems, "the service");
        String id = id(mapping, problems);
        Map<String, YamlNode> entries = new LinkedHashMap<>(mapping.entries());
        Map<String, Integer> lines = new LinkedHashMap<>(mapping.keyLines());
        entries.remove("id");
        lines.remove("id");
        List<String> warnings = new ArrayList<>();
        boolean flat = entries.keySet().stream().anyMatch(FLAT_ONLY::contains);
        YamlNode.Mapping definition = new YamlNode.Mapping(entries, lines, mapping.line());
        Problems target = problems;
        if (flat) {
            if (entries.containsKey("instances")) {
                problems.add(
                        lines.getOrDefault("instances", mapping.line()),
                        "instances",
                        "give either 'instances' (config shape) or 'endpoint' (flat shape), not both");
            }
            target = new Problems(SOURCE, Map.of());
            definition = flatToConfig(definition, problems, warnings);
        }
        ServiceConfig service = new ServiceReader(true, false).read(id, Section.of(definition, "", target));
        if (flat) {
            for (ConfigError e : target.errors()) {
                problems.add(e.line(), FLAT_PATHS.getOrDefault(e.path(), e.path()), e.message());
            }
        }
        for (String dep : service.dependsOn()) {
            String field = flat ? "dependencies" : "depends-on";
            if (dep.equals(id)) {
                problems.add(lines.getOrDefault(field, 1), field, "a service cannot depend on itself");
            } else if (!knownServices.contains(dep)) {
                problems.add(
                        lines.getOrDefault(field, 1),
                        field,
                        "names unknown service '" + dep + "'"
                                + DidYouMean.closest(dep, knownServices)
                                        .map(k -> " (did you mean '" + k + "'?)")
                                        .orElse(""));
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.errors());
        }
        return new ServiceRegistration(service, text, warnings);
    }

    private static String id(YamlNode.Mapping body, Problems problems) {
        YamlNode node = body.entries().get("id");
        if (node == null || node instanceof YamlNode.Null) {
            problems.add(body.line(), "id", "is required");
            return "unnamed";
        }
        if (!(node instanceof YamlNode.Scalar scalar)) {
            problems.add(node.line(), "id", "expected a string, got " + node.kind());
            return "unnamed";
        }
        if (!ServiceReader.ID.matcher(scalar.text()).matches()) {
            problems.add(
                    node.line(),
                    "id",
                    "'" + scalar.text() + "' is not a service id ([A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters)");
        }
        return scalar.text();
    }

    /**
     * The flat shape as a config-shaped tree. {@code healthCheckInterval} is in
     * milliseconds; {@code maxRestarts}, {@code restartDelay} and {@code priority}
     * concern processes Baton launches, which a registration never is, so they are
     * checked, then reported back as warnings rather than silently dropped.
     */
    private static YamlNode.Mapping flatToConfig(YamlNode.Mapping flat, Problems problems, List<String> warnings) {
        Map<String, YamlNode> out = new LinkedHashMap<>();
        Map<String, Integer> lines = new LinkedHashMap<>();
        Section s = Section.of(flat, "", problems);
        for (String key : List.of("name", "type")) {
            if (flat.entries().containsKey(key)) {
                out.put(key, s.raw(key));
                lines.put(key, s.line(key));
            }
        }
        if (s.has("endpoint")) {
            out.put("instances", new YamlNode.Sequence(List.of(s.raw("endpoint")), s.line("endpoint")));
            lines.put("instances", s.line("endpoint"));
        } else {
            s.error("endpoint", "is required (the service's base URL, e.g. http://127.0.0.1:9101)");
        }
        if (s.has("healthCheckPath") || s.has("healthCheckInterval")) {
            Map<String, YamlNode> check = new LinkedHashMap<>();
            Map<String, Integer> checkLines = new LinkedHashMap<>();
            if (s.has("healthCheckPath")) {
                check.put("path", s.raw("healthCheckPath"));
                checkLines.put("path", s.line("healthCheckPath"));
            }
            if (s.has("healthCheckInterval")) {
                int ms = s.integer("healthCheckInterval", 10_000, 100, 3_600_000);
                int line = s.line("healthCheckInterval");
                check.put("interval", new YamlNode.Scalar(ms + "ms", line));
                check.put("timeout", new YamlNode.Scalar(Math.min(ms, 2_000) + "ms", line));
                checkLines.put("interval", line);
                checkLines.put("timeout", line);
            }
            int line = s.line(s.has("healthCheckPath") ? "healthCheckPath" : "healthCheckInterval");
            out.put("health-check", new YamlNode.Mapping(check, checkLines, line));
            lines.put("health-check", line);
        }
        if (s.has("dependencies")) {
            out.put("depends-on", s.raw("dependencies"));
            lines.put("depends-on", s.line("dependencies"));
        }
        List<String> processOnly = new ArrayList<>();
        if (s.has("maxRestarts")) {
            s.integer("maxRestarts", 0, 0, 1000);
            processOnly.add("maxRestarts");
        }
        if (s.has("restartDelay")) {
            s.integer("restartDelay", 0, 0, 3_600_000);
            processOnly.add("restartDelay");
        }
        if (s.has("priority")) {
            s.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
            processOnly.add("priority");
        }
        if (!processOnly.isEmpty()) {
            warnings.add(String.join(", ", processOnly)
                    + " apply to services Baton launches itself (process:), so they have no effect on a registration");
        }
        s.finish();
        return new YamlNode.Mapping(out, lines, flat.line());
    }
}
