package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawHttp;
import dev.baton.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The proxy's request and response rules, end to end through a real upstream. */
class ProxyTest extends ProxyTestSupport {

    private void start(String routes) {
        proxy = new ProxyHarness(vertx, """
                services:
                  orders: { instances: [ "%s/base" ] }
                routes:
                %s
                """.formatted(upstream.url(), routes));
    }

    @Test
    void forwardsWithForwardedHeadersAndStripsThePrefix() throws Exception {
        upstream = TestUpstream.ok(vertx);
        start("  - { path: /api/orders/**, service: orders, strip-prefix: /api }");
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/api/orders/7?x=1&y=%20z"))
                .header("X-Request-ID", "abc.DEF_1-2")
                .header("X-Forwarded-For", "10.1.1.1"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-request-id")).contains("abc.DEF_1-2");
        TestUpstream.Received got = upstream.last();
        assertThat(got.uri()).isEqualTo("/base/orders/7?x=1&y=%20z");
        assertThat(got.headers().get("host")).isEqualTo("127.0.0.1:" + upstream.port());
        assertThat(got.headers().get("x-forwarded-for")).isEqualTo("10.1.1.1, 127.0.0.1");
        assertThat(got.headers().get("x-forwarded-proto")).isEqualTo("http");
        assertThat(got.headers().get("x-forwarded-host")).isEqualTo("127.0.0.1:" + proxy.port());
        assertThat(got.headers().get("x-request-id")).isEqualTo("abc.DEF_1-2");
    }

    @Test
    void generatesARequestIdAndRejectsAnInvalidOne() throws Exception {
        upstream = TestUpstream.ok(vertx);
        start("  - { path: /**, service: orders }");
        HttpResponse<String> r = proxy.get("/x");
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(upstream.last().headers().get("x-request-id")).isEqualTo(id);

        HttpResponse<String> bad =
                proxy.send(HttpRequest.newBuilder(proxy.uri("/x")).header("X-Request-ID", "a b"));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("\"status\":400", "\"error\":\"bad_request\"", "X-Request-ID");
        assertThat(upstream.received()).hasSize(1);
    }

    @Test
    void anInvalidRequestIdCanBeReplacedAndTheHeaderRenamed() throws Exception {
        upstream = TestUpstream.ok(vertx);
        proxy = new ProxyHarness(vertx, """
                server: { listen: 127.0.0.1:0, request-id: { header: X-Correlation-ID, invalid: replace } }
                services: { orders: { instances: [ "%s" ] } }
                routes: [ { path: /x, service: orders } ]
                """.formatted(upstream.url()));
        HttpResponse<String> r = proxy.send(HttpRequest.newBuilder(proxy.uri("/x"))
                .header("X-Correlation-ID", "Root=1-67891233-abcdef012345678912345678")
                .header("X-Request-ID", "passes through"));
        assertThat(r.statusCode()).as("replaced, not refused").isEqualTo(200);
        String id = r.headers().firstValue("x-correlation-id").orElseThrow();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(upstream.last().headers().get("x-correlation-id")).isEqualTo(id);
        assertThat(upstream.last().headers().get("x-request-id"))
                .as("no longer Baton's: an ordinary header")
                .isEqualTo("passes through");

        HttpResponse<String> valid =
                proxy.send(HttpRequest.newBuilder(proxy.uri("/nowhere")).header("X-Correlation-ID", "abc-1"));
        assertThat(valid.statusCode()).isEqualTo(404);
        assertThat(valid.headers().firstValue("x-correlation-id")).hasValue("abc-1");
        assertThat(valid.body()).contains("\"requestId\":\"abc-1\"");
    }

    @Test
    void preserveHostSendsTheClientsHost() throws Exception {
        upstream = TestUpstream.ok(vertx);
        start("  - { path: /**, service: orders, preserve-host: true }");
        proxy.get("/x");
        assertThat(upstream.last().headers().get("host")).isEqualTo("127.0.0.1:" + proxy.port());
    }

    @Test
    void hopByHopHeadersAreRemovedBothWays() throws Exception {
        upstream = TestUpstream.start(
                vertx,
                req -> req.response()
                        .putHeader("Connection", "x-internal")
                        .putHeader("X-Internal", "secret")
                        .putHeader("Keep-Alive", "timeout=5")
                        .putHeader("Proxy-Authenticate", "Basic")
                        .putHeader("X-Kept", "yes")
                        .end("ok"));
        start("  - { path: /**, service: orders }");
        RawHttp.Result r = RawHttp.send(
                proxy.port(),
                "GET /x HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Drop\r\n"
                        + "X-Drop: 1\r\nKeep-Alive: 300\r\nTE: trailers\r\nProxy-Authorization: Basic x\r\nUpgrade-Insecure-Requests: 1\r\n"
                        + "Trailer: x\r\n\r\n",
                500);
        assertThat(r.status()).isEqualTo(200);
        var got = upstream.last().headers();
        assertThat(got.names())
                .map(String::toLowerCase)
                .doesNotContain("x-drop", "keep-alive", "te", "proxy-authorization", "trailer")
                .contains("upgrade-insecure-requests");
        String head = r.text().toLowerCase();
        assertThat(head)
                .contains("x-kept: yes")
                .doesNotContain("x-internal", "keep-alive: timeout", "proxy-authenticate");
    }

    @Test
    void notFoundAndMethodNotAllowedAreJson() throws Exception {
        upstream = TestUpstream.ok(vertx);
        start("  - { path: /api/orders, service: orders, methods: [GET, POST] }");
        HttpResponse<String> nf = proxy.get("/nope");
        assertThat(nf.statusCode()).isEqualTo(404);
        assertThat(nf.headers().firstValue("content-type")).contains("application/json");
        assertThat(nf.body()).contains("\"error\":\"not_found\"", "\"requestId\":");
        HttpResponse<String> na =
                proxy.send(HttpRequest.newBuilder(proxy.uri("/api/orders")).DELETE());
        assertThat(na.statusCode()).isEqualTo(405);
        assertThat(na.headers().firstValue("allow")).contains("GET, HEAD, POST");
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void orchestratorPathReachesEveryService() throws Exception {
        upstream = TestUpstream.ok(vertx);
        start("  []");
        assertThat(proxy.get("/orchestrator/orders/a/b?q=1").statusCode()).isEqualTo(200);
        assertThat(upstream.last().uri()).isEqualTo("/base/a/b?q=1");
    }

    @Test
    void refusedConnectionIs502() throws Exception {
        upstream = TestUpstream.ok(vertx);
        String url = upstream.url().toString();
        upstream.close();
        proxy = new ProxyHarness(
                vertx, "services: { s: { instances: [\"" + url + "\"] } }\nroutes: [{ path: /**, service: s }]");
        HttpResponse<String> r = proxy.get("/x");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("\"error\":\"bad_gateway\"", "connection refused");
        upstream = null;
    }

    @Test
    void silentUpstreamIs504() throws Exception {
        upstream = TestUpstream.start(vertx, req -> {});
        start("  - { path: /**, service: orders, timeout: 300ms }");
        long t0 = System.nanoTime();
        HttpResponse<String> r = proxy.get("/x");
        assertThat(r.statusCode()).isEqualTo(504);
        assertThat(r.body()).contains("\"error\":\"gateway_timeout\"");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(250L, 5000L);
    }

    @Test
    void bodiesOverTheLimitAre413DeclaredOrStreamed() throws Exception {
        upstream = TestUpstream.start(
                vertx, req -> req.body().onSuccess(b -> req.response().end("got " + b.length())));
        proxy = new ProxyHarness(
                vertx,
                "limits: { max-body-size: 1KB }\nservices: { s: { instances: [\"" + upstream.url()
                        + "\"] } }\nroutes: [{ path: /**, service: s }]");
        HttpResponse<String> ok = proxy.send(
                HttpRequest.newBuilder(proxy.uri("/x")).POST(HttpRequest.BodyPublishers.ofString("a".repeat(1024))));
        assertThat(ok.body()).isEqualTo("got 1024");
        RawHttp.Result declared =
                RawHttp.send(proxy.port(), "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n", 2000);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.text()).contains("\"error\":\"payload_too_large\"");
        assertThat(declared.closedByServer()).isTrue();
        String chunk = "a".repeat(600);
        RawHttp.Result streamed = RawHttp.send(
                proxy.port(),
                "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + "258\r\n" + chunk + "\r\n258\r\n"
                        + chunk + "\r\n0\r\n\r\n",
                2000);
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(streamed.closedByServer()).isTrue();
    }

    @Test
    void overMaxConcurrentRequestsIs503() throws Exception {
        java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
        java.util.List<io.vertx.core.http.HttpServerRequest> held = new java.util.concurrent.CopyOnWriteArrayList<>();
        upstream = TestUpstream.start(vertx, req -> {
            if (req.path().equals("/slow")) {
                held.add(req);
                arrived.countDown();
            } else {
                req.response().end("fast");
            }
        });
        proxy = new ProxyHarness(
                vertx,
                "limits: { max-concurrent-requests: 1 }\nservices: { s: { instances: [\"" + upstream.url()
                        + "\"] } }\nroutes: [{ path: /**, service: s }]");
        var first = proxy.http.sendAsync(
                HttpRequest.newBuilder(proxy.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(arrived.await(10, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> second = proxy.get("/x");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.body()).contains("\"error\":\"service_unavailable\"");
        held.get(0).response().end("done");
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(proxy.get("/x").statusCode()).isEqualTo(200);
    }

    @Test
    void expectContinueIsAnsweredAfterTheChecks() throws Exception {
        upstream = TestUpstream.start(
                vertx, req -> req.body().onSuccess(b -> req.response().end("got " + b.length())));
        start("  - { path: /**, service: orders }");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(5000);
            var out = s.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
            out.write("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n".getBytes());
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 100 Continue");
            assertThat(in.readLine()).isEmpty();
            out.write("hello".getBytes());
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            while (!in.readLine().isEmpty()) {
                // headers
            }
            char[] body = new char[5];
            assertThat(in.read(body)).isEqualTo(5);
            assertThat(new String(body)).isEqualTo("got 5");
        }
        assertThat(upstream.last().headers().get("expect")).isNull();
    }

    @Test
    void http2PriorKnowledgeAndUpgradeFromClients() throws Exception {
        upstream = TestUpstream.ok(vertx);
        start("  - { path: /**, service: orders }");
        HttpClient h2 =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        HttpResponse<String> r =
                h2.send(HttpRequest.newBuilder(proxy.uri("/x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"path\":\"/base/x\"");
        HttpResponse<String> again = h2.send(
                HttpRequest.newBuilder(proxy.uri("/y"))
                        .POST(HttpRequest.BodyPublishers.ofString("body"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(again.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(again.statusCode()).isEqualTo(200);
    }
}
