package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.resilience.Bulkhead;
import dev.baton.testing.TestUpstream;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** A service's max-concurrent through the proxy: the excess is refused at once, and places come back. */
class BulkheadTest extends ProxyTestSupport {

    @Test
    void requestsOverMaxConcurrentAreRefusedAndCounted() throws Exception {
        List<HttpServerRequest> held = new CopyOnWriteArrayList<>();
        upstream = TestUpstream.start(vertx, req -> {
            if (req.path().equals("/hold")) {
                held.add(req);
            } else {
                req.response().end("ok");
            }
        });
        proxy = new ProxyHarness(vertx, """
                services:
                  s: { max-concurrent: 3, instances: [ "%s" ] }
                  t: { instances: [ "%s" ] }
                routes: [ { path: /t/**, service: t }, { path: /**, service: s } ]
                """.formatted(upstream.url(), upstream.url()));
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(proxy.http.sendAsync(
                    HttpRequest.newBuilder(proxy.uri("/hold")).build(), HttpResponse.BodyHandlers.ofString()));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> held.size() == 3);

        HttpResponse<String> refused = proxy.get("/x");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(refused.body()).getString("message")).contains("max-concurrent of 3");
        assertThat(proxy.get("/t/x").statusCode())
                .as("another service is not affected")
                .isEqualTo(200);
        Bulkhead bulkhead = proxy.snapshot.get().services().get("s").bulkhead().orElseThrow();
        assertThat(bulkhead.rejected()).isEqualTo(1);
        assertThat(bulkhead.inUse()).isEqualTo(3);

        held.forEach(r -> vertx.runOnContext(v -> r.response().end("released")));
        for (var f : waiting) {
            assertThat(f.get().body()).isEqualTo("released");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> bulkhead.inUse() == 0);
        assertThat(proxy.get("/x").statusCode()).isEqualTo(200);
    }
}
