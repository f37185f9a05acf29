package dev.baton.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** HTTP/1.1 calls to a gateway's admin API or proxy, for the server's tests. */
final class Calls {
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private Calls() {}

    /** Starts {@code baton run -c config} in a process of its own (for a kill), its output appended to {@code log}. */
    static Process launch(java.nio.file.Path config, java.nio.file.Path log) throws java.io.IOException {
        java.util.List<String> cmd = dev.baton.testing.TestService.command("run", "-c", config.toString());
        cmd.set(cmd.indexOf(dev.baton.testing.TestService.class.getName()), Main.class.getName());
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * {@code method path} on 127.0.0.1:{@code port}, with {@code body} as JSON when not
     * null (unless {@code headers} give a content type), and {@code headers} as name,
     * value, name, value.
     */
    static HttpResponse<String> send(int port, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i + 1 < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("content-type");
        }
        if (body != null && !typed) {
            b.header("content-type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Closes {@code resources} in order (a gateway, its upstreams), then {@code vertx}. */
    static void closeAll(io.vertx.core.Vertx vertx, AutoCloseable... resources) throws Exception {
        for (AutoCloseable r : resources) {
            r.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return send(port, "GET", path, null);
    }
}
