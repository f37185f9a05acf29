package dev.baton.control;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import dev.baton.config.RouteConfig;
import dev.baton.security.SecurityViolations;
import io.vertx.core.MultiMap;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@code validate:} (seed's "validate_payload"), compiled: checks of the
 * request head (target length, header count and size, content type) and of a JSON
 * body (well-formed, nesting depth, JSON Schema by networknt's validator). Each
 * failure names the rule, with 400 (malformed or out of bounds), 413 or 415.
 */
public final class RequestValidation {
    /** A failed rule: the status to answer with, the violation type to count, and why. */
    public record Violation(int status, String type, String message) {}

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final RouteConfig.Validation config;
    private final @Nullable JsonSchema schema;

    public RequestValidation(RouteConfig.Validation config) {
        this.config = config;
        this.schema = config.schemaText().map(RequestValidation::compile).orElse(null);
    }

    private static JsonSchema compile(String text) {
        try {
            var node = MAPPER.readTree(text);
            return JsonSchemaFactory.getInstance(SpecVersionDetector.detectOptionalVersion(node, false)
                            .orElse(com.networknt.schema.SpecVersion.VersionFlag.V202012))
                    .getSchema(node);
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid JSON Schema: " + e.getMessage(), e);
        }
    }

    /** Whether the body must be read whole before proxying (a JSON check). */
    public boolean needsBody() {
        return config.json();
    }

    /** Checks what arrived before the body: the request target and the headers; empty when they pass. */
    public Optional<Violation> checkHead(String uri, MultiMap headers, boolean hasBody) {
        if (config.maxUrlLength().isPresent()
                && uri.length() > config.maxUrlLength().getAsInt()) {
            return Optional.of(new Violation(
                    400,
                    SecurityViolations.URL_TOO_LONG,
                    "request target of " + uri.length() + " characters exceeds max-url-length "
                            + config.maxUrlLength().getAsInt()));
        }
        if (config.maxHeaders().isPresent()
                && headers.size() > config.maxHeaders().getAsInt()) {
            return Optional.of(new Violation(
                    400,
                    SecurityViolations.TOO_MANY_HEADERS,
                    headers.size() + " headers exceed max-headers "
                            + config.maxHeaders().getAsInt()));
        }
        if (config.maxHeaderBytes().isPresent()) {
            long size = 0;
            for (Map.Entry<String, String> h : headers) {
                size += h.getKey().length() + h.getValue().length() + 4;
            }
            if (size > config.maxHeaderBytes().getAsLong()) {
                return Optional.of(new Violation(
                        400,
                        SecurityViolations.HEADERS_TOO_LARGE,
                        "headers of " + size + " bytes exceed max-header-size "
                                + config.maxHeaderBytes().getAsLong()));
            }
        }
        if (hasBody && (!config.contentTypes().isEmpty() || config.json())) {
            String type = mediaType(headers.get("content-type"));
            boolean allowed = config.contentTypes().isEmpty()
                    ? isJson(type)
                    : config.contentTypes().stream().anyMatch(t -> matches(t, type));
            if (!allowed || (config.json() && !isJson(type))) {
                Set<String> expected =
                        config.contentTypes().isEmpty() ? Set.of("application/json") : config.contentTypes();
                return Optional.of(new Violation(
                        415,
                        SecurityViolations.CONTENT_TYPE,
                        "content type " + (type.isEmpty() ? "(none)" : type) + " is not accepted (expected "
                                + expected.stream().sorted().collect(Collectors.joining(", ")) + ")"));
            }
        }
        return Optional.empty();
    }

    /** Checks a JSON body: well-formed, no deeper than max-depth, valid against the schema; empty when it passes. */
    public Optional<Violation> checkBody(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            int depth = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (++depth > config.maxJsonDepth()) {
                        return Optional.of(new Violation(
                                400,
                                SecurityViolations.JSON_TOO_DEEP,
                                "JSON nested deeper than max-depth " + config.maxJsonDepth()));
                    }
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                }
            }
        } catch (IOException e) {
            return Optional.of(
                    new Violation(400, SecurityViolations.INVALID_JSON, "malformed JSON body: " + firstLine(e)));
        }
        if (schema != null) {
            try {
                Set<ValidationMessage> errors = schema.validate(MAPPER.readTree(body));
                if (!errors.isEmpty()) {
                    return Optional.of(new Violation(
                            400,
                            SecurityViolations.SCHEMA,
                            "body does not match the route's JSON Schema: "
                                    + errors.stream()
                                            .map(ValidationMessage::getMessage)
                                            .sorted()
                                            .limit(5)
                                            .collect(Collectors.joining("; "))));
                }
            } catch (IOException e) {
                return Optional.of(
                        new Violation(400, SecurityViolations.INVALID_JSON, "malformed JSON body: " + firstLine(e)));
            }
        }
        return Optional.empty();
    }

    private static String firstLine(IOException e) {
        String m = e.getMessage() == null ? "unreadable" : e.getMessage();
        int cut = m.indexOf('\n');
        return cut < 0 ? m : m.substring(0, cut);
    }

    /** The media type of a Content-Type value, lower case without parameters; "" without one. */
    public static String mediaType(@Nullable String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static boolean matches(String allowed, String type) {
        if (allowed.endsWith("/*")) {
            return type.startsWith(allowed.substring(0, allowed.length() - 1));
        }
        return allowed.equals(type);
    }

    private static boolean isJson(String type) {
        return type.equals("application/json") || type.endsWith("+json");
    }
}
