package dev.baton.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.StoreConfig;
import dev.baton.store.Postgres;
import dev.baton.store.StoreBackend;
import dev.baton.store.StoreException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The gateway's store on either backend: what it says before it is opened, what it keeps, its close. */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreBackend.class)
class DataStoreTest {
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

    /** The store as {@code store:} would configure it for this backend (none for H2). */
    DataStore data() {
        Optional<StoreConfig> server = fresh.server()
                .map((Postgres p) -> new StoreConfig(p.url(), p.user(), p.password(), p.maxConnections()));
        return new DataStore(fresh.dir(), server);
    }

    @Test
    void whatOneGatewayStoredTheNextReadsBack() {
        DataStore first = data();
        // Only an embedded store that was never made has nothing to read; a server's may have another's rows.
        assertThat(first.exists()).isEqualTo(backend == StoreBackend.POSTGRESQL);
        first.get().registrations().put("orders", "{}", Instant.parse("2026-12-05T10:00:00Z"));
        first.close();
        first.close();
        assertThatThrownBy(first::get).isInstanceOf(StoreException.class).hasMessage("the gateway is stopping");

        DataStore next = data();
        assertThat(next.exists()).isTrue();
        assertThat(next.get().registrations().all()).extracting(r -> r.id()).containsExactly("orders");
        assertThat(next.where()).isEqualTo(fresh.server().map(Postgres::shown).orElse(dir.toString()));
        next.close();
    }
}
