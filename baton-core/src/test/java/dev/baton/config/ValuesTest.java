package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.internal.Values;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValuesTest {
    @Test
    void durations() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        for (String bad : new String[] {"", "10", "s", "1.5s", "2 s", "2sec", "-1s"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).hasMessageContaining("is not a duration");
        }
    }

    @Test
    void sizes() {
        assertThat(Sizes.parse("512KB")).isEqualTo(512 * 1024);
        assertThat(Sizes.parse("10MB")).isEqualTo(10L << 20);
        assertThat(Sizes.parse("1gb")).isEqualTo(1L << 30);
        assertThat(Sizes.parse("100")).isEqualTo(100);
        assertThat(Sizes.parse("64KiB")).isEqualTo(64 * 1024);
        assertThatThrownBy(() -> Sizes.parse("ten")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Sizes.parse("99999999999999999GB")).hasMessageContaining("too large");
        assertThat(Sizes.format(10L << 20)).isEqualTo("10MB");
        assertThat(Sizes.format(1536 * 1024)).isEqualTo("1536KB");
        assertThat(Sizes.format(1L << 30)).isEqualTo("1GB");
        assertThat(Sizes.format(100)).isEqualTo("100B");
        assertThat(Sizes.format(0)).isEqualTo("0B");
        for (long n : new long[] {0, 1, 1023, 1024, 5 << 20, 3L << 30}) {
            assertThat(Sizes.parse(Sizes.format(n))).as("round trip of %d", n).isEqualTo(n);
        }
    }

    @Test
    void expansion() {
        Map<String, String> env = Map.of("A", "x", "E", "");
        assertThat(Values.expand("${A}-${B:-y}-${E:-z}-$A", env)).isEqualTo("x-y-z-$A");
        assertThat(Values.expand("${B:-}", env)).isEmpty();
        assertThat(Values.expand("cost: $5 ${A}", env)).isEqualTo("cost: $5 x");
        assertThatThrownBy(() -> Values.expand("${B}", env)).hasMessage("environment variable B is not set");
    }
}
