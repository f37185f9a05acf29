package dev.baton.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.config.AccessLogConfig;
import dev.baton.config.ConfigLoader;
import dev.baton.testing.FakeClock;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log's hand-off from event loops to its writer: every line arrives
 * once, whole and in each thread's order, across batches, with lines longer than a
 * block's room, and when a batch is only partly filled. The writer keeps time on
 * a fake clock, which only the partial-batch test moves.
 */
class AccessLogWriterTest {
    @TempDir
    Path dir;

    final FakeClock clock = new FakeClock();

    private AccessLogConfig config(Path file) {
        return new ConfigLoader(Map.of())
                .parse("access-log: { file: " + file + " }\n", "test.yaml")
                .observability()
                .accessLog();
    }

    @Test
    void linesFromSeveralThreadsArriveWholeAndInEachThreadsOrder() throws Exception {
        Path file = dir.resolve("access.log");
        int threads = 3;
        int perThread = 3 * AccessLog.BATCH + 17;
        String longPath = "/long/" + "x".repeat(3 * AccessLog.BLOCK / 2);
        AccessLog accessLog = new AccessLog(config(file), clock::nanos);
        accessLog.start();
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            new Thread(() -> {
                        for (int i = 0; i < perThread; i++) {
                            String path = i == 100 ? longPath : i == 101 ? "/quote\"d\\path" : "/api/" + i;
                            accessLog.completed(FinishedRequest.of(thread + "-" + i, path, 200));
                        }
                        done.countDown();
                    })
                    .start();
        }
        done.await();
        accessLog.close();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(threads * perThread);
        Map<String, Integer> next = new HashMap<>();
        for (String line : lines) {
            JsonObject o = new JsonObject(line);
            String[] id = o.getString("requestId").split("-");
            int i = Integer.parseInt(id[1]);
            assertThat(i).as("order of thread %s", id[0]).isEqualTo(next.getOrDefault(id[0], 0));
            next.put(id[0], i + 1);
            String expected = i == 100 ? longPath : i == 101 ? "/quote\"d\\path" : "/api/" + i;
            assertThat(o.getString("path")).isEqualTo(expected);
            assertThat(o.getString("service")).isEqualTo("orders");
        }
        assertThat(accessLog.written()).isEqualTo(threads * perThread);
        assertThat(accessLog.dropped()).isZero();
    }

    @Test
    void aPartlyFilledBatchIsWrittenOnceTheFlushIntervalHasPassed() throws Exception {
        Path file = dir.resolve("access.log");
        try (AccessLog accessLog = new AccessLog(config(file), clock::nanos)) {
            accessLog.start();
            accessLog.completed(FinishedRequest.of("only", "/one", 503));
            clock.advance(Duration.ofMillis(AccessLog.FLUSH_MILLIS));
            // The writer parks for the rest of its interval (on the real clock) and then looks at the fake one.
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Files.exists(file) && !Files.readAllLines(file).isEmpty());
            JsonObject o = new JsonObject(Files.readAllLines(file).get(0));
            assertThat(o.getString("requestId")).isEqualTo("only");
            assertThat(o.getInteger("status")).isEqualTo(503);
        }
    }

    @Test
    void whenTheWriterCannotKeepUpWholeBatchesAreDroppedAndCounted() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
        AccessLog accessLog = new AccessLog(config(notADirectory.resolve("access.log")), clock::nanos);
        accessLog.start();
        int lines = (AccessLog.MAX_BATCHES + 10) * AccessLog.BATCH;
        for (int i = 0; i < lines; i++) {
            accessLog.completed(FinishedRequest.of("r" + i, "/api/x", 200));
        }
        accessLog.close();
        assertThat(accessLog.written()).isZero();
        assertThat(accessLog.dropped()).isGreaterThanOrEqualTo(10L * AccessLog.BATCH);
        assertThat(accessLog.dropped() % AccessLog.BATCH).isZero();
    }
}
