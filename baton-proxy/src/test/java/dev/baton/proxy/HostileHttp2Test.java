package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.security.SecurityViolations;
import dev.baton.testing.RawH2;
import dev.baton.testing.RawH2.Field;
import dev.baton.testing.RawUpstream;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/2 written frame by frame, with header blocks of literal HPACK fields that
 * carry whatever bytes the test puts in them, against the same differential oracle
 * as {@link HostileHttp1Test}: what reaches the HTTP/1.1 upstream must parse as
 * whole, well-formed requests, one per stream Baton answered from upstream. The
 * cases are Kettle's HTTP/2 downgrade attacks ("HTTP/2: The Sequel is Always Worse":
 * H2.CRLF, H2.TE, H2.CL, pseudo-header abuse) and RFC 9113 §8.2's malformed fields.
 */
@Tag("hostile")
class HostileHttp2Test {
    static RawProxy env;
    static Vertx vertx;
    static RawUpstream upstream;
    static ProxyHarness proxy;
    static final Duration WAIT = Duration.ofSeconds(5);

    @BeforeAll
    static void start() throws Exception {
        env = RawProxy.start(
                "limits: { header-timeout: 1s, body-timeout: 1s, http2: { max-resets: 50, reset-window: 10s } }");
        vertx = env.vertx;
        upstream = env.upstream;
        proxy = env.proxy;
    }

    @AfterAll
    static void stop() throws Exception {
        env.close();
    }

    /** One request on stream 1 of a new connection; checks the oracle and returns the stream. */
    static RawH2.Stream exchange(List<Field> fields, byte[] body) throws Exception {
        int before = upstream.requests().size();
        int violations = upstream.violations().size();
        RawH2.Stream s;
        try (RawH2 h2 = RawH2.connect(proxy.port())) {
            h2.headers(1, body == null, true, fields);
            if (body != null) {
                h2.data(1, true, body);
            }
            s = h2.awaitStream(1, WAIT);
            assertThat(s.done() || h2.closedByServer() || h2.goaway().isPresent())
                    .as("an answer, for %s", fields)
                    .isTrue();
        }
        assertThat(upstream.violations()
                        .subList(violations, upstream.violations().size()))
                .as("what the upstream received parses strictly, for %s", fields)
                .isEmpty();
        int proxied = "raw".equals(s.header("x-upstream")) ? 1 : 0;
        assertThat(upstream.requests().size() - before)
                .as("requests forwarded = answers from upstream, for %s", fields)
                .isEqualTo(proxied);
        return s;
    }

    static List<Field> get(Field... extra) {
        return RawH2.request("GET", "http", "a.example", "/x", extra);
    }

