package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.control.Upstream;
import dev.baton.testing.TestUpstream;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Passive outlier detection and panic mode through the proxy, against real upstreams. */
class OutlierTest extends ProxyTestSupport {

    private void twoInstances(String extra) {
        upstream = TestUpstream.start(vertx, req -> req.response().end("good"));
        other = TestUpstream.start(
                vertx, req -> req.response().setStatusCode(500).end("broken"));
        proxy = new ProxyHarness(vertx, """
                services:
                  s:
                    %s
                    instances: [ "%s", "%s" ]
                routes: [ { path: /**, service: s } ]
                """.formatted(extra, upstream.url(), other.url()));
    }

    /** Of {@code n} requests, how many got the broken instance's 500. */
    private int fiveHundreds(int n) throws Exception {
        int count = 0;
        for (int i = 0; i < n; i++) {
            if (proxy.get("/x").statusCode() == 500) {
                count++;
            }
        }
        return count;
    }

    @Test
    void anInstanceFailingInARowIsEjected() throws Exception {
        twoInstances("outlier-detection: { consecutive-failures: 3, base-ejection-time: 1m }");
        int fiveHundreds = fiveHundreds(40);
        assertThat(fiveHundreds)
                .as("round-robin sends it three, then it is ejected")
                .isEqualTo(3);
        Upstream bad = proxy.instances("s").get(1);
        assertThat(bad.endpoint().ejected()).isTrue();
    }

    @Test
    void outlierDetectionCanBeTurnedOff() throws Exception {
        twoInstances("outlier-detection: { consecutive-failures: 0 }");
        int fiveHundreds = fiveHundreds(20);
        assertThat(fiveHundreds).isEqualTo(10);
    }

    @Test
    void panicModeSpreadsOverAllWhenNoneIsAvailable() throws Exception {
        twoInstances("panic-mode: true");
        proxy.takeDown("s");
        HttpResponse<String> r = proxy.get("/x");
        assertThat(r.body()).isIn("good", "broken");
    }
}
