package dev.baton.control;

import dev.baton.config.JsonMapping;
import dev.baton.config.RouteConfig;
import io.vertx.core.MultiMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A route's {@code transform:}, compiled: header edits on the way up and down, a
 * regex rewrite of the upstream path, and query parameters set or removed. Bodies
 * pass untouched (streaming is kept).
 */
public final class RouteTransform {
    private final RouteConfig.Transform config;
    private final @Nullable Pattern path;

    public RouteTransform(RouteConfig.Transform config) {
        this.config = config;
        this.path = config.pathPattern().map(Pattern::compile).orElse(null);
    }

    public void request(MultiMap headers) {
        apply(config.requestHeaders(), headers);
    }

    public void response(MultiMap headers) {
        apply(config.responseHeaders(), headers);
    }

    private static void apply(RouteConfig.HeaderEdits e, MultiMap headers) {
        if (e.isEmpty()) {
            return;
        }
        e.rename().forEach((from, to) -> {
            List<String> values = headers.getAll(from);
            if (!values.isEmpty()) {
                List<String> copy = new ArrayList<>(values);
                headers.remove(from);
                headers.add(to, copy);
            }
        });
        e.add().forEach(headers::add);
        e.set().forEach(headers::set);
        e.remove().forEach(headers::remove);
    }

    public boolean hasRequestBody() {
        return config.requestBody().isPresent();
    }

    /**
     * The request body mapping, when this request's body qualifies: JSON with a
     * Content-Length within max-size; else empty. The arguments are the request's
     * headers, null when absent.
     */
    public Optional<JsonMapping> requestBody(@Nullable String contentType, @Nullable String contentLength) {
        return config.requestBody().filter(m -> qualifies(m, contentType, contentLength));
    }

    /** The response body mapping, when this response qualifies; else empty. */
    public Optional<JsonMapping> responseBody(@Nullable String contentType, @Nullable String contentLength) {
        return config.responseBody().filter(m -> qualifies(m, contentType, contentLength));
    }

    private static boolean qualifies(JsonMapping m, @Nullable String contentType, @Nullable String contentLength) {
        if (contentLength == null) {
            return false;
        }
        String type = RequestValidation.mediaType(contentType);
        if (!type.equals("application/json") && !type.endsWith("+json")) {
            return false;
        }
        try {
            return Long.parseLong(contentLength.trim()) <= m.maxSize();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The path rewritten by the route's pattern ({@code $1} for groups), or as it was when it does not match. */
    public String path(String p) {
        if (path == null) {
            return p;
        }
        Matcher m = path.matcher(p);
        return m.find() ? m.replaceFirst(config.pathReplacement()) : p;
    }

    /** The query (null without one) with parameters removed and set; null when nothing is left. */
    public @Nullable String query(@Nullable String query) {
        if (config.querySet().isEmpty() && config.queryRemove().isEmpty()) {
            return query;
        }
        List<String> kept = new ArrayList<>();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                String name = pair.contains("=") ? pair.substring(0, pair.indexOf('=')) : pair;
                String decoded = java.net.URLDecoder.decode(name, StandardCharsets.UTF_8);
                if (!config.queryRemove().contains(decoded)
                        && !config.querySet().containsKey(decoded)) {
                    kept.add(pair);
                }
            }
        }
        for (Map.Entry<String, String> e : config.querySet().entrySet()) {
            kept.add(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
        }
        return kept.isEmpty() ? null : String.join("&", kept);
    }
}
