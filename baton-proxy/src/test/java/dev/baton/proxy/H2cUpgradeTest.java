package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawH2;
import dev.baton.testing.RawHttp;
import dev.baton.testing.RawUpstream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A connection's first request asking for cleartext HTTP/2 ({@code Upgrade: h2c}):
 * one that can be taken up is, and any other is served as the HTTP/1.1 request it
 * also is, by the same rules, with its body and what is pipelined behind it intact.
 */
@Tag("hostile")
class H2cUpgradeTest {
    /** The settings curl sends with {@code --http2} over cleartext. */
    static final String SETTINGS = "AAMAAABkAAQCAAAAAAIAAAAA";

    static final String UPGRADE =
            "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: " + SETTINGS + "\r\n";

    static RawProxy env;

    @BeforeAll
    static void start() throws Exception {
        env = RawProxy.start("limits: { header-timeout: 1s }");
    }

    @AfterAll
    static void stop() throws Exception {
        env.close();
    }

    static List<String> upgradesThatCannotBeTaken() {
        return List.of(
                "Upgrade: h2c\r\n",
                "Connection: Upgrade\r\nUpgrade: h2c\r\n",
                "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n",
                "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: !!!\r\n",
                "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMA\r\n",
                // SETTINGS_ENABLE_PUSH = 2: out of range.
                "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAIAAAAC\r\n",
                UPGRADE + "HTTP2-Settings: " + SETTINGS + "\r\n",
                "Connection: HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: " + SETTINGS + "\r\n",
                // Vert.x reads the first Connection line only, and a tab as part of an option.
                "Connection: Upgrade\r\nConnection: HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: " + SETTINGS
                        + "\r\n",
                "Connection: Upgrade,\tHTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: " + SETTINGS + "\r\n");
    }

