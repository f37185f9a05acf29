package dev.baton.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path dir;

    @Test
    void registrationsSurviveReopening() {
        Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
        try (Store store = Store.open(dir)) {
            store.registrations().put("orders", "{\"id\":\"orders\"}", t0);
            store.registrations().put("billing", "{\"id\":\"billing\"}", t0.plusSeconds(1));
            store.registrations().put("orders", "{\"id\":\"orders\",\"v\":2}", t0.plusSeconds(2));
            assertThat(store.registrations().delete("nope")).isFalse();
        }
        assertThat(Files.exists(dir.resolve(Store.FILE + ".mv.db"))).isTrue();
        try (Store store = Store.open(dir)) {
            assertThat(store.registrations().all())
                    .containsExactly(
                            new Registrations.Row("orders", "{\"id\":\"orders\",\"v\":2}", t0, t0.plusSeconds(2)),
                            new Registrations.Row(
                                    "billing", "{\"id\":\"billing\"}", t0.plusSeconds(1), t0.plusSeconds(1)));
            assertThat(store.registrations().delete("orders")).isTrue();
        }
        try (Store store = Store.open(dir)) {
            assertThat(store.registrations().all())
                    .extracting(Registrations.Row::id)
                    .containsExactly("billing");
        }
    }

    @Test
    void aSecondOwnerOfTheDataDirectoryIsToldWhy() {
        try (Store first = Store.open(dir)) {
            assertThatThrownBy(() -> Store.open(dir))
                    .isInstanceOf(StoreException.class)
                    .hasMessage("cannot open the store in " + dir.toAbsolutePath()
                            + ": another Baton is using this data directory");
        }
        try (Store again = Store.open(dir)) {
            assertThat(again.registrations().all()).isEmpty();
        }
    }

    @Test
    void anUnwritableDataDirectoryIsToldWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertThatThrownBy(() -> Store.open(file.resolve("data")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot create data directory");
    }
}
