package dev.baton.examples.embedding;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.events.Event;
import dev.baton.events.EventFilter;
import dev.baton.events.EventType;
import dev.baton.server.Baton;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded gateway answers through real sockets, and a config it is given applies at once. */
class EmbeddedGatewayTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dataDir;

    @Test
    void proxiesToTheUpstreamAndFollowsAnAppliedConfig() throws Exception {
        try (HelloUpstream app = HelloUpstream.start();
                Baton baton = Baton.builder()
                        .config(EmbeddedGateway.config(app.url(), "/v1", dataDir))
                        .build()
                        .start()) {
            assertThat(baton.proxyPort()).as("port 0: a free one").isPositive();
            assertThat(get(baton, "/v1/hello").body()).isEqualTo("hello from /v1/hello");

            CompletableFuture<Event> reloaded = new CompletableFuture<>();
            try (var subscription =
                    baton.events().subscribe("test", EventFilter.of(EventType.CONFIG_RELOADED), reloaded::complete)) {
                baton.apply(EmbeddedGateway.config(app.url(), "/v2", dataDir));
                assertThat(reloaded.get(10, TimeUnit.SECONDS).data()).containsEntry("source", "api");
            }
            assertThat(get(baton, "/v2/hello").body()).isEqualTo("hello from /v2/hello");
            assertThat(get(baton, "/v1/hello").statusCode())
                    .as("/v1 is no longer routed")
                    .isEqualTo(404);
        }
    }

    @Test
    void mainRunsFromStartToEnd() throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            EmbeddedGateway.main(new String[] {dataDir.toString()});
        } finally {
            System.setOut(console);
        }
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("hello from /v1/hello")
                .contains("hello from /v2/hello");
    }

    private HttpResponse<String> get(Baton baton, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + baton.proxyPort() + path);
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }
}