    @ParameterizedTest
    @MethodSource("upgradesThatCannotBeTaken")
    void anUpgradeThatCannotBeTakenIsServedAsHttp11(String upgrade) throws Exception {
        int before = env.upstream.requests().size();
        RawHttp.Result r = RawHttp.send(
                env.port(),
                "POST /first HTTP/1.1\r\nHost: a\r\n" + upgrade + "Content-Length: 3\r\n\r\nabc"
                        + "GET /second HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                400);
        assertThat(HostileHttp1Test.statuses(r)).containsExactly(200, 200);
        assertThat(r.text()).doesNotContain("101 Switching");
        List<RawUpstream.Request> got =
                env.upstream.requests().subList(before, env.upstream.requests().size());
        assertThat(got).extracting(RawUpstream.Request::target).containsExactly("/first", "/second");
        assertThat(got.get(0).header("upgrade")).isNull();
        assertThat(new String(got.get(0).body())).isEqualTo("abc");
        assertThat(env.upstream.violations()).isEmpty();
    }

    @Test
    void aDeclinedUpgradeWithAnEmptyBodyIsAnswered() throws Exception {
        // As Java's HttpClient asks, with settings that do not decode.
        RawHttp.Result r = RawHttp.send(
                env.port(),
                "GET /x HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nContent-Length: 0\r\nHost: a\r\n"
                        + "HTTP2-Settings: AAMA\r\nUpgrade: h2c\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                400);
        assertThat(HostileHttp1Test.statuses(r)).as(r.text()).containsExactly(200, 200);
    }

    @Test
    void aConnectionWhoseUpgradeWasDeclinedServesTheNextRequest() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", env.port())) {
            s.setSoTimeout(5000);
            var out = s.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), "ISO-8859-1"));
            out.write(("GET /x HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nContent-Length: 1\r\nHost: a\r\n"
                            + "HTTP2-Settings: " + SETTINGS + "\r\nUpgrade: h2c\r\n\r\nx")
                    .getBytes("ISO-8859-1"));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            int length = 0;
            for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            in.skip(length);
            out.write("POST /y HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody".getBytes("ISO-8859-1"));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
        }
    }

    @Test
    void aLaterH2cUpgradeIsNeverTunnelledUpstream() throws Exception {
        int before = env.upstream.requests().size();
        RawHttp.Result r = RawHttp.send(
                env.port(),
                "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\n" + UPGRADE
                        + "Content-Length: 4\r\n\r\nbodyGET /3 HTTP/1.1\r\nHost: a\r\n" + UPGRADE
                        + "Connection: close\r\n\r\n",
                400);
        assertThat(HostileHttp1Test.statuses(r)).containsExactly(200, 200, 200);
        List<RawUpstream.Request> got =
                env.upstream.requests().subList(before, env.upstream.requests().size());
        assertThat(got).extracting(RawUpstream.Request::target).containsExactly("/1", "/2", "/3");
        assertThat(got).allSatisfy(req -> assertThat(req.header("upgrade")).isNull());
        assertThat(new String(got.get(1).body())).isEqualTo("body");
    }

    @Test
    void anUpgradeWithABodyIsProxiedAsAPlainRequest() throws Exception {
        int before = env.upstream.requests().size();
        RawHttp.Result r = RawHttp.send(
                env.port(),
                "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nPOST /2 HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\n"
                        + "Upgrade: websocket\r\nContent-Length: 4\r\n\r\nbodyGET /3 HTTP/1.1\r\nHost: a\r\n"
                        + "Connection: close\r\n\r\n",
                400);
        assertThat(HostileHttp1Test.statuses(r)).containsExactly(200, 200, 200);
        RawUpstream.Request upgrade = env.upstream.requests().get(before + 1);
        assertThat(upgrade.header("upgrade")).isNull();
        assertThat(new String(upgrade.body())).isEqualTo("body");
    }

    @Test
    void javasClientPostingABodyOnANewConnectionGetsItsAnswer() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_2)
                .build();
        java.net.http.HttpResponse<String> r = client.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + env.port() + "/post"))
                        .timeout(Duration.ofSeconds(5))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("body"))
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void anHttp10RequestIsNeverUpgraded() throws Exception {
        RawHttp.Result r = RawHttp.send(env.port(), "GET /x HTTP/1.0\r\nHost: a\r\n" + UPGRADE + "\r\n", 400);
        assertThat(HostileHttp1Test.statuses(r)).containsExactly(200);
    }

    @Test
    void anUpgradeThatCanBeTakenIsTakenUp() throws Exception {
        try (RawH2.Upgrade up = RawH2.upgrade(env.port(), "GET /up HTTP/1.1\r\nHost: a\r\n" + UPGRADE + "\r\n")) {
            assertThat(up.status()).isEqualTo(101);
            RawH2.Stream answer = up.connection().orElseThrow().awaitStream(1, Duration.ofSeconds(5));
            assertThat(answer.status()).isEqualTo(200);
        }
    }

    @Test
    void anUpgradeAfterTheFirstRequestIsNotTakenUp() throws Exception {
        RawHttp.Result r = RawHttp.send(
                env.port(),
                "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n"
                        + "Connection: close\r\n\r\n",
                400);
        assertThat(HostileHttp1Test.statuses(r)).containsExactly(200, 200);
    }

    /**
     * Every smuggling case of {@link HostileHttp1Test}, asking for h2c as well: what
     * the plain request gets, the upgrading one gets (over HTTP/1.1 when the upgrade is
     * declined, on stream 1 when it is taken up), and nothing ill-formed reaches the
     * upstream.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.baton.proxy.HostileHttp1Test#smuggling")
    void smugglingAskingForH2cFaresNoBetter(String name, String raw) throws Exception {
        int before = env.upstream.requests().size();
        int line = raw.indexOf("\r\n") + 2;
        String asking = raw.substring(0, line) + UPGRADE + raw.substring(line);
        RawHttp.Result plain = RawHttp.send(env.port(), raw, 400);
        int status;
        String seen;
        try (RawH2.Upgrade up = RawH2.upgrade(env.port(), asking)) {
            seen = up.head();
            if (up.connection().isPresent()) {
                RawH2.Stream answer = up.connection().get().awaitStream(1, Duration.ofSeconds(5));
                seen += answer;
                status = answer.status();
            } else {
                status = up.status();
            }
        }
        assertThat(env.upstream.violations()).as(name).isEmpty();
        assertThat(env.upstream
                        .requests()
                        .subList(before, env.upstream.requests().size()))
                .extracting(RawUpstream.Request::target)
                .as(name)
                .doesNotContain("/smuggled");
        if (plain.status() > 0) {
            assertThat(status).as(name + " " + HostileHttp1Test.printable(seen)).isEqualTo(plain.status());
        }
    }
}