    static List<Field> fields(String... nameValues) {
        List<Field> out = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            out.add(new Field(nameValues[i], nameValues[i + 1]));
        }
        return out;
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("H2.CRLF in a value", get(new Field("x-a", "b\r\nTransfer-Encoding: chunked"))),
                Arguments.of("H2.CRLF smuggling a request", get(new Field("x-a", "b\r\n\r\nGET /smuggled HTTP/1.1"))),
                Arguments.of("bare LF in a value", get(new Field("x-a", "b\nx-user-id: admin"))),
                Arguments.of("NUL in a value", get(new Field("x-a", "a\u0000b"))),
                Arguments.of("leading space", get(new Field("x-a", " b"))),
                Arguments.of("trailing tab", get(new Field("x-a", "b\t"))),
                Arguments.of("CRLF in a name", get(new Field("x-a\r\nx-b", "c"))),
                Arguments.of("space in a name", get(new Field("x a", "c"))),
                Arguments.of("colon in a name", get(new Field("x:a", "c"))),
                Arguments.of("upper case name", get(new Field("X-A", "c"))),
                Arguments.of("H2.TE", get(new Field("transfer-encoding", "chunked"))),
                Arguments.of("connection", get(new Field("connection", "close"))),
                Arguments.of("keep-alive", get(new Field("keep-alive", "1"))),
                Arguments.of("proxy-connection", get(new Field("proxy-connection", "x"))),
                Arguments.of("upgrade", get(new Field("upgrade", "websocket"))),
                Arguments.of("te gzip", get(new Field("te", "gzip"))),
                Arguments.of(
                        "CRLF in :path",
                        fields(
                                ":method",
                                "GET",
                                ":scheme",
                                "http",
                                ":authority",
                                "a",
                                ":path",
                                "/x HTTP/1.1\r\nHost: b\r\n\r\nGET /y")),
                Arguments.of(
                        "space in :path",
                        fields(":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/x y")),
                Arguments.of(
                        ":path without a slash",
                        fields(":method", "GET", ":scheme", "http", ":authority", "a", ":path", "x")),
                Arguments.of(
                        "CRLF in :authority",
                        fields(":method", "GET", ":scheme", "http", ":authority", "a\r\nx: y", ":path", "/x")),
                Arguments.of(
                        "CRLF in :method",
                        fields(
                                ":method",
                                "GET /y HTTP/1.1\r\nHost: a\r\n\r\nGET",
                                ":scheme",
                                "http",
                                ":authority",
                                "a",
                                ":path",
                                "/x")),
                Arguments.of(
                        "odd :scheme", fields(":method", "GET", ":scheme", "ht tp", ":authority", "a", ":path", "/x")),
                Arguments.of("no :path", fields(":method", "GET", ":scheme", "http", ":authority", "a")),
                Arguments.of(
                        "two :path",
                        fields(":method", "GET", ":scheme", "http", ":authority", "a", ":path", "/x", ":path", "/y")),
                Arguments.of(
                        "pseudo after regular",
                        fields(":method", "GET", ":scheme", "http", "x-a", "b", ":authority", "a", ":path", "/x")),
                Arguments.of(
                        "unknown pseudo",
                        fields(
                                ":method",
                                "GET",
                                ":scheme",
                                "http",
                                ":authority",
                                "a",
                                ":path",
                                "/x",
                                ":protocol",
                                "websocket")),
                Arguments.of("host differs from :authority", get(new Field("host", "b.example"))),
                Arguments.of("content-length on a bodiless GET", get(new Field("content-length", "5"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void aMalformedRequestIsRefusedAndNothingReachesTheUpstream(String name, List<Field> fields) throws Exception {
        int before = upstream.requests().size();
        RawH2.Stream s = exchange(fields, null);
        assertThat(upstream.requests()).as(name).hasSize(before);
        assertThat(s.status() == 400 || s.reset().isPresent() || s.status() == -1)
                .as(name + ": 400 or a reset, got " + s.status())
                .isTrue();
    }

    @Test
    void aBodilessRequestReachesTheUpstreamWithoutFraming() throws Exception {
        int before = upstream.requests().size();
        RawH2.Stream s = exchange(get(), null);
        assertThat(s.status()).isEqualTo(200);
        RawUpstream.Request got = upstream.requests().get(before);
        assertThat(got.header("transfer-encoding")).isNull();
        assertThat(got.header("content-length")).isNull();
        assertThat(got.body()).isEmpty();
    }

    @Test
    void aBodyWithContentLengthIsSentWithContentLength() throws Exception {
        int before = upstream.requests().size();
        List<Field> f = RawH2.request("POST", "http", "a", "/x", new Field("content-length", "5"));
        RawH2.Stream s = exchange(f, "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(s.status()).isEqualTo(200);
        RawUpstream.Request got = upstream.requests().get(before);
        assertThat(got.header("content-length")).isEqualTo("5");
        assertThat(got.header("transfer-encoding")).isNull();
        assertThat(new String(got.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void aBodyWithoutContentLengthIsChunkedUpstream() throws Exception {
        int before = upstream.requests().size();
        RawH2.Stream s = exchange(RawH2.request("POST", "http", "a", "/x"), "hello".getBytes(StandardCharsets.UTF_8));
        assertThat(s.status()).isEqualTo(200);
        RawUpstream.Request got = upstream.requests().get(before);
        assertThat(got.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(new String(got.body(), StandardCharsets.UTF_8)).isEqualTo("hello");
    }

    @Test
    void anEmptyPostEndedByItsHeadersSaysContentLengthZero() throws Exception {
        int before = upstream.requests().size();
        exchange(RawH2.request("POST", "http", "a", "/x"), null);
        assertThat(upstream.requests().get(before).header("content-length")).isEqualTo("0");
    }

    @Test
    void h2ClMoreDataThanDeclaredIsRefused() throws Exception {
        int before = upstream.requests().size();
        List<Field> f = RawH2.request("POST", "http", "a", "/x", new Field("content-length", "3"));
        RawH2.Stream s =
                exchange(f, "abcdefGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        assertThat(s.status()).isNotEqualTo(200);
        assertThat(upstream.requests()).hasSize(before);
    }

    @Test
    void h2ClLessDataThanDeclaredNeverReachesTheUpstreamWhole() throws Exception {
        int before = upstream.requests().size();
        List<Field> f = RawH2.request("POST", "http", "a", "/x", new Field("content-length", "10"));
        RawH2.Stream s = exchange(f, "abc".getBytes(StandardCharsets.UTF_8));
        assertThat(s.status()).isNotEqualTo(200);
        assertThat(upstream.requests()).hasSize(before);
    }

    @Test
    void aHeaderBlockThatNeverEndsIsClosedAfterTheHeaderTimeout() throws Exception {
        try (RawH2 h2 = RawH2.connect(proxy.port())) {
            byte[] block = RawH2.hpack(get());
            h2.headers(1, true, false, java.util.Arrays.copyOf(block, block.length / 2));
            assertThat(h2.awaitGoAwayOrClose(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void aStreamWhoseBodyNeverComesGets408() throws Exception {
        int before = upstream.requests().size();
        try (RawH2 h2 = RawH2.connect(proxy.port())) {
            h2.headers(1, false, true, RawH2.request("POST", "http", "a", "/x"));
            RawH2.Stream s = h2.awaitStream(1, WAIT);
            assertThat(s.status()).isEqualTo(408);
            assertThat(s.text()).contains("limits.body-timeout");
        }
        assertThat(upstream.requests()).hasSize(before);
    }

    @Test
    void rapidResetEndsTheConnection() throws Exception {
        try (RawH2 h2 = RawH2.connect(proxy.port())) {
            for (int id = 1; id < 400; id += 2) {
                h2.headers(id, false, true, RawH2.request("POST", "http", "a", "/x"));
                h2.rstStream(id, RawH2.CANCEL);
            }
            assertThat(h2.awaitGoAwayOrClose(WAIT)).isTrue();
            assertThat(h2.goaway())
                    .hasValueSatisfying(g -> assertThat(g.errorCode()).isEqualTo(RawH2.ENHANCE_YOUR_CALM));
        }
    }

    @Test
    void settingsAndPingFloodsEndTheConnection() throws Exception {
        for (boolean ping : new boolean[] {false, true}) {
            try (RawH2 h2 = RawH2.connect(proxy.port())) {
                for (int i = 0; i < 2_000; i++) {
                    if (ping) {
                        h2.ping(i);
                    } else {
                        h2.settings(RawH2.SETTINGS_MAX_CONCURRENT_STREAMS, 10);
                    }
                }
                assertThat(h2.awaitGoAwayOrClose(WAIT))
                        .as(ping ? "PING flood" : "SETTINGS flood")
                        .isTrue();
                assertThat(h2.goaway())
                        .hasValueSatisfying(g -> assertThat(g.errorCode()).isEqualTo(RawH2.ENHANCE_YOUR_CALM));
            }
        }
        assertThat(proxy.proxy
                        .violations()
                        .counts()
                        .get(SecurityViolations.HTTP2_FLOOD)
                        .sum())
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void theServerAnnouncesItsStreamLimit() throws Exception {
        try (RawH2 h2 = RawH2.connect(proxy.port())) {
            h2.awaitSettingsAck(WAIT);
            assertThat(h2.serverSettings()).containsEntry(RawH2.SETTINGS_MAX_CONCURRENT_STREAMS, 100L);
        }
    }

    @Test
    void anUpstreamsMixedCaseHeaderNamesReachAnHttp2ClientLowerCased() throws Exception {
        // A Vert.x of its own: two listeners on port 0 of one Vert.x share a port.
        Vertx other = Vertx.vertx();
        try (RawUpstream mixed = RawUpstream.start(
                        r -> ("HTTP/1.1 200 OK\r\nX-Mixed-Case: yes\r\nContent-Length: 2" + "\r\n\r\nok")
                                .getBytes(StandardCharsets.ISO_8859_1));
                ProxyHarness p = new ProxyHarness(
                        other,
                        "services: { m: { instances: [\"" + mixed.url() + "\"] } }\n"
                                + "routes: [{ path: /**, service: m }]");
                RawH2 h2 = RawH2.connect(p.port())) {
            h2.headers(1, true, true, get());
            RawH2.Stream s = h2.awaitStream(1, WAIT);
            assertThat(s.status()).isEqualTo(200);
            assertThat(s.header("x-mixed-case")).as(String.valueOf(s.headers())).isEqualTo("yes");
            assertThat(s.text()).isEqualTo("ok");
        } finally {
            other.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void responsesCarryADate() throws Exception {
        RawH2.Stream s = exchange(get(), null);
        assertThat(s.header("date")).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
    }
}
