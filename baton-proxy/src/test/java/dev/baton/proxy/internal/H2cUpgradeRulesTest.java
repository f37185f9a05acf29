package dev.baton.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class H2cUpgradeRulesTest {
    private static HttpRequest request(HttpVersion v, String... headers) {
        // Unvalidated, as Vert.x's decoder builds them: the checks under test are ours.
        HttpRequest r = new DefaultHttpRequest(
                v,
                HttpMethod.GET,
                "/",
                DefaultHttpHeadersFactory.headersFactory().withValidation(false));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static HttpRequest complete() {
        return request(
                HttpVersion.HTTP_1_1,
                "connection",
                "Upgrade, HTTP2-Settings",
                "upgrade",
                "h2c",
                "http2-settings",
                "AAMAAABkAAQCAAAAAAIAAAAA");
    }

    @Test
    void aCompleteUpgradeIsAcceptable() {
        assertThat(H2cUpgrade.asked(complete())).isTrue();
        assertThat(H2cUpgrade.acceptable(complete())).isTrue();
        HttpRequest noSettings = request(
                HttpVersion.HTTP_1_1, "connection", "UPGRADE,HTTP2-SETTINGS", "upgrade", "H2C", "http2-settings", "");
        assertThat(H2cUpgrade.acceptable(noSettings))
                .as("an empty SETTINGS payload is valid")
                .isTrue();
    }

    @Test
    void whatVertxWouldNotTakeUpIsNotAcceptable() {
        assertThat(H2cUpgrade.acceptable(request(HttpVersion.HTTP_1_1, "upgrade", "h2c")))
                .isFalse();
        HttpRequest http10 = complete();
        http10.setProtocolVersion(HttpVersion.HTTP_1_0);
        assertThat(H2cUpgrade.acceptable(http10)).isFalse();
        HttpRequest malformed = complete();
        malformed.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("two lengths")));
        assertThat(H2cUpgrade.acceptable(malformed)).isFalse();
        // Vert.x reads only the first Connection line, and options with a tab as they are.
        HttpRequest split = request(
                HttpVersion.HTTP_1_1,
                "connection",
                "upgrade",
                "connection",
                "http2-settings",
                "upgrade",
                "h2c",
                "http2-settings",
                "AAMAAABk");
        assertThat(H2cUpgrade.acceptable(split)).isFalse();
        HttpRequest tab = complete();
        tab.headers().set("connection", "Upgrade,\tHTTP2-Settings");
        assertThat(H2cUpgrade.acceptable(tab)).isFalse();
        HttpRequest emptyName = complete();
        emptyName.headers().add("", "x");
        assertThat(H2cUpgrade.acceptable(emptyName))
                .as("not a field HTTP/2 can carry")
                .isFalse();
        HttpRequest withBody = complete();
        withBody.headers().add("content-length", "3");
        assertThat(H2cUpgrade.acceptable(withBody)).isFalse();
        HttpRequest zero = complete();
        zero.headers().add("content-length", "0");
        assertThat(H2cUpgrade.acceptable(zero))
                .as("no body, as Java's client says it")
                .isTrue();
        HttpRequest twice = complete();
        twice.headers().add("http2-settings", "AAMAAABk");
        assertThat(H2cUpgrade.acceptable(twice)).isFalse();
    }

    @Test
    void settingsMustDecodeToWholeEntriesInRange() {
        assertThat(H2cUpgrade.decodes("AAMAAABk")).isTrue(); // MAX_CONCURRENT_STREAMS 100
        assertThat(H2cUpgrade.decodes("AAMAAAB")).isFalse(); // not whole entries
        assertThat(H2cUpgrade.decodes("AAIAAAAC")).isFalse(); // ENABLE_PUSH 2
        assertThat(H2cUpgrade.decodes("AAUAAAAB")).isFalse(); // MAX_FRAME_SIZE 1
        assertThat(H2cUpgrade.decodes("a+b/")).isFalse(); // not base64url
    }

    @Test
    void theChoiceFallsAtTheFirstByteThatIsNotThePreface() {
        assertThat(H2cUpgrade.choiceAt(bytes("GET / HTTP/1.1\r\n"), 0)).isEqualTo(1);
        assertThat(H2cUpgrade.choiceAt(bytes("PRI * HTTP/1.1"), 0)).isEqualTo(12);
        assertThat(H2cUpgrade.choiceAt(bytes("PRI *"), 0)).isEqualTo(-1);
        assertThat(H2cUpgrade.choiceAt(bytes(" HTTP/2.0\r\n\r\nSM\r\n\r\n"), 5)).isEqualTo(-1);
        assertThat(H2cUpgrade.choiceAt(bytes("X"), 5)).isEqualTo(1);
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }
}
