package dev.baton.examples.embedding;

import dev.baton.config.Config;
import dev.baton.config.ConfigLoader;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.server.Baton;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

/**
 * Baton inside an application: a gateway built from YAML text in front of one
 * upstream, started, asked for a page, then given a new config while it runs.
 */
public final class EmbeddedGateway {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private EmbeddedGateway() {}

    /** Proxies {@code prefix/**} to {@code upstream}; both listeners on any free port. */
    public static Config config(URI upstream, String prefix, Path dataDir) {
        String yaml = """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: "%s" }
                services:
                  app: { instances: ["%s"] }
                routes:
                  - { path: "%s/**", service: app }
                """.formatted(dataDir, upstream, prefix);
        // Throws ConfigException listing every error, each with its line.
        return new ConfigLoader(Map.of()).parse(yaml, "embedded.yaml");
    }

    /** Runs once through: the argument is Baton's data directory (default {@code data}). */
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "data");
        try (HelloUpstream app = HelloUpstream.start();
                Baton baton = Baton.builder()
                        .config(config(app.url(), "/v1", dataDir))
                        .build()
                        .start()) {
            baton.events().subscribe("reloads", EventFilter.of(EventType.CONFIG_RELOADED), event -> {
                System.out.println("reloaded: " + event.data());
            });
            URI gateway = URI.create("http://127.0.0.1:" + baton.proxyPort());
            System.out.println(get(gateway.resolve("/v1/hello"))); // hello from /v1/hello

            // Requests in flight finish on the config they started with.
            baton.apply(config(app.url(), "/v2", dataDir));
            System.out.println(get(gateway.resolve("/v2/hello"))); // hello from /v2/hello
        }
    }

    private static String get(URI uri) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }
}
