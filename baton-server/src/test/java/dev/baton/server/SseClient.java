package dev.baton.server;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Reads an SSE stream's lines on a thread of its own, for tests to take one by one. */
final class SseClient implements AutoCloseable {
    private final HttpResponse<InputStream> response;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    SseClient(int port, String path, String lastEventId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        response = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException closed) {
                // the test is done with it
            }
        });
        reader.setDaemon(true);
        reader.start();
    }

    HttpResponse<InputStream> response() {
        return response;
    }

    /** The next line that starts with {@code prefix}, skipping others; fails after {@code wait}. */
    String next(String prefix, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = lines.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line starting with '" + prefix + "' within " + wait);
            }
            if (line.startsWith(prefix)) {
                return line;
            }
        }
    }

    @Override
    public void close() throws java.io.IOException {
        response.body().close();
        reader.interrupt();
    }
}
