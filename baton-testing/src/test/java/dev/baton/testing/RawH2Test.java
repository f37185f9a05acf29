package dev.baton.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawH2.Field;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RawH2 against a plain Vert.x HTTP/2 server: that it speaks well-formed h2, that what
 * it sends arrives byte for byte (and what Vert.x then does with it), and that floods
 * are observable. The assertions on Vert.x's answers record what a Baton listener gets
 * from Vert.x for free and what it must check itself.
 */
class RawH2Test {
    private static final Duration WAIT = Duration.ofSeconds(5);
    // Netty's HPACK encoder Huffman-codes only strings of 512 bytes or more.
    private static final String HUFFMAN_FRIENDLY = "a".repeat(600);

    private static Vertx vertx;
    private static TestUpstream server;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        server = TestUpstream.start(vertx, new HttpServerOptions().setHttp2ClearTextEnabled(true), RawH2Test::handle);
    }

    @AfterAll
    static void stop() {
        server.close();
        vertx.close().await();
    }

    private static void handle(HttpServerRequest req) {
        switch (req.path()) {
            case "/echo" -> req.body().onSuccess(b -> req.response().end(b));
            case "/big" -> req.response().end(Buffer.buffer(new byte[1 << 20]));
            case "/trailers" ->
                req.response().setChunked(true).putTrailer("x-checksum", "42").end("with trailers");
            default ->
                req.response()
                        .putHeader("content-type", "text/plain")
                        .putHeader("x-huff", HUFFMAN_FRIENDLY)
                        .end("hello " + req.path());
        }
    }

    @Test
    void wellFormedGetGetsStatusHeadersAndBody() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            h2.headers(1, true, true, RawH2.request("GET", "http", "a", "/x"));
            RawH2.Stream s = h2.awaitStream(1, WAIT);

            assertThat(s.status()).isEqualTo(200);
            assertThat(s.header("content-type")).isEqualTo("text/plain");
            assertThat(s.text()).isEqualTo("hello /x");
            assertThat(s.ended()).isTrue();
            assertThat(s.reset()).isEmpty();
            assertThat(h2.awaitSettingsAck(WAIT)).isTrue();
            assertThat(h2.serverSettings()).isNotEmpty();
            assertThat(h2.goaway()).isEmpty();
            assertThat(h2.closedByServer()).isFalse();
            assertThat(h2.errors()).isEmpty();
        }
    }

    @Test
    void postBodyInSeveralDataFramesIsEchoed() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            h2.headers(1, false, true, RawH2.request("POST", "http", "a", "/echo"))
                    .data(1, false, "first,")
                    .data(1, false, new byte[0])
                    .data(1, true, "second");

            assertThat(h2.awaitStream(1, WAIT).text()).isEqualTo("first,second");
        }
    }

    @Test
    void aLargeBodyFlowsBecauseTheClientOpensTheWindows() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            h2.headers(1, true, true, RawH2.request("GET", "http", "a", "/big"));
            RawH2.Stream s = h2.awaitStream(1, WAIT);

            assertThat(s.ended()).isTrue();
            assertThat(s.body()).hasSize(1 << 20); // 16 times the initial 65,535-byte window
        }
    }

    @Test
    void aHeaderBlockSplitAcrossContinuationFramesIsOneRequest() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            List<Field> fields = RawH2.request("GET", "http", "a", "/split", new Field("x-long", "v".repeat(100)));
            h2.headersInFragments(1, true, fields, 40); // HEADERS and three CONTINUATION frames

            assertThat(h2.awaitStream(1, WAIT).text()).isEqualTo("hello /split");
            assertThat(server.last().headers().get("x-long")).hasSize(100);
        }
    }

    @Test
    void moreThanSixteenSmallContinuationFramesAreAFloodToNetty() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            List<Field> fields = RawH2.request("GET", "http", "a", "/split", new Field("x-long", "v".repeat(100)));
            h2.headersInFragments(1, true, fields, 7); // twenty frames, each under 8 KiB

            assertThat(h2.awaitGoAwayOrClose(WAIT)).isTrue();
            assertThat(h2.goaway()).map(RawH2.GoAway::errorCode).hasValue(RawH2.ENHANCE_YOUR_CALM);
            assertThat(h2.goaway().orElseThrow().debug()).contains("continuation");
        }
    }

    @Test
    void responseTrailersAreKeptApartFromHeaders() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            h2.headers(1, true, true, RawH2.request("GET", "http", "a", "/trailers"));
            RawH2.Stream s = h2.awaitStream(1, WAIT);

            assertThat(s.text()).isEqualTo("with trailers");
            assertThat(s.trailers()).containsExactly(new Field("x-checksum", "42"));
            assertThat(s.header("x-checksum")).isNull();
        }
    }

    @Test
    void huffmanCodedAndIndexedResponseHeadersAreDecodedAcrossStreams() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            h2.headers(1, true, true, RawH2.request("GET", "http", "a", "/one"));
            assertThat(h2.awaitStream(1, WAIT).header("x-huff")).isEqualTo(HUFFMAN_FRIENDLY);
            // The second response refers to the first's dynamic-table entries.
            h2.headers(3, true, true, RawH2.request("GET", "http", "a", "/two"));
            assertThat(h2.awaitStream(3, WAIT).header("x-huff")).isEqualTo(HUFFMAN_FRIENDLY);

            List<RawH2.Frame> blocks = h2.received().stream()
                    .filter(f -> f.type() == RawH2.HEADERS)
                    .toList();
            assertThat(blocks).hasSize(2);
            // The value is not on the wire as written: Vert.x's encoder Huffman-coded it, then indexed it.
            assertThat(new String(blocks.get(0).payload(), StandardCharsets.ISO_8859_1))
                    .doesNotContain("aaaaaaaa");
            assertThat(blocks.get(0).payload().length).isLessThan(HUFFMAN_FRIENDLY.length());
            assertThat(blocks.get(1).payload().length).isLessThan(blocks.get(0).payload().length);
        }
    }

    @Test
    void anUppercaseHeaderNameGoesOutAndVertxResetsTheStream() throws Exception {
        RawH2.Stream s = exchange("/upper", new Field("X-Upper", "v"));

        assertThat(s.reset()).hasValue(RawH2.PROTOCOL_ERROR);
        assertThat(s.status()).isEqualTo(-1);
        assertThat(server.received()).noneMatch(r -> r.uri().equals("/upper"));
    }

    @Test
    void aCrLfInAValueGoesOutAndVertxPassesItToTheHandler() throws Exception {
        RawH2.Stream s = exchange("/crlf", new Field("x-a", "b\r\nx-b: c"));

        assertThat(s.status()).isEqualTo(200);
        assertThat(server.last().uri()).isEqualTo("/crlf");
        assertThat(server.last().headers().get("x-a")).isEqualTo("b\r\nx-b: c");
        assertThat(server.last().headers().get("x-b")).isNull();
    }

    @Test
    void transferEncodingIsRefusedByVertxWithAReset() throws Exception {
        assertThat(exchange("/x", new Field("transfer-encoding", "chunked")).reset())
                .hasValue(RawH2.PROTOCOL_ERROR);
    }

    @Test
    void teOtherThanTrailersIsRefusedByVertxWithAReset() throws Exception {
        assertThat(exchange("/x", new Field("te", "gzip")).reset()).hasValue(RawH2.PROTOCOL_ERROR);
        assertThat(exchange("/x", new Field("te", "trailers")).status()).isEqualTo(200);
    }

    @Test
    void pseudoHeadersCanBeMissingRepeatedOrOutOfOrder() throws Exception {
        List<List<Field>> broken = List.of(
                RawH2.request("GET", "http", "a", "/x").subList(0, 3),
                RawH2.request("GET", "http", "a", "/x", new Field(":method", "POST")),
                List.of(
                        new Field(":method", "GET"),
                        new Field("x-a", "1"),
                        new Field(":scheme", "http"),
                        new Field(":authority", "a"),
                        new Field(":path", "/x")));
        for (List<Field> fields : broken) {
            try (RawH2 h2 = RawH2.connect(server.port())) {
                h2.headers(1, true, true, fields);
                assertThat(h2.awaitStream(1, WAIT).reset()).as("%s", fields).hasValue(RawH2.PROTOCOL_ERROR);
            }
        }
    }

    @Test
    void settingsGoOutInTheOpeningAndAZeroHeaderTableStillDecodes() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port(), RawH2.SETTINGS_HEADER_TABLE_SIZE, 0)) {
            for (int id = 1; id <= 3; id += 2) {
                h2.headers(id, true, true, RawH2.request("GET", "http", "a", "/t" + id));
                assertThat(h2.awaitStream(id, WAIT).header("x-huff")).isEqualTo(HUFFMAN_FRIENDLY);
            }
            assertThat(h2.errors()).isEmpty();
        }
    }

    @Test
    void aBrokenPrefaceSentRawClosesTheConnection() throws Exception {
        try (RawH2 h2 = RawH2.connectWithoutPreface(server.port())) {
            h2.raw("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

            assertThat(h2.awaitGoAwayOrClose(WAIT)).isTrue();
            assertThat(h2.awaitClose(WAIT)).isTrue();
        }
    }

    @Test
    void aMethodVertxCannotParseMakesItDropTheConnectionWithoutAWord() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            h2.headers(1, true, true, RawH2.request("G T", "http", "a", "/x"));

            assertThat(h2.awaitClose(WAIT)).isTrue();
            assertThat(h2.goaway()).isEmpty();
            assertThat(h2.stream(1).reset()).isEmpty();
        }
    }

    @Test
    void rapidResetIsAnsweredWithGoAwayEnhanceYourCalm() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            for (int i = 0; i < 1000; i++) {
                int id = 1 + 2 * i;
                h2.headers(id, false, true, RawH2.request("GET", "http", "a", "/x"))
                        .rstStream(id, RawH2.CANCEL);
            }

            assertThat(h2.awaitGoAwayOrClose(WAIT)).isTrue();
            assertThat(h2.goaway()).hasValueSatisfying(g -> {
                assertThat(g.errorCode()).isEqualTo(RawH2.ENHANCE_YOUR_CALM);
                assertThat(g.debug()).contains("RST");
            });
            assertThat(h2.awaitClose(WAIT)).isTrue();
            assertThat(h2.closedByServer()).isTrue();
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("raw-h2-") && t.isAlive());
    }

    @Test
    void aPingFloodIsAnsweredPingForPing() throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            for (int i = 0; i < 1000; i++) {
                h2.ping(i);
            }

            assertThat(h2.awaitPingAck(999, WAIT)).isTrue();
            assertThat(h2.received().stream().filter(f -> f.type() == RawH2.PING))
                    .hasSize(1000);
            assertThat(h2.goaway()).isEmpty();
        }
    }

    @Test
    void tlsWithAlpnH2(@TempDir Path dir) throws Exception {
        Path ks = TestCerts.keystore(dir, "server", "localhost");
        HttpServerOptions tls = new HttpServerOptions()
                .setSsl(true)
                .setUseAlpn(true)
                .setKeyCertOptions(new PfxOptions().setPath(ks.toString()).setPassword(TestCerts.PASSWORD));
        try (TestUpstream secure = TestUpstream.start(vertx, tls, RawH2Test::handle);
                RawH2 h2 = RawH2.connectTls(secure.port())) {
            h2.headers(1, true, true, RawH2.request("GET", "https", "a", "/tls"));

            assertThat(h2.awaitStream(1, WAIT).text()).isEqualTo("hello /tls");
        }
    }

    /** A GET with one extra field, on a connection of its own, which stays up. */
    private static RawH2.Stream exchange(String path, Field extra) throws Exception {
        try (RawH2 h2 = RawH2.connect(server.port())) {
            h2.headers(1, true, true, RawH2.request("GET", "http", "a", path, extra));
            RawH2.Stream s = h2.awaitStream(1, WAIT);
            assertThat(s.done()).as("the server answered %s", extra).isTrue();
            assertThat(h2.closedByServer()).isFalse();
            return s;
        }
    }
}
