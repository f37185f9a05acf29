package dev.baton.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.Template;
import org.junit.jupiter.api.Test;

/** A value from a saga's input or an upstream's answer becomes one path segment, or fails the step. */
class RequestsTest {
    @Test
    void aValueIsOneSegmentEncodedOrNone() {
        assertThat(Requests.segment("r-1.2_x~")).isEqualTo("r-1.2_x~");
        assertThat(Requests.segment("a/b?c#d e")).isEqualTo("a%2Fb%3Fc%23d%20e");
        assertThat(Requests.segment("..a")).isEqualTo("..a");
        for (String bad : new String[] {"", ".", "..", "null", "{\"id\":1}", "[1,2]"}) {
            assertThatThrownBy(() -> Requests.segment(bad))
                    .as(bad)
                    .isInstanceOf(Template.Unresolved.class)
                    .hasMessageEndingWith("cannot be a path segment");
        }
        assertThat(Requests.safePath("/a b/%41")).isEqualTo("/a%20b/%41");
    }
}
