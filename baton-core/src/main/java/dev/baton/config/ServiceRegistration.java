package dev.baton.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.internal.RegistrationReader;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A service registered at run time through the admin API, read from a JSON body in
 * either shape the admin API takes: the config's (kebab-case keys plus {@code id}) or
 * the flat one older orchestrators send ({@code endpoint}, {@code healthCheckPath},
 * ...). The {@code body} is kept as given, so the registration can be stored and
 * read again after a restart exactly as it was accepted.
 *
 * @param warnings what was accepted but has no effect, said back to the caller
 */
public record ServiceRegistration(ServiceConfig service, String body, List<String> warnings) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ServiceRegistration {
        warnings = List.copyOf(warnings);
    }

    /**
     * Reads and validates a registration ({@code body} null reads as empty);
     * {@code knownServices} are the ids that {@code depends-on} may name. Throws
     * {@link ConfigException} listing every problem, each with the JSON field it is about.
     */
    public static ServiceRegistration parse(@Nullable String body, Set<String> knownServices) {
        return new RegistrationReader().read(body, knownServices);
    }

    public String id() {
        return service.id();
    }

    /**
     * This registration without the instances {@code instanceIds}, its body rewritten
     * to match (each remaining instance with its id spelled out, so that ids given by
     * position do not shift); empty when no instance would be left.
     */
    public Optional<ServiceRegistration> withoutInstances(Set<String> instanceIds) {
        List<ServiceConfig.Instance> kept = service.instances().stream()
                .filter(i -> !instanceIds.contains(i.id()))
                .toList();
        if (kept.isEmpty()) {
            return Optional.empty();
        }
        if (kept.size() == service.instances().size()) {
            return Optional.of(this);
        }
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(body);
            ArrayNode instances = (ArrayNode) root.get("instances");
            ArrayNode rewritten = JSON.createArrayNode();
            for (int i = 0; i < instances.size(); i++) {
                String id = service.instances().get(i).id();
                if (instanceIds.contains(id)) {
                    continue;
                }
                JsonNode node = instances.get(i);
                if (node.isTextual()) {
                    rewritten.add(JSON.createObjectNode().put("id", id).put("url", node.asText()));
                } else {
                    rewritten.add(((ObjectNode) node).put("id", id));
                }
            }
            root.set("instances", rewritten);
            return Optional.of(parse(JSON.writeValueAsString(root), Set.copyOf(service.dependsOn())));
        } catch (JsonProcessingException | ClassCastException e) {
            // Only a body this class accepted gets here, and only the config shape has leases.
            throw new IllegalStateException("cannot rewrite registration '" + id() + "': " + e, e);
        }
    }
}
