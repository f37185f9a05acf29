package dev.baton.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.baton.testing.RawHttp;
import dev.baton.testing.RawUpstream;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HTTP/1.1 as an attacker writes it, byte by byte over a raw socket, against a
 * differential oracle: the upstream reads what Baton forwards as a strict server
 * would, and for every case it must have received either nothing or exactly the
 * requests Baton answered with its response, each well formed. The cases come from
 * the request-smuggling literature (CL.TE, TE.CL and every Transfer-Encoding
 * obfuscation in Kettle's "HTTP Desync Attacks"), the Host rules of RFC 9112 §3.2,
 * request-line and header-name oddities, chunk-size tricks and path tricks.
 */
@Tag("hostile")
class HostileHttp1Test {
    static RawProxy env;
    static Vertx vertx;
    static RawUpstream upstream;
    static ProxyHarness proxy;

    @BeforeAll
    static void start() throws Exception {
        env = RawProxy.start("limits: { header-timeout: 1s }");
        vertx = env.vertx;
        upstream = env.upstream;
        proxy = env.proxy;
    }

    @AfterAll
    static void stop() throws Exception {
        env.close();
    }

    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.[01] (\\d{3}) ");

    /** Sends {@code raw} and checks the oracle; returns what came back. */
    static RawHttp.Result exchange(String raw) throws Exception {
        return exchange(raw, 400);
    }

    /** As {@link #exchange(String)}, waiting {@code quietMillis} of silence for the answers to end. */
    static RawHttp.Result exchange(String raw, int quietMillis) throws Exception {
        int before = upstream.requests().size();
        int violationsBefore = upstream.violations().size();
        RawHttp.Result r = RawHttp.send(proxy.port(), raw, quietMillis);
        List<RawUpstream.Request> got =
                upstream.requests().subList(before, upstream.requests().size());
        assertThat(upstream.violations()
                        .subList(violationsBefore, upstream.violations().size()))
                .as("what the upstream received parses strictly, for %s", printable(raw))
                .isEmpty();
        int proxied = count(r.text(), "x-upstream: raw");
        assertThat(got)
                .as("requests forwarded = responses from the upstream, for %s", printable(raw))
                .hasSize(proxied);
        // A body whose framing breaks after the head was accepted ends the connection
        // without an answer: Vert.x closes it, and the upstream's with it.
        assertThat(!r.text().isEmpty() || r.closedByServer())
                .as("an answer or a close, for %s", printable(raw))
                .isTrue();
        return r;
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static String printable(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
    }

    static List<Integer> statuses(RawHttp.Result r) {
        Matcher m = STATUS.matcher(r.text());
        List<Integer> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }

    static Stream<Arguments> smuggling() {
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        return Stream.of(
                // CL.TE and TE.CL: both framings at once.
                Arguments.of(
                        "CL.TE",
                        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n"
                                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nG"),
                Arguments.of(
                        "TE.CL",
                        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                + "Content-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n"),
                // Transfer-Encoding obfuscations.
                te("xchunked"),
                te("chunked, identity"),
                te("identity, chunked"),
                te("\"chunked\""),
                te("chunked\u000b"),
                te("\u000bchunked"),
                te("chunked;q=1"),
                Arguments.of(
                        "TE twice",
                        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                                + "Transfer-Encoding: x\r\nContent-Length: 4\r\n\r\n0\r\n\r\n"),
                Arguments.of(
                        "space before colon",
                        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n"
                                + "Content-Length: 4\r\n\r\n0\r\n\r\n"),
                Arguments.of(
                        "leading space (obs-fold)",
                        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                                + " Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
                Arguments.of(
                        "TE obs-folded",
                        "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
                                + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n" + smuggled),
                Arguments.of(
                        "bare LF before TE",
                        "POST /x HTTP/1.1\r\nHost: a\r\nX: y\nTransfer-Encoding: chunked\r\n"
                                + "Content-Length: 4\r\n\r\n0\r\n\r\n"),
                Arguments.of(
                        "name split by CRLF",
                        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\r\n: chunked\r\n"
                                + "Content-Length: 4\r\n\r\n0\r\n\r\n"),
                Arguments.of(
                        "tab before value",
                        "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\r\n"
                                + "Content-Length: 4\r\n\r\n0\r\n\r\n"),
                Arguments.of(
                        "TE on HTTP/1.0",
                        "POST /x HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + "0\r\n\r\n"),
                // Content-Length oddities.
                cl("4\r\nContent-Length: 4"),
                cl("4, 4"),
                cl("+4"),
                cl("0x4"),
                cl("4 4"),
                cl("-4"),
                cl("99999999999999999999"),
                // Chunk tricks.
                chunked("ffffffffffffffff1\r\nx\r\n0\r\n\r\n"),
                chunked("5\nhello\r\n0\r\n\r\n"),
                chunked("5\r\nhello\n0\r\n\r\n"),
                chunked("3\r\nhello\r\n0\r\n\r\n"),
                chunked("5;ext=\"a\"\r\nhello\r\n0\r\n\r\n"),
                chunked("5 \r\nhello\r\n0\r\n\r\n"),
                chunked("0\r\nX-Trailer: x\r\n\r\n"),
                chunked("-1\r\nx\r\n0\r\n\r\n"),
                // Request-line and header-name oddities.
                Arguments.of("double space", "GET  /x HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("tab in request line", "GET\t/x HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("trailing space", "GET /x HTTP/1.1 \r\nHost: a\r\n\r\n"),
                Arguments.of("lower-case method", "get /x HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("method with a slash", "G/ET /x HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("version HTTP/1.10", "GET /x HTTP/1.10\r\nHost: a\r\n\r\n"),
                Arguments.of("NUL in a name", "GET /x HTTP/1.1\r\nHost: a\r\nX\u0000Y: z\r\n\r\n"),
                Arguments.of("NUL in a value", "GET /x HTTP/1.1\r\nHost: a\r\nX: a\u0000b\r\n\r\n"),
                Arguments.of(
                        "bare CR in a value", "GET /x HTTP/1.1\r\nHost: a\r\nX: a\rTransfer-Encoding: chunked\r\n\r\n"),
                Arguments.of("empty name", "GET /x HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n"),
                Arguments.of("colon in name", "GET /x HTTP/1.1\r\nHost: a\r\nX:Y: z\r\n\r\n"),
                Arguments.of("non-ASCII name", "GET /x HTTP/1.1\r\nHost: a\r\nX\u00e9: z\r\n\r\n"),
                Arguments.of("header too large", "GET /x HTTP/1.1\r\nHost: a\r\nX: " + "a".repeat(70_000) + "\r\n\r\n"),
                Arguments.of("request line too long", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
                // Path tricks.
                path("/%2e%2e/etc/passwd"),
                path("/%252e%252e/etc/passwd"),
                path("/a/..%2fetc"),
                path("/a\\..\\etc"),
                path("/a;/../etc"),
                path("/a%00b"),
                path("/a/%2E%2E"),
                path("//a//b"),
                path("*"),
                path("x"));
    }

    private static Arguments te(String value) {
        return Arguments.of(
                "TE: " + printable(value),
                "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: " + value
                        + "\r\nContent-Length: 4\r\n\r\n0\r\n\r\n");
    }

    private static Arguments cl(String value) {
        return Arguments.of(
                "CL: " + printable(value), "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: " + value + "\r\n\r\nabcd");
    }

    private static Arguments chunked(String body) {
        return Arguments.of(
                "chunked: " + printable(body),
                "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked" + "\r\n\r\n" + body);
    }

    private static Arguments path(String target) {
        return Arguments.of("path " + target, "GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("smuggling")
    void nothingIllFormedReachesTheUpstream(String name, String raw) throws Exception {
        exchange(raw);
    }

    @Test
    void aHeadThatNeverCompletesGets408() throws Exception {
        // A TLS ClientHello on the plain port: never a request line, so the header timeout ends it.
        RawHttp.Result r = exchange("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003", 3000);
        assertThat(r.status()).isEqualTo(408);
        assertThat(r.text()).contains("limits.header-timeout");
        assertThat(r.closedByServer()).isTrue();
    }

    @Test
    void anHttp11RequestWithoutHostIsRefused() throws Exception {
        RawHttp.Result r = exchange("GET /x HTTP/1.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).contains("needs a Host header").contains("\"error\":\"bad_request\"");
    }

    @Test
    void twoHostLinesAreRefused() throws Exception {
        RawHttp.Result r = exchange("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.text()).contains("2 Host headers");
        assertThat(r.closedByServer()).isTrue();
    }

    @Test
    void malformedHostsAreRefused() throws Exception {
        for (String host : List.of("a b", "user@a", "a:99999", "a:1x", "[::1", "a/b", "a\"b", "a:")) {
            RawHttp.Result r = exchange("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertThat(r.status()).as(host).isEqualTo(400);
            assertThat(r.text()).as(host).contains("Host");
        }
    }

    @Test
    void wellFormedHostsAreProxied() throws Exception {
        for (String host : List.of("a", "a.example:8080", "127.0.0.1", "[::1]:80", "xn--bcher-kva.example")) {
            RawHttp.Result r = exchange("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertThat(r.status()).as(host).isEqualTo(200);
        }
        // HTTP/1.0 predates Host.
        assertThat(exchange("GET /x HTTP/1.0\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void anAbsoluteFormTargetWinsOverHost() throws Exception {
        int before = upstream.requests().size();
        RawHttp.Result r = exchange("GET http://b.example/x?q=1 HTTP/1.1\r\nHost: a.example\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        RawUpstream.Request got = upstream.requests().get(before);
        assertThat(got.target()).isEqualTo("/x?q=1");
        assertThat(got.header("x-forwarded-host")).isEqualTo("b.example");
        assertThat(got.count("host")).isEqualTo(1);
    }

    @Test
    void connectIsNeverForwarded() throws Exception {
        int before = upstream.requests().size();
        RawHttp.Result r = exchange("CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n");
        RawHttp.Result path = exchange("CONNECT /x HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(path.status()).isEqualTo(400);
        assertThat(path.text()).contains("opens no tunnels");
        assertThat(upstream.requests()).hasSize(before);
    }

    @Test
    void anUnsupportedVersionGets505AsJson() throws Exception {
        RawHttp.Result r = exchange("GET /x HTTP/9.9\r\nHost: a\r\n\r\n");
        assertThat(r.text()).startsWith("HTTP/1.1 505 ");
        assertThat(r.text()).contains("\"status\":505").contains("HTTP/9.9 is not supported");
        assertThat(r.closedByServer()).isTrue();
        for (String line : List.of("GET /x\tHTTP/2.0", "GET  /x\tHTTP/1.2", "GET /x\u000bHTTP/9.9")) {
            RawHttp.Result other = exchange(line + "\r\nHost: a\r\n\r\n");
            assertThat(other.text()).as(line).startsWith("HTTP/1.1 ");
            assertThat(other.status()).as(line).isIn(400, 505);
        }
    }

    @Test
    void responsesCarryADate() throws Exception {
        RawHttp.Result proxied = exchange("GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        RawHttp.Result own = exchange("GET /x HTTP/1.1\r\nHost: a\r\nX-Request-ID: bad id\r\n\r\n");
        Pattern imfFixdate = Pattern.compile(
                "(?i)\r\ndate: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n");
        assertThat(imfFixdate.matcher(proxied.text()).find()).as(proxied.text()).isTrue();
        assertThat(imfFixdate.matcher(own.text()).find()).as(own.text()).isTrue();
    }

    @Test
    void anEmptyPostTellsTheUpstreamItsLength() throws Exception {
        int before = upstream.requests().size();
        exchange("POST /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertThat(upstream.requests().get(before).header("content-length")).isEqualTo("0");
    }

    @Test
    void pipelinedRequestsAreEachWellFormedUpstream() throws Exception {
        RawHttp.Result r = exchange("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "POST /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
                + "GET /4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertThat(statuses(r)).containsExactly(200, 200, 200, 200);
    }
}
