package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("PG_PASSWORD", "s3cret"));

    private List<String> errors(String yaml) {
        try {
            loader.parse(yaml, "baton.yaml");
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected the config to be rejected");
    }

    @Test
    void withoutAStoreSectionTheStateStaysInTheDataDirectory() {
        assertThat(loader.parse("services: {}", "baton.yaml").store()).isEmpty();
    }

    @Test
    void aPostgresqlStore() {
        Config c = loader.parse("""
                store:
                  url: postgresql://db.internal:6432/baton?sslmode=require
                  user: baton
                  password: ${PG_PASSWORD}
                  max-connections: 4
                """, "baton.yaml");
        assertThat(c.store())
                .contains(new StoreConfig(
                        "postgresql://db.internal:6432/baton?sslmode=require", "baton", Optional.of("s3cret"), 4));
        assertThat(c.store().orElseThrow().shown()).isEqualTo("postgresql://db.internal:6432/baton");
        assertThat(c.store().orElseThrow().toString()).doesNotContain("s3cret");
    }

    @Test
    void aJdbcUrlIsTakenAsItsPostgresqlUrlAndThePasswordAndPoolAreOptional() {
        Config c = loader.parse("store: { url: 'jdbc:postgresql://127.0.0.1/test', user: postgres }", "baton.yaml");
        assertThat(c.store())
                .contains(new StoreConfig(
                        "postgresql://127.0.0.1/test",
                        "postgres",
                        Optional.empty(),
                        StoreConfig.DEFAULT_MAX_CONNECTIONS));
    }

    @Test
    void whatIsNotAPostgresqlDatabaseIsRefusedWithWhatIsAccepted() {
        String expected = "(expected postgresql://host[:port]/database or jdbc:postgresql://host[:port]/database)";
        assertThat(errors("""
                        store:
                          url: mysql://db/baton
                          user: baton
                        """))
                .containsExactly("baton.yaml:2: store.url: 'mysql://db/baton' is not a PostgreSQL URL " + expected);
        assertThat(errors("store: { url: 'postgresql:///baton', user: baton }"))
                .containsExactly("baton.yaml:1: store.url: 'postgresql:///baton' has no host " + expected);
        assertThat(errors("store: { url: 'postgresql://db:5432', user: baton }"))
                .containsExactly("baton.yaml:1: store.url: 'postgresql://db:5432' names no database " + expected);
        assertThat(errors("store: { url: 'postgresql://db:99999/baton', user: baton }"))
                .containsExactly("baton.yaml:1: store.url: 'postgresql://db:99999/baton' has port 99999, beyond 65535");
        assertThat(errors("store: { url: 'postgresql://db/a b', user: baton }"))
                .singleElement()
                .asString()
                .startsWith("baton.yaml:1: store.url: 'postgresql://db/a b' is not a valid URL: ");
    }

    @Test
    void aPasswordInTheUrlIsRefusedAndNotRepeated() {
        assertThat(errors("store: { url: 'postgresql://baton:s3cret@db/baton', user: baton }"))
                .containsExactly("baton.yaml:1: store.url: has a user or password in it;"
                        + " give them as store.user and store.password instead");
        assertThat(errors("store: { url: 'postgresql://db/baton?sslmode=require&password=s3cret', user: baton }"))
                .containsExactly("baton.yaml:1: store.url: names a user or password (password);"
                        + " give them as store.user and store.password instead");
        assertThat(errors("store: { url: 'postgres://baton:s3cret@db/baton', user: baton }"))
                .singleElement()
                .asString()
                .startsWith("baton.yaml:1: store.url: 'postgres://********@db/baton' is not a PostgreSQL URL")
                .doesNotContain("s3cret");
    }

    @Test
    void theUrlAndUserAreRequiredAndTheRestChecked() {
        assertThat(errors("""
                        store:
                          password: x
                          max-connections: 0
                          max-conections: 3
                        """))
                .containsExactly(
                        "baton.yaml:1: store.url: is required (postgresql://host[:port]/database)",
                        "baton.yaml:1: store.user: is required: the role Baton signs in to the database as",
                        "baton.yaml:3: store.max-connections: must be between 1 and 1000, but was 0",
                        "baton.yaml:4: store.max-conections: unknown key (did you mean 'max-connections'?)");
        assertThat(errors("store: postgresql://db/baton"))
                .containsExactly("baton.yaml:1: store: expected a mapping, got a scalar");
    }
}
