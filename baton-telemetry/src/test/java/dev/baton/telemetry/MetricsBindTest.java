package dev.baton.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import org.junit.jupiter.api.Test;

class MetricsBindTest {
    @Test
    void bindingAgainUnderAKeyReplacesThatKeysMetersOnly() {
        try (Metrics m = new Metrics()) {
            m.bind("a", r -> Gauge.builder("test.first", () -> 1).register(r));
            m.bind("b", r -> Gauge.builder("test.other", () -> 2).register(r));
            m.bind("a", r -> Gauge.builder("test.second", () -> 3).register(r));
            String scrape = m.scrape();
            assertThat(scrape)
                    .doesNotContain("test_first")
                    .contains("test_second 3.0")
                    .contains("test_other 2.0");
        }
    }

    @Test
    void aMeterRegisteredElsewhereWhileBindingIsNotTheBindersOwn() throws Exception {
        try (Metrics m = new Metrics()) {
            m.bind("a", r -> {
                Thread other =
                        new Thread(() -> Counter.builder("test.elsewhere").register(r));
                other.start();
                try {
                    other.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                Gauge.builder("test.own", () -> 1).register(r);
            });
            m.bind("a", r -> {});
            assertThat(m.scrape()).contains("test_elsewhere_total").doesNotContain("test_own");
        }
    }
}
