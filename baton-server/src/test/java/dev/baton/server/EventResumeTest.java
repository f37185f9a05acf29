package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.events.Event;
import dev.baton.events.EventFilter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With events.persist, a client of the event stream resumes with Last-Event-ID across a restart. */
class EventResumeTest {
    @TempDir
    Path dir;

    @Test
    void aStreamResumesAcrossARestartFromTheKeptEvents() throws Exception {
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                events: { persist: true }
                """.formatted(dir.resolve("data")));
        List<Event> seen = new CopyOnWriteArrayList<>();
        long lastSeen;
        long missed;
        try (Baton baton = Baton.builder().configFile(file).watch(false).build().start()) {
            baton.events().subscribeSync("test", EventFilter.parse("QUEUE_*"), -1, seen::add);
            assertThat(Calls.send(baton.adminPort(), "PUT", "/queues/first", "{}")
                            .statusCode())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 1);
            lastSeen = seen.get(0).id();
            // The client goes away here; this one comes while it is gone.
            assertThat(Calls.send(baton.adminPort(), "PUT", "/queues/second", "{}")
                            .statusCode())
                    .isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() == 2);
            missed = seen.get(1).id();
        }
        try (Baton again = Baton.builder().configFile(file).watch(false).build().start()) {
            HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + again.adminPort() + "/events?types=QUEUE_*"))
                                    .header("last-event-id", Long.toString(lastSeen))
                                    .build(),
                            HttpResponse.BodyHandlers.ofInputStream());
            List<String> lines = new ArrayList<>();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                for (String line;
                        (line = r.readLine()) != null && lines.stream().noneMatch(l -> l.startsWith("data:")); ) {
                    lines.add(line);
                }
            }
            assertThat(lines).contains("id: " + missed);
            assertThat(lines).noneMatch(l -> l.contains("no longer kept"));
            assertThat(lines.stream()
                            .filter(l -> l.startsWith("data:"))
                            .findFirst()
                            .orElseThrow())
                    .contains("QUEUE_DECLARED")
                    .contains("\"queue\":\"second\"");
        }
    }
}
