package dev.baton.config.internal;

import dev.baton.config.Config;
import dev.baton.config.ConfigException;
import dev.baton.config.RouteConfig;
import dev.baton.config.RuntimeRoute;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reads a run-time route's body (see {@link RuntimeRoute}) with the same {@link
 * RouteReader} as the config file's {@code routes:}, then checks what only a whole
 * config can tell: an {@code id} given, and what the route needs from the config file.
 */
public final class RuntimeRouteReader {

    /** {@code needs}: whether to refuse a route that needs what {@code context} lacks (see {@link RuntimeRoute#needs}). */
    public RuntimeRoute read(@Nullable String body, Optional<String> pathId, Config context, boolean needs) {
        String text = body == null ? "" : body;
        Problems problems = new Problems(JsonBodies.SOURCE, Map.of());
        YamlNode.Mapping mapping = JsonBodies.object(text, problems, "the route");
        YamlNode given = mapping.entries().get("id");
        YamlNode.Mapping definition = mapping;
        if (given == null || given instanceof YamlNode.Null) {
            if (pathId.isEmpty()) {
                problems.add(mapping.line(), "id", "is required");
            } else {
                // PUT /routes/{id}: the path names the route, so the body need not.
                Map<String, YamlNode> entries = new LinkedHashMap<>(mapping.entries());
                Map<String, Integer> lines = new LinkedHashMap<>(mapping.keyLines());
                entries.put("id", new YamlNode.Scalar(pathId.get(), mapping.line()));
                lines.put("id", mapping.line());
                definition = new YamlNode.Mapping(entries, lines, mapping.line());
            }
        } else if (pathId.isPresent()
                && given instanceof YamlNode.Scalar scalar
                && !scalar.text().equals(pathId.get())) {
            problems.add(
                    given.line(),
                    "id",
                    "'" + scalar.text() + "' differs from the id in the path ('" + pathId.get() + "')");
        }
        List<RouteConfig> out = new ArrayList<>();
        new RouteReader(context.limits().requestTimeout(), false)
                .read(Section.of(definition, "", problems), 0, context.services(), out);
        RouteConfig route = out.get(0);
        if (needs) {
            RuntimeRoute.needs(route, context).ifPresent(m -> problems.add(mapping.line(), "", m));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.errors());
        }
        List<String> warnings = problems.warnings().stream()
                .map(w -> w.path().isEmpty() ? w.message() : w.path() + ": " + w.message())
                .toList();
        return new RuntimeRoute(route, text, warnings);
    }
}
