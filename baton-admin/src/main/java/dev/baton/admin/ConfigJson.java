package dev.baton.admin;

import dev.baton.config.Durations;
import dev.baton.config.ServerConfig;
import dev.baton.config.Sizes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The active config as admin JSON ({@code GET /config}): every record component by
 * its camelCase name, so new config fields appear without code here; durations and
 * sizes as in YAML ({@code 30s}, {@code 10MB}: a long whose name ends in Size); the
 * event loops as the number in use; absent optionals left out; and any component
 * whose name says secret or password masked.
 */
final class ConfigJson {
    static final String MASK = "********";

    private ConfigJson() {}

    /** {@code value} as JSON: null (or an empty optional) as null. */
    static @Nullable Object render(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Optional<?> o) {
            return o.map(ConfigJson::render).orElse(null);
        }
        if (value instanceof java.util.OptionalInt o) {
            return o.isPresent() ? o.getAsInt() : null;
        }
        if (value instanceof java.util.OptionalLong o) {
            return o.isPresent() ? o.getAsLong() : null;
        }
        if (value instanceof Duration d) {
            return Durations.format(d);
        }
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof dev.baton.config.Template t) {
            return t.source(); // as written, {{…}} and all
        }
        if (value instanceof com.fasterxml.jackson.databind.JsonNode n) {
            return io.vertx.core.json.Json.decodeValue(n.toString()); // a saga's body: the JSON it is
        }
        if (value instanceof Map<?, ?> m) {
            JsonObject out = new JsonObject();
            m.forEach((k, v) -> putIfPresent(out, String.valueOf(k), render(v)));
            return out;
        }
        if (value instanceof Collection<?> c) {
            JsonArray out = new JsonArray();
            c.forEach(v -> out.add(render(v)));
            return out;
        }
        if (value.getClass().isRecord() && !isLeaf(value)) {
            return record(value);
        }
        if (value instanceof java.net.URI u
                && u.getRawUserInfo() != null
                && u.getRawUserInfo().contains(":")) {
            // A broker's amqp://user:password@host: the user may show, the password not.
            String user = u.getRawUserInfo().substring(0, u.getRawUserInfo().indexOf(':'));
            return u.toString().replace(u.getRawUserInfo() + "@", user + ":" + MASK + "@");
        }
        return value.toString(); // URI, Path, HostPort: their text form
    }

    /** The whole config, a record of records. */
    static JsonObject config(dev.baton.config.Config config) {
        return record(config);
    }

    /** A record's components by name, secrets masked, absent optionals left out. */
    private static JsonObject record(Object value) {
        JsonObject out = new JsonObject();
        for (RecordComponent rc : value.getClass().getRecordComponents()) {
            Object v;
            try {
                v = rc.getAccessor().invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + rc.getName(), e);
            }
            @Nullable Object shown = isSecret(rc.getName()) && present(v) ? MASK : render(v);
            if (v instanceof Long bytes && rc.getName().endsWith("Size")) {
                shown = Sizes.format(bytes);
            } else if (value instanceof ServerConfig server && rc.getName().equals("eventLoops")) {
                shown = server.effectiveEventLoops(); // 0 means "one per core": say how many
            }
            putIfPresent(out, rc.getName(), shown);
            if (value instanceof dev.baton.config.SagaConfig.Call
                    && rc.getName().equals("headers")
                    && v instanceof Map<?, ?> headers) {
                JsonObject masked = new JsonObject();
                headers.forEach(
                        (k, h) -> masked.put(String.valueOf(k), secretHeader(String.valueOf(k)) ? MASK : render(h)));
                out.put("headers", masked);
            }
            if (rc.getName().equals("env") && v instanceof Map<?, ?> env) {
                // A process's environment is where twelve-factor programs take their secrets.
                JsonObject masked = new JsonObject();
                env.keySet().forEach(k -> masked.put(String.valueOf(k), MASK));
                out.put("env", masked);
            }
        }
        return out;
    }

    /** Records that read best as their text form. */
    private static boolean isLeaf(Object value) {
        return value instanceof dev.baton.config.HostPort;
    }

    /** A header that carries a credential: its value is never shown. */
    static boolean secretHeader(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.equals("authorization")
                || n.equals("proxy-authorization")
                || n.equals("cookie")
                || n.contains("token")
                || n.contains("secret")
                || n.contains("key")
                || n.contains("password")
                || n.contains("auth");
    }

    private static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.contains("secret") || n.contains("password");
    }

    private static boolean present(@Nullable Object v) {
        return v != null && !(v instanceof Optional<?> o && o.isEmpty());
    }

    private static void putIfPresent(JsonObject out, String key, @Nullable Object v) {
        if (v != null) {
            out.put(key, v);
        }
    }
}
