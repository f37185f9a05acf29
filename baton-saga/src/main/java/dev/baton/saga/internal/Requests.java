package dev.baton.saga.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.SagaConfig;
import dev.baton.config.Template;
import dev.baton.saga.Saga;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Renders a step's call from its templates against what the saga has so far: its
 * input, its id and name, and the responses of the steps that ran. A reference that
 * finds nothing throws {@link Template.Unresolved}: the step fails without a call.
 */
final class Requests {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A call ready to send: the path is already percent-safe, the body JSON when there is one. */
    record Request(String service, String method, String path, Map<String, String> headers, Optional<byte[]> body) {
        /** The call as the service client sends it, with the saga's id and the attempt's idempotency key. */
        dev.baton.control.ServiceCalls.Request call(String sagaId, String key) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put("idempotency-key", key);
            all.put("x-baton-saga-id", sagaId);
            return new dev.baton.control.ServiceCalls.Request(service, method, path, all, body, "application/json");
        }
    }

    /** Nesting past this is kept as text: a saga's state nests it a few levels deeper, within what Jackson writes. */
    static final int MAX_DEPTH = 100;

    private static final com.fasterxml.jackson.databind.ObjectMapper ANSWERS =
            new com.fasterxml.jackson.databind.ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_DEPTH)
                            .build())
                    .build());

    /** An answer's body as JSON when it is JSON (nested at most {@link #MAX_DEPTH} deep), else as text; none as null. */
    static JsonNode answer(byte[] body) {
        if (body.length == 0) {
            return JsonNodeFactory.instance.nullNode();
        }
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode n = ANSWERS.readTree(text);
            return n == null ? JsonNodeFactory.instance.textNode(text) : n;
        } catch (java.io.IOException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }

    private Requests() {}

    static Request render(Run run, SagaConfig.Call call) {
        java.util.function.Function<Template.Reference, Optional<JsonNode>> lookup = r -> lookup(run, r.path());
        String path = safePath(call.path().text(lookup, Requests::segment));
        Map<String, String> headers = new LinkedHashMap<>();
        call.headers().forEach((name, t) -> {
            String v = t.text(lookup);
            if (v.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                throw new Template.Unresolved("header " + name + " would hold a control character");
            }
            headers.put(name, v);
        });
        Optional<byte[]> body =
                call.body().map(b -> render(b, lookup).toString().getBytes(StandardCharsets.UTF_8));
        return new Request(call.service(), call.method(), path, headers, body);
    }

    /** Every string in {@code node} rendered: one that is exactly a reference becomes its JSON value. */
    static JsonNode render(JsonNode node, java.util.function.Function<Template.Reference, Optional<JsonNode>> lookup) {
        if (node.isTextual()) {
            String text = node.textValue();
            return text.contains("{{") ? Template.parse(text).value(lookup) : node;
        }
        if (node.isObject()) {
            ObjectNode out = F.objectNode();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), render(e.getValue(), lookup));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = F.arrayNode();
            node.forEach(v -> out.add(render(v, lookup)));
            return out;
        }
        return node;
    }

    /** The value a reference names, if the saga has it yet. */
    static Optional<JsonNode> lookup(Run run, List<String> path) {
        switch (path.get(0)) {
            case "input":
                return walk(run.input, path.subList(1, path.size()));
            case "saga":
                return Optional.of(F.textNode(path.get(1).equals("id") ? run.id : run.name));
            case "steps":
                for (Run.StepRun s : run.steps) {
                    if (s.config.id().equals(path.get(1))) {
                        Saga.Response r = s.response;
                        if (r == null) {
                            return Optional.empty();
                        }
                        return switch (path.get(3)) {
                            case "status" -> Optional.of(F.numberNode(r.status()));
                            case "headers" ->
                                Optional.ofNullable(r.headers().get(path.get(4).toLowerCase(Locale.ROOT)))
                                        .map(F::textNode);
                            default -> walk(r.body(), path.subList(4, path.size()));
                        };
                    }
                }
                return Optional.empty();
            default:
                return Optional.empty();
        }
    }

    private static Optional<JsonNode> walk(JsonNode from, List<String> fields) {
        JsonNode at = from;
        for (String f : fields) {
            if (at.isArray() && f.matches("\\d{1,9}")) {
                at = at.path(Integer.parseInt(f));
            } else {
                at = at.path(f);
            }
            if (at.isMissingNode()) {
                return Optional.empty();
            }
        }
        return at.isMissingNode() ? Optional.empty() : Optional.of(at);
    }

    /**
     * {@code value} as one path segment: everything but unreserved characters
     * percent-encoded. An empty value, {@code null}, a JSON object or array, and a dot
     * segment are not segments: the step fails rather than call another resource.
     */
    static String segment(String value) {
        if (value.isEmpty()
                || value.equals("null")
                || value.equals(".")
                || value.equals("..")
                || value.startsWith("{")
                || value.startsWith("[")) {
            throw new Template.Unresolved(
                    "'" + (value.length() > 40 ? value.substring(0, 40) + "…" : value) + "' cannot be a path segment");
        }
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(hex(c >> 4)).append(hex(c & 15));
            }
        }
        return out.toString();
    }

    private static char hex(int digit) {
        return Character.toUpperCase(Character.forDigit(digit, 16));
    }

    /**
     * The path with every character a request line may not carry percent-encoded: a
     * value from an upstream's response ({@code /reservations/{{…id}}}) must not add a
     * space, a CR or a {@code #} to the request it goes into.
     */
    static String safePath(String path) {
        StringBuilder out = new StringBuilder(path.length() + 8);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
            if (ok) {
                out.append((char) c);
            } else {
                out.append('%').append(hex(c >> 4)).append(hex(c & 15));
            }
        }
        return out.toString();
    }
}
