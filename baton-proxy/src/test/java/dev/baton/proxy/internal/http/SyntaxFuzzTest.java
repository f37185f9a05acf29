package dev.baton.proxy.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.baton.http.FieldSyntax;
import io.vertx.core.net.HostAndPort;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of the pure syntax helpers every request head goes through,
 * {@link FieldSyntax} and {@link RequestSyntax}'s authority checks, each against a
 * reference written straight from the RFC grammar (RFC 9110 §5.5 and §5.6.2 for
 * fields, §4.2 and §7.2 for authorities): no sockets, thousands of inputs a second.
 * In a plain build only the seeds under {@code SyntaxFuzzTestInputs/} run; see
 * CONTRIBUTING.md for a fuzzing session. Every finding is kept there as a seed.
 */
@Tag("hostile")
class SyntaxFuzzTest {
    /** RFC 9110 §5.6.2: {@code token = 1*tchar}. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    /**
     * RFC 9110 §7.2's {@code uri-host [":" port]} as Baton reads it: an IP literal of
     * hex digits, colons and dots in brackets, or a reg-name of unreserved, percent and
     * sub-delims characters (no user info), then an optional port of one to five digits
     * (an empty port Baton refuses: parsers read it as port 0).
     */
    private static final Pattern AUTHORITY =
            Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._~%!$&'()*+,;=-]*)(?::([0-9]{1,5}))?");

    @FuzzTest(maxDuration = "5m")
    void fieldSyntax(FuzzedDataProvider data) {
        String name = data.consumeString(64);
        String value = data.consumeRemainingAsString();
        for (String s : new String[] {name, value}) {
            assertThat(FieldSyntax.isToken(s))
                    .as("isToken(%s)", esc(s))
                    .isEqualTo(TOKEN.matcher(s).matches());
            boolean isValue = referenceIsValue(s);
            assertThat(FieldSyntax.isValue(s)).as("isValue(%s)", esc(s)).isEqualTo(isValue);
            if (FieldSyntax.isValue(s)) {
                // The point of the check: nothing that ends an HTTP/1.1 line early.
                assertThat(s).doesNotContain("\r", "\n", "\0");
            }
            boolean edges = !s.isEmpty() && (isWs(s.charAt(0)) || isWs(s.charAt(s.length() - 1)));
            assertThat(FieldSyntax.isTrimmedValue(s))
                    .as("isTrimmedValue(%s)", esc(s))
                    .isEqualTo(isValue && !edges);
            String p = FieldSyntax.printable(s);
            // Safe to put in a message or a log line: printable ASCII only, and short.
            assertThat(p.chars().allMatch(c -> c >= 0x20 && c < 0x7f))
                    .as("printable(%s) = %s", esc(s), esc(p))
                    .isTrue();
            assertThat(p.length()).as("printable(%s)", esc(s)).isLessThanOrEqualTo(64 + 6 + 3);
            if (s.length() <= 64 && s.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '\\')) {
                assertThat(p).isEqualTo(s);
            }
        }
        boolean ok = FieldSyntax.isToken(name) && FieldSyntax.isValue(value);
        assertThat(FieldSyntax.problem(name, value).isEmpty())
                .as("problem(%s, %s)", esc(name), esc(value))
                .isEqualTo(ok);
        assertThat(FieldSyntax.firstInvalid(Map.of(name, value).entrySet()).isEmpty())
                .as("firstInvalid(%s, %s)", esc(name), esc(value))
                .isEqualTo(ok);
    }

    @FuzzTest(maxDuration = "5m")
    void authority(FuzzedDataProvider data) {
        // Latin-1 only: what HTTP/1.1 heads and HPACK strings carry (one byte a character).
        String a = latin1(data.consumeBytes(data.consumeInt(0, 64)));
        String rest = latin1(data.consumeRemainingAsBytes());
        boolean valid = RequestSyntax.validAuthority(a);
        var m = AUTHORITY.matcher(a);
        boolean reference =
                m.matches() && (m.group(2) == null || m.group(2).isEmpty() || Integer.parseInt(m.group(2)) <= 65535);
        assertThat(valid).as("validAuthority(%s)", esc(a)).isEqualTo(reference);
        if (valid) {
            // Nothing that would end a line, split a target or smuggle user info upstream.
            assertThat(a).doesNotContain("\r", "\n", "\0", " ", "\t", "/", "?", "#", "@", "\\", "\"");
            HostAndPort parsed = HostAndPort.parseAuthority(a, -1);
            if (parsed != null) {
                // What Baton routes on and forwards is what the client wrote.
                String port = m.group(2);
                assertThat(parsed.host()).as("host of %s", esc(a)).isEqualTo(m.group(1));
                assertThat(parsed.port())
                        .as("port of %s", esc(a))
                        .isEqualTo(port == null ? -1 : Integer.parseInt(port));
            }
        }

        // targetAuthority: the text between "scheme://" and the first / ? or #, or null.
        for (String uri : new String[] {"http://" + a + rest, a + rest, rest}) {
            String got = RequestSyntax.targetAuthority(uri);
            int sep = uri.indexOf("://");
            if (sep <= 0) {
                assertThat(got).as("targetAuthority(%s)", esc(uri)).isNull();
                continue;
            }
            assertThat(got).as("targetAuthority(%s)", esc(uri)).isNotNull().doesNotContain("/", "?", "#");
            assertThat(uri).as("targetAuthority(%s)", esc(uri)).startsWith(uri.substring(0, sep + 3) + got);
            int after = sep + 3 + got.length();
            assertThat(after == uri.length() || "/?#".indexOf(uri.charAt(after)) >= 0)
                    .as("targetAuthority(%s) = %s stops at a delimiter", esc(uri), esc(got))
                    .isTrue();
        }
    }

    private static boolean referenceIsValue(String s) {
        // field-value characters: HTAB, SP, VCHAR (0x21-0x7e) and obs-text (0x80-0xff).
        return s.chars().allMatch(c -> c == '\t' || (c >= 0x20 && c <= 0x7e) || (c >= 0x80 && c <= 0xff));
    }

    private static boolean isWs(char c) {
        return c == ' ' || c == '\t';
    }

    private static String latin1(byte[] b) {
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** For assertion messages: escapes everything outside printable ASCII. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            b.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.append('"').toString();
    }
}
