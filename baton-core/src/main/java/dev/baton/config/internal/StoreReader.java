package dev.baton.config.internal;

import dev.baton.config.StoreConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the {@code store:} section. The URL is checked here, where the error can
 * name the file and line, rather than when the store is first opened: a URL that
 * is not a PostgreSQL database's, one that carries a user or password (which would
 * then be shown wherever the URL is), one without a host or a database.
 */
final class StoreReader {
    private static final String EXPECTED =
            "postgresql://host[:port]/database or jdbc:postgresql://host[:port]/database";

    private StoreReader() {}

    static Optional<StoreConfig> read(Section top) {
        if (!top.has("store")) {
            return Optional.empty();
        }
        Section s = top.section("store"); // reports a store: that is not a mapping
        if (!(top.raw("store") instanceof YamlNode.Mapping)) {
            return Optional.empty();
        }
        Optional<String> url = s.string("url").flatMap(u -> url(s, u));
        if (!s.has("url")) {
            missing(top, s, "url", "is required (postgresql://host[:port]/database)");
        }
        Optional<String> user = s.string("user");
        if (!s.has("user")) {
            missing(top, s, "user", "is required: the role Baton signs in to the database as");
        }
        Optional<String> password = s.string("password");
        int maxConnections = s.integer("max-connections", StoreConfig.DEFAULT_MAX_CONNECTIONS, 1, 1000);
        s.finish();
        if (url.isEmpty() || user.isEmpty()) {
            return Optional.empty(); // reported above; the config is rejected
        }
        return Optional.of(new StoreConfig(url.get(), user.get(), password, maxConnections));
    }

    /** A key the section lacks, reported at the {@code store:} line: the section may have no lines of its own. */
    private static void missing(Section top, Section s, String key, String message) {
        s.problems().add(top.line("store"), s.path(key), message);
    }

    /** {@code text} for a message: a user, password or password parameter in it masked, in case the file has them. */
    private static String quote(String text) {
        return "'"
                + text.replaceFirst("//[^/?#]*@", "//********@").replaceAll("(?i)(password=)[^&#]*", "$1********")
                + "'";
    }

    /** {@code text} as a store URL without its {@code jdbc:} prefix, or empty with the reason reported. */
    private static Optional<String> url(Section s, String text) {
        String url = text.strip();
        if (url.startsWith("jdbc:")) {
            url = url.substring("jdbc:".length());
        }
        if (!url.startsWith("postgresql://")) {
            s.error("url", quote(text) + " is not a PostgreSQL URL (expected " + EXPECTED + ")");
            return Optional.empty();
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            s.error("url", quote(text) + " is not a valid URL: " + e.getReason());
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            s.error("url", "has a user or password in it; give them as store.user and store.password instead");
            return Optional.empty();
        }
        String query = uri.getRawQuery();
        if (query != null) {
            for (String param : query.split("&")) {
                String name = param.split("=", 2)[0].toLowerCase(Locale.ROOT);
                if (name.equals("user") || name.contains("password")) {
                    s.error(
                            "url",
                            "names a user or password (" + name
                                    + "); give them as store.user and store.password instead");
                    return Optional.empty();
                }
            }
        }
        String path = uri.getRawPath();
        String database = path == null || path.isEmpty() ? "" : path.substring(1);
        if (uri.getHost() == null) {
            s.error("url", quote(text) + " has no host (expected " + EXPECTED + ")");
        } else if (uri.getPort() > 65535) {
            s.error("url", quote(text) + " has port " + uri.getPort() + ", beyond 65535");
        } else if (database.isEmpty() || database.contains("/")) {
            s.error("url", quote(text) + " names no database (expected " + EXPECTED + ")");
        } else if (uri.getRawFragment() != null) {
            s.error("url", quote(text) + " has a #fragment, which a database URL does not take");
        } else {
            return Optional.of(url);
        }
        return Optional.empty();
    }
}
