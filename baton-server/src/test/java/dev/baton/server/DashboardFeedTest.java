package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's live feed as a browser's EventSource reads it: the overview, then
 * the series with the step it ends at as its id; a browser that reconnects with
 * {@code Last-Event-ID} gets only the points it missed.
 */
class DashboardFeedTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    Baton baton;

    @BeforeEach
    void start() throws Exception {
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services: { api: { instances: [ "http://127.0.0.1:9" ] } }
                """.formatted(dir.resolve("data")));
        baton = Baton.builder().configFile(file).watch(false).build().start();
    }

    @AfterEach
    void stop() {
        baton.close();
    }

    @Test
    void aBrowserThatReconnectsGetsThePointsItMissedNotTheWholeSeries() throws Exception {
        long step;
        try (SseClient first = new SseClient(baton.adminPort(), "/ui/stream", null)) {
            assertThat(first.response().statusCode()).isEqualTo(200);
            assertThat(first.next("event: ", WAIT)).isEqualTo("event: overview");
            assertThat(first.next("event: ", WAIT)).isEqualTo("event: series");
            step = Long.parseLong(first.next("id: ", WAIT).substring(4));
            assertThat(step % 5).as("a step's epoch second").isZero();
        }
        try (SseClient again = new SseClient(baton.adminPort(), "/ui/stream", Long.toString(step - 10))) {
            assertThat(again.next("event: ", WAIT)).isEqualTo("event: overview");
            assertThat(again.next("event: ", WAIT)).isEqualTo("event: point");
            assertThat(again.next("id: ", WAIT)).isEqualTo("id: " + (step - 5));
            assertThat(again.next("event: ", WAIT)).isEqualTo("event: point");
            assertThat(again.next("id: ", WAIT)).isEqualTo("id: " + step);
        }
        for (String stale : new String[] {"abc", Long.toString(step - 3600), Long.toString(step + 3600), "-5"}) {
            try (SseClient odd = new SseClient(baton.adminPort(), "/ui/stream", stale)) {
                assertThat(odd.next("event: ", WAIT)).isEqualTo("event: overview");
                assertThat(odd.next("event: ", WAIT)).as(stale).isEqualTo("event: series");
            }
        }
    }
}
