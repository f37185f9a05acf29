package dev.baton.config.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.baton.config.SagaConfig;
import dev.baton.config.ServiceConfig;
import dev.baton.config.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates {@code sagas:}: each saga's timeouts and steps, each step's
 * call and compensation, and every template in them. A template must name the
 * input, the saga ({@code saga.id}, {@code saga.name}) or a step that has run by
 * then ({@code steps.ID.response.body…}, {@code .status}, {@code .headers.NAME});
 * a compensation may name its own step. A service no one defines is a warning, as
 * for routes: it may register at run time.
 */
public final class SagaReader {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}");
    /** Headers Baton sets on every saga call, and those that would break the request's framing. */
    private static final Set<String> RESERVED = Set.of(
            "idempotency-key",
            "x-baton-saga-id",
            "host",
            "content-length",
            "transfer-encoding",
            "connection",
            "keep-alive",
            "upgrade",
            "te",
            "trailer",
            "proxy-connection");

    private SagaReader() {}

    /** The sagas under {@code top}'s {@code sagas:}, by name in file order. */
    public static Map<String, SagaConfig> read(Section top, Map<String, ServiceConfig> services) {
        Section all = top.section("sagas");
        Map<String, SagaConfig> out = new LinkedHashMap<>();
        for (String name : all.keys()) {
            if (!NAME.matcher(name).matches()) {
                all.error(name, "a saga's name is 1 to 64 letters, digits, '-' or '_'");
            }
            saga(name, all.section(name), services).ifPresent(s -> out.put(name, s));
        }
        all.finish();
        return out;
    }

    /** One saga's definition from {@code s}; empty (with the problems reported) when it has no valid step. */
    public static Optional<SagaConfig> saga(String name, Section s, Map<String, ServiceConfig> services) {
        Duration timeout = s.duration("timeout", SagaConfig.DEFAULT_TIMEOUT, Duration.ofMillis(1), Duration.ofDays(7));
        Duration deadline = s.duration(
                "compensation-deadline",
                SagaConfig.DEFAULT_COMPENSATION_DEADLINE,
                Duration.ofMillis(1),
                Duration.ofDays(30));
        List<YamlNode> nodes = s.list("steps");
        if (nodes.isEmpty()) {
            s.error("steps", "a saga needs at least one step");
        }
        List<SagaConfig.Step> steps = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        boolean pivoted = false;
        for (int i = 0; i < nodes.size(); i++) {
            Section st = Section.of(nodes.get(i), s.path("steps") + "[" + i + "]", s.problems());
            Optional<SagaConfig.Step> step = step(st, ids, services);
            step.ifPresent(steps::add);
            String id = step.map(SagaConfig.Step::id).orElse(st.string("id", ""));
            ids.add(id);
            if (step.filter(SagaConfig.Step::pivot).isPresent()) {
                if (pivoted) {
                    st.error("pivot", "only one step can be the pivot");
                }
                pivoted = true;
            }
        }
        s.finish();
        return steps.size() == nodes.size() && !steps.isEmpty()
                ? Optional.of(new SagaConfig(name, timeout, deadline, steps))
                : Optional.empty();
    }

    private static Optional<SagaConfig.Step> step(Section s, List<String> before, Map<String, ServiceConfig> services) {
        Optional<String> id = s.string("id");
        if (id.isEmpty()) {
            s.error("id", "is required");
        } else if (!NAME.matcher(id.get()).matches()) {
            s.error("id", "a step's id is 1 to 64 letters, digits, '-' or '_'");
        } else if (before.contains(id.get())) {
            s.error("id", "another step is '" + id.get() + "' already");
        }
        String own = id.orElse("");
        boolean pivot = s.bool("pivot", false);
        Optional<SagaConfig.Call> call = s.has("call") ? call(s.section("call"), before, services) : Optional.empty();
        if (!s.has("call")) {
            s.error("call", "is required: the service call this step makes");
        }
        List<String> withOwn = new ArrayList<>(before);
        withOwn.add(own);
        Optional<SagaConfig.Call> compensate =
                s.has("compensate") ? call(s.section("compensate"), withOwn, services) : Optional.empty();
        SagaConfig.Retry retry = s.has("retry") ? retry(s.section("retry")) : SagaConfig.Retry.DEFAULT;
        Duration timeout =
                s.duration("timeout", SagaConfig.DEFAULT_STEP_TIMEOUT, Duration.ofMillis(1), Duration.ofMinutes(10));
        SagaConfig.Statuses failOn = statuses(s, "fail-on");
        SagaConfig.Statuses retryOn = statuses(s, "retry-on");
        for (String p : failOn.patterns()) {
            if (retryOn.patterns().contains(p)) {
                s.error("retry-on", "'" + p + "' is in fail-on too");
            }
        }
        s.finish();
        if (id.isEmpty() || call.isEmpty() || (s.has("compensate") && compensate.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(new SagaConfig.Step(own, call.get(), compensate, retry, timeout, pivot, failOn, retryOn));
    }

    private static SagaConfig.Retry retry(Section s) {
        int attempts = s.integer("attempts", SagaConfig.Retry.DEFAULT.attempts(), 1, 1000);
        Duration backoff =
                s.duration("backoff", SagaConfig.Retry.DEFAULT.backoff(), Duration.ZERO, Duration.ofHours(1));
        Duration max = s.duration(
                "max-backoff",
                SagaConfig.Retry.DEFAULT.maxBackoff().compareTo(backoff) < 0
                        ? backoff
                        : SagaConfig.Retry.DEFAULT.maxBackoff(),
                Duration.ZERO,
                Duration.ofHours(1));
        if (max.compareTo(backoff) < 0) {
            s.error("max-backoff", "must be at least backoff (" + dev.baton.config.Durations.format(backoff) + ")");
        }
        s.finish();
        return new SagaConfig.Retry(attempts, backoff, max);
    }

    private static SagaConfig.Statuses statuses(Section s, String key) {
        List<String> given = s.strings(key);
        for (String p : given) {
            if (!SagaConfig.Statuses.valid(p.trim())) {
                s.error(key, "'" + p + "' is not a status (100 to 599) or a class (4xx)");
            }
        }
        return new SagaConfig.Statuses(given.stream().map(String::trim).toList());
    }

    private static Optional<SagaConfig.Call> call(Section s, List<String> steps, Map<String, ServiceConfig> services) {
        int errors = s.problems().errors().size();
        Optional<String> service = s.string("service");
        if (service.isEmpty()) {
            s.error("service", "is required");
        } else if (!services.containsKey(service.get())) {
            s.warn("service", "no service '" + service.get() + "' is defined: calls fail until one registers");
        }
        String method = s.string("method", "POST").trim().toUpperCase(java.util.Locale.ROOT);
        if (!RouteReader.METHODS.contains(method) || method.equals("CONNECT") || method.equals("TRACE")) {
            s.error("method", "'" + method + "' is not a method a saga can call with");
        }
        Template path = template(s, "path", s.string("path", "/"), steps);
        if (!path.source().startsWith("/")) {
            s.error("path", "must start with '/'");
        }
        Map<String, Template> headers = new LinkedHashMap<>();
        Section h = s.section("headers");
        for (String name : h.keys()) {
            if (!HEADER.matcher(name).matches()) {
                h.error(name, "is not a header name");
            } else if (RESERVED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                h.error(name, "is set by Baton on every saga call");
            }
            headers.put(name, template(h, name, h.string(name, ""), steps));
        }
        h.finish();
        Optional<JsonNode> body = Optional.empty();
        YamlNode raw = s.raw("body");
        if (raw != null && !(raw instanceof YamlNode.Null)) {
            body = Optional.of(json(raw, s.path("body"), s.problems(), steps));
        }
        s.finish();
        if (service.isEmpty() || s.problems().errors().size() > errors) {
            return Optional.empty();
        }
        return Optional.of(new SagaConfig.Call(service.get(), method, path, headers, body));
    }

    /** {@code node} as JSON, each string's templates checked; scalars keep the type they were written with. */
    private static JsonNode json(YamlNode node, String path, Problems problems, List<String> steps) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node instanceof YamlNode.Mapping m) {
            ObjectNode o = f.objectNode();
            m.entries().forEach((k, v) -> o.set(k, json(v, path + "." + k, problems, steps)));
            return o;
        }
        if (node instanceof YamlNode.Sequence seq) {
            ArrayNode a = f.arrayNode();
            for (int i = 0; i < seq.items().size(); i++) {
                a.add(json(seq.items().get(i), path + "[" + i + "]", problems, steps));
            }
            return a;
        }
        if (node instanceof YamlNode.Scalar sc) {
            if (!sc.string()) {
                try {
                    return new com.fasterxml.jackson.databind.ObjectMapper().readTree(sc.text());
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    return f.textNode(sc.text()); // a plain YAML word that is not JSON (yes, null-ish): its text
                }
            }
            String text;
            try {
                text = Values.expand(sc.text(), problems.env());
            } catch (IllegalArgumentException e) {
                problems.add(sc.line(), path, Problems.why(e));
                return f.textNode(sc.text());
            }
            check(text, sc.line(), path, problems, steps);
            return f.textNode(text);
        }
        return f.nullNode();
    }

    private static Template template(Section s, String key, String text, List<String> steps) {
        return check(text, s.line(key), s.path(key), s.problems(), steps);
    }

    /** Parses {@code text} and checks that every reference names something, reporting each that does not. */
    static Template check(String text, int line, String path, Problems problems, List<String> steps) {
        Template t;
        try {
            t = Template.parse(text);
        } catch (IllegalArgumentException e) {
            problems.add(line, path, Problems.why(e));
            return Template.literal(text);
        }
        for (Template.Reference r : t.references()) {
            referenceProblem(r, steps).ifPresent(why -> problems.add(line, path, "{{" + r + "}}: " + why));
        }
        return t;
    }

    /** What is wrong with {@code r} when only {@code steps} have run, or empty when it can name something. */
    static Optional<String> referenceProblem(Template.Reference r, List<String> steps) {
        List<String> p = r.path();
        switch (p.get(0)) {
            case "input":
                return Optional.empty();
            case "saga":
                return p.size() == 2 && (p.get(1).equals("id") || p.get(1).equals("name"))
                        ? Optional.empty()
                        : Optional.of("the saga has id and name only");
            case "steps":
                if (p.size() < 3) {
                    return Optional.of("name a step's response: steps.ID.response.body, .status or .headers.NAME");
                }
                String step = p.get(1);
                if (!steps.contains(step)) {
                    return Optional.of("no step '" + step + "' has run by then"
                            + (steps.isEmpty() ? "" : " (before it: " + String.join(", ", steps) + ")"));
                }
                if (!p.get(2).equals("response") || p.size() < 4) {
                    return Optional.of("a step has only its response: steps." + step + ".response.body, .status or"
                            + " .headers.NAME");
                }
                return switch (p.get(3)) {
                    case "body" -> Optional.empty();
                    case "status" -> p.size() == 4 ? Optional.empty() : Optional.of("a status has no fields");
                    case "headers" -> p.size() == 5 ? Optional.empty() : Optional.of("name one header: headers.NAME");
                    default -> Optional.of("a response has body, status and headers");
                };
            default:
                return Optional.of("a reference starts with input, saga or steps");
        }
    }
}
