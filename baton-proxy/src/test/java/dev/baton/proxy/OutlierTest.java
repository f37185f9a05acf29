package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.TestUpstream;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Passive outlier detection and panic mode through the proxy, against real upstreams. */
class OutlierTest extends ProxyTestSupport {
    TestUpstream broken;

    @AfterEach
    void closeBroken() {
        if (broken != null) {
            broken.close();
        }
    }

    private void twoInstances(String extra) {
        upstream = TestUpstream.start(vertx, req -> req.response().end("good"));
        broken = TestUpstream.start(
                vertx, req -> req.response().setStatusCode(500).end("broken"));
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    %s
                    instances: [ "%s", "%s" ]
                routes: [ { path: /**, service: s } ]
                """.formatted(extra, upstream.url(), broken.url()));
    }

    @Test
    void anInstanceFailingInARowIsEjected() throws Exception {
        twoInstances("outlier-detection: { consecutive-failures: 3, base-ejection-time: 1m }");
        int fiveHundreds = 0;
        for (int i = 0; i < 40; i++) {
            if (proxy.get("/x").statusCode() == 500) {
                fiveHundreds++;
            }
        }
        assertThat(fiveHundreds)
                .as("round-robin sends it three, then it is ejected")
                .isEqualTo(3);
        Upstream bad = proxy.snapshot.get().services().get("s").instances().get(1);
        assertThat(bad.endpoint().ejected()).isTrue();
    }

    @Test
    void outlierDetectionCanBeTurnedOff() throws Exception {
        twoInstances("outlier-detection: { consecutive-failures: 0 }");
        int fiveHundreds = 0;
        for (int i = 0; i < 20; i++) {
            if (proxy.get("/x").statusCode() == 500) {
                fiveHundreds++;
            }
        }
        assertThat(fiveHundreds).isEqualTo(10);
    }

    @Test
    void panicModeSpreadsOverAllWhenNoneIsAvailable() throws Exception {
        twoInstances("panic-mode: true");
        proxy.snapshot
                .get()
                .services()
                .get("s")
                .instances()
                .forEach(u -> u.endpoint().setAvailable(false));
        HttpResponse<String> r = proxy.get("/x");
        assertThat(r.body()).isIn("good", "broken");
    }
}
