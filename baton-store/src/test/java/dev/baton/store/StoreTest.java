package dev.baton.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** What a store keeps, the same on every backend: each test runs on H2 and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class StoreTest {
    @Parameter
    StoreBackend backend;

    @TempDir
    Path dir;

    StoreBackend.Fresh fresh;

    @BeforeEach
    void fresh() {
        fresh = backend.fresh(dir);
    }

    @AfterEach
    void drop() {
        fresh.close();
    }

    @Test
    void registrationsSurviveReopening() {
        Instant t0 = Instant.parse("2026-11-23T10:00:00Z");
        try (Store store = fresh.open()) {
            store.registrations().put("orders", "{\"id\":\"orders\"}", t0);
            store.registrations().put("billing", "{\"id\":\"billing\"}", t0.plusSeconds(1));
            store.registrations().put("orders", "{\"id\":\"orders\",\"v\":2}", t0.plusSeconds(2));
            assertThat(store.registrations().delete("nope")).isFalse();
        }
        try (Store store = fresh.open()) {
            assertThat(store.registrations().all())
                    .containsExactly(
                            new Documents.Row("orders", "{\"id\":\"orders\",\"v\":2}", t0, t0.plusSeconds(2)),
                            new Documents.Row("billing", "{\"id\":\"billing\"}", t0.plusSeconds(1), t0.plusSeconds(1)));
            assertThat(store.registrations().delete("orders")).isTrue();
        }
        try (Store store = fresh.open()) {
            assertThat(store.registrations().all())
                    .extracting(Documents.Row::id)
                    .containsExactly("billing");
        }
    }

    @Test
    void routesAreKeptApartFromRegistrations() {
        Instant t0 = Instant.parse("2026-12-02T10:00:00Z");
        try (Store store = fresh.open()) {
            store.routes().put("echo", "{\"id\":\"echo\"}", t0);
            store.registrations().put("echo", "{\"id\":\"echo\",\"instances\":[]}", t0);
            assertThat(store.routes().delete("echo")).isTrue();
            assertThat(store.routes().delete("echo")).isFalse();
            store.routes().put("echo", "{\"id\":\"echo\",\"v\":2}", t0.plusSeconds(1));
        }
        try (Store store = fresh.open()) {
            assertThat(store.routes().all())
                    .containsExactly(new Documents.Row(
                            "echo", "{\"id\":\"echo\",\"v\":2}", t0.plusSeconds(1), t0.plusSeconds(1)));
            assertThat(store.registrations().all())
                    .extracting(Documents.Row::id)
                    .containsExactly("echo");
        }
    }

    @Test
    void instantsAnHourApartInTheHourThatDaylightSavingRepeatsStayApart() {
        // The tests run in America/New_York (see the pom): there 05:30Z and 06:30Z on
        // 2026-11-01 are both 01:30 on the wall.
        Instant first = Instant.parse("2026-11-01T05:30:00Z");
        Instant second = Instant.parse("2026-11-01T06:30:00Z");
        try (Store store = fresh.open()) {
            store.registrations().put("first", "{}", first);
            store.registrations().put("second", "{}", second);
            long id = store.deadLetters().add("http://hooks.test/a", 1, "SERVICE_FAILED", "{}", 1, "HTTP 503", second);
            assertThat(store.registrations().all())
                    .extracting(Documents.Row::createdAt)
                    .containsExactly(first, second);
            assertThat(store.deadLetters().get(id).orElseThrow().failedAt()).isEqualTo(second);
        }
    }

    @Test
    void aBodyKeepsEveryCharacter() {
        // JSON as the admin API accepted it: non-ASCII, quotes, a line break, and longer than any VARCHAR.
        String body = "{\"name\":\"Zürich ✓ \\\"quoted\\\"\",\n\"pad\":\"" + "x".repeat(100_000) + "\"}";
        try (Store store = fresh.open()) {
            store.registrations().put("zurich", body, Instant.parse("2026-12-02T10:00:00Z"));
        }
        try (Store store = fresh.open()) {
            assertThat(store.registrations().all())
                    .singleElement()
                    .extracting(Documents.Row::body)
                    .isEqualTo(body);
        }
    }

    @Test
    void deadLettersAreKeptUntilDeleted() {
        Instant t0 = Instant.parse("2026-12-05T09:00:00.123Z");
        long first;
        long second;
        try (Store store = fresh.open()) {
            first = store.deadLetters().add("http://hooks.test/a", 7, "SERVICE_FAILED", "{\"a\":1}", 5, "HTTP 503", t0);
            second = store.deadLetters()
                    .add("http://hooks.test/b", 8, "CONFIG_RELOADED", "{}", 3, "x".repeat(2000), t0.plusSeconds(1));
            assertThat(second).isGreaterThan(first);
            store.deadLetters().failedAgain(first, "connection refused", t0.plusSeconds(60));
        }
        try (Store store = fresh.open()) {
            DeadLetters letters = store.deadLetters();
            assertThat(letters.recent(10)).extracting(DeadLetters.Row::id).containsExactly(second, first);
            assertThat(letters.recent(1)).extracting(DeadLetters.Row::id).containsExactly(second);
            assertThat(letters.get(first))
                    .contains(new DeadLetters.Row(
                            first,
                            "http://hooks.test/a",
                            7,
                            "SERVICE_FAILED",
                            "{\"a\":1}",
                            6,
                            "connection refused",
                            t0.plusSeconds(60)));
            assertThat(letters.get(second).orElseThrow().lastError()).hasSize(1024);
            assertThat(letters.delete(first)).isTrue();
            assertThat(letters.delete(first)).isFalse();
            assertThat(letters.get(first)).isEmpty();
            assertThat(letters.recent(10)).extracting(DeadLetters.Row::id).containsExactly(second);
        }
    }
}
