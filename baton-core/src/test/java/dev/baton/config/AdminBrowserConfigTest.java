package dev.baton.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code security.admin-origins} and {@code security.admin-hosts}: read as written, each checked. */
class AdminBrowserConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("OPS", "https://ops.example.com"));

    private List<String> errors(String yaml) {
        try {
            loader.parse(yaml, "baton.yaml");
        } catch (ConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
        throw new AssertionError("expected the config to be rejected");
    }

    @Test
    void bothListsAreEmptyByDefault() {
        SecurityConfig s = loader.parse("services: {}\n", "baton.yaml").security();
        assertThat(s.adminOrigins()).isEmpty();
        assertThat(s.adminHosts()).isEmpty();
    }

    @Test
    void originsAndHostsAreReadAsWritten() {
        SecurityConfig s = loader.parse("""
                        security:
                          admin-origins: [ "${OPS}", "http://127.0.0.1:3000", "http://[::1]:3000", " HTTPS://Dash.Example.com:8443 " ]
                          admin-hosts: [ baton-admin.internal, "baton.example.com:9090", 10.0.0.5, "[fd00::5]:9090", my_service ]
                        """, "baton.yaml").security();
        assertThat(s.adminOrigins())
                .containsExactly(
                        "https://ops.example.com",
                        "http://127.0.0.1:3000",
                        "http://[::1]:3000",
                        "HTTPS://Dash.Example.com:8443");
        assertThat(s.adminHosts())
                .containsExactly(
                        "baton-admin.internal", "baton.example.com:9090", "10.0.0.5", "[fd00::5]:9090", "my_service");
    }

    @Test
    void aSingleValueIsAListOfOne() {
        SecurityConfig s = loader.parse(
                        "security: { admin-origins: https://ops.example.com, admin-hosts: ops }\n", "baton.yaml")
                .security();
        assertThat(s.adminOrigins()).containsExactly("https://ops.example.com");
        assertThat(s.adminHosts()).containsExactly("ops");
    }

    @Test
    void malformedOriginsAreReportedWithFileAndLine() {
        assertThat(errors("""
                        security:
                          admin-origins:
                            - https://ops.example.com/
                            - ops.example.com
                            - ftp://ops.example.com
                            - "null"
                            - "*"
                            - https://ops.example.com:99999
                            - https://user@ops.example.com
                        """))
                .containsExactly(
                        "baton.yaml:2: security.admin-origins: 'https://ops.example.com/' is not an origin (expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)",
                        "baton.yaml:2: security.admin-origins: 'ops.example.com' is not an origin (expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)",
                        "baton.yaml:2: security.admin-origins: 'ftp://ops.example.com' is not an http or https origin (expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)",
                        "baton.yaml:2: security.admin-origins: 'null' is not an origin (expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)",
                        "baton.yaml:2: security.admin-origins: '*' is not an origin (expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)",
                        "baton.yaml:2: security.admin-origins: 'https://ops.example.com:99999' is not an origin: 'ops.example.com:99999' has no port from 1 to 65535 after the host",
                        "baton.yaml:2: security.admin-origins: 'https://user@ops.example.com' is not an origin (expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)");
    }

    @Test
    void malformedHostsAreReportedWithFileAndLine() {
        assertThat(errors("""
                        services: {}
                        security:
                          admin-hosts: [ "http://ops.example.com", "ops.example.com:port", "::1", "*.example.com", "[ops]:90" ]
                        """))
                .containsExactly(
                        "baton.yaml:3: security.admin-hosts: 'http://ops.example.com' is a URL, not a host (expected a host name or address, optionally with :port, e.g. admin.example.com:9090)",
                        "baton.yaml:3: security.admin-hosts: 'ops.example.com:port' has no port from 1 to 65535 after the host",
                        "baton.yaml:3: security.admin-hosts: '::1' looks like an IPv6 address: put it in brackets, e.g. [::1]",
                        "baton.yaml:3: security.admin-hosts: '*.example.com' is not a host name or IP address (expected e.g. admin.example.com or 10.0.0.5)",
                        "baton.yaml:3: security.admin-hosts: '[ops]:90' has no IPv6 address in its brackets");
    }

    @Test
    void aMisspeltKeyIsCaught() {
        assertThat(errors("security: { admin-origin: [https://ops.example.com] }\n"))
                .singleElement()
                .asString()
                .contains("security.admin-origin: unknown key (did you mean 'admin-origins'?)");
    }
}
