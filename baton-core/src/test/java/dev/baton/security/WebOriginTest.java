package dev.baton.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Origins and Host values compare by what they name, not how they are spelt, and never resolve names. */
class WebOriginTest {
    @Test
    void spellingsOfOneOriginAreEqual() {
        assertThat(WebOrigin.parse("HTTPS://Ops.Example.com:443"))
                .isEqualTo(WebOrigin.parse("https://ops.example.com"));
        assertThat(WebOrigin.parse("http://127.0.0.1")).isEqualTo(WebOrigin.http("127.0.0.1", 80));
        assertThat(WebOrigin.parse("http://[::1]:9090")).isEqualTo(WebOrigin.parse("http://[0:0:0:0:0:0:0:1]:9090"));
        assertThat(WebOrigin.parse("http://localhost:9090")).isNotEqualTo(WebOrigin.parse("https://localhost:9090"));
        assertThat(WebOrigin.parse("http://localhost:9090")).isNotEqualTo(WebOrigin.parse("http://localhost:9091"));
    }

    @Test
    void anOriginPrintsAsABrowserSendsIt() {
        assertThat(WebOrigin.parse("https://ops.example.com:443")).hasToString("https://ops.example.com");
        assertThat(WebOrigin.parse("http://[::1]:9090")).hasToString("http://[0:0:0:0:0:0:0:1]:9090");
        assertThat(WebOrigin.http("127.0.0.1", 9090)).hasToString("http://127.0.0.1:9090");
    }

    @Test
    void whatIsNotAnOriginIsRefused() {
        for (String bad :
                new String[] {"null", "", "https://", "https://a/b", "https://a?x", "file:///etc", "https://a b"}) {
            assertThatThrownBy(() -> WebOrigin.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void authoritiesKeepNamesAsTextAndAddressesCanonical() {
        assertThat(Authority.parse("Baton.Example.com:9090")).isEqualTo(new Authority("baton.example.com", 9090));
        assertThat(Authority.parse("127.0.0.1")).isEqualTo(new Authority("127.0.0.1", -1));
        assertThat(Authority.parse("[::1]:80")).isEqualTo(new Authority("0:0:0:0:0:0:0:1", 80));
        assertThat(Authority.parse("[::ffff:127.0.0.1]").host()).isEqualTo("127.0.0.1");
        assertThat(Authority.parse("[::1]:80")).hasToString("[0:0:0:0:0:0:0:1]:80");
        assertThat(Authority.parse("10.0.0.5").isAddress()).isTrue();
        assertThat(Authority.parse("evil.example").isAddress()).isFalse();
        assertThat(Authority.parse("1.2.3").isAddress())
                .as("not a dotted quad: a name")
                .isFalse();
    }

    @Test
    void addressesAreLiteralsOnly() {
        assertThat(Authority.address("localhost")).isEmpty();
        assertThat(Authority.address("example.com")).isEmpty();
        assertThat(Authority.address("256.1.1.1")).isEmpty();
        assertThat(Authority.address("[fe80::1%eth0]")).isPresent();
        assertThat(Authority.address("0.0.0.0"))
                .hasValueSatisfying(a -> assertThat(a.isAnyLocalAddress()).isTrue());
    }
}
