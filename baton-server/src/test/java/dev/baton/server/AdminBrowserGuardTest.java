package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.baton.config.ConfigError;
import dev.baton.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API against pages in the operator's browser: cross-site changes (forms,
 * {@code text/plain} fetches, foreign origins) and DNS rebinding (a foreign
 * {@code Host}) are refused with JSON errors and counted; tools that send neither
 * header, and the admin's own origin, pass. Requests go over a plain socket so that
 * every header, {@code Host} included, is exactly what a browser would send.
 */
class AdminBrowserGuardTest {
    static final String REGISTRATION = "{\"id\":\"evil\",\"endpoint\":\"http://127.0.0.1:9\"}";

    @TempDir
    Path dir;

    Baton baton;

    /** A status line, the headers in lower case and the body of one response. */
    record Reply(int status, Map<String, String> headers, String body) {
        JsonObject json() {
            return new JsonObject(body);
        }
    }

    Baton start(String admin, String security) throws Exception {
        Path file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: %s, data-dir: %s }
                security: %s
                services: { orders: { instances: [ "http://127.0.0.1:9101" ] } }
                """.formatted(admin, dir.resolve("data"), security));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        return baton;
    }

    Baton start() throws Exception {
        return start(
                "127.0.0.1:0",
                "{ admin-origins: [ \"https://ops.example.com\" ], admin-hosts: [ \"baton-admin.internal\", \"ops.internal:7000\" ] }");
    }

    @AfterEach
    void stop() {
        if (baton != null) {
            baton.close();
        }
    }

    String own() {
        return "http://127.0.0.1:" + baton.adminPort();
    }

    /** One request on its own connection; {@code Host} is 127.0.0.1:port unless given. */
    Reply send(String method, String path, Map<String, String> headers, String body) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + baton.adminPort());
        h.putAll(headers);
        byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        if (body != null) {
            h.put("Content-Length", String.valueOf(payload.length));
        }
        h.put("Connection", "close");
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        h.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        try (Socket s = new Socket("127.0.0.1", baton.adminPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String[] lines = text.substring(0, split).split("\r\n");
            Map<String, String> headersIn = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headersIn.put(
                        lines[i].substring(0, colon).toLowerCase(),
                        lines[i].substring(colon + 1).trim());
            }
            return new Reply(Integer.parseInt(lines[0].split(" ")[1]), headersIn, text.substring(split + 4));
        }
    }

    Reply get(String path, Map<String, String> headers) throws Exception {
        return send("GET", path, headers, null);
    }

    String orchestrator() throws Exception {
        return get("/status", Map.of()).json().getString("orchestrator");
    }

    static void isJsonError(Reply r, int status, String error) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().get("content-type")).isEqualTo("application/json");
        JsonObject json = r.json();
        assertThat(json.getInteger("status")).isEqualTo(status);
        assertThat(json.getString("error")).isEqualTo(error);
        assertThat(json.getString("requestId")).isEqualTo(r.headers().get("x-request-id"));
    }

    @Test
    void aCrossSiteFormChangesNothing() throws Exception {
        start();
        Reply stop = send(
                "POST",
                "/orchestrator/stop",
                Map.of("Origin", "https://evil.example", "Content-Type", "application/x-www-form-urlencoded"),
                "x=1");
        isJsonError(stop, 415, "unsupported_media_type");
        assertThat(stop.json().getString("message"))
                .isEqualTo("content type application/x-www-form-urlencoded is not accepted for admin changes"
                        + " (expected application/json, or no body; with curl: -H 'Content-Type: application/json')");
        assertThat(orchestrator()).isEqualTo("RUNNING");

        Reply register = send(
                "POST",
                "/services/register",
                Map.of("Content-Type", "multipart/form-data; boundary=x", "Sec-Fetch-Site", "cross-site"),
                REGISTRATION);
        isJsonError(register, 415, "unsupported_media_type");
        assertThat(get("/services/evil", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void aTextPlainFetchOrABareBodyIsRefused() throws Exception {
        start();
        Reply text = send(
                "POST",
                "/services/register",
                Map.of("Origin", "https://evil.example", "Content-Type", "text/plain;charset=UTF-8"),
                REGISTRATION);
        isJsonError(text, 415, "unsupported_media_type");
        assertThat(text.json().getString("message"))
                .startsWith("content type text/plain;charset=UTF-8 is not accepted");

        Reply bare = send("POST", "/services/register", Map.of(), REGISTRATION);
        isJsonError(bare, 415, "unsupported_media_type");
        assertThat(bare.json().getString("message")).startsWith("a body without a content type is not accepted");
        assertThat(get("/services/evil", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void foreignOriginsAreRefusedEvenWithJson() throws Exception {
        start();
        Map<String, String> json = Map.of("Content-Type", "application/json", "Origin", "https://evil.example");
        Reply foreign = send("POST", "/services/register", json, REGISTRATION);
        isJsonError(foreign, 403, "forbidden");
        assertThat(foreign.json().getString("message"))
                .isEqualTo("origin https://evil.example is not allowed to change the admin API (allowed: " + own()
                        + ", http://localhost:" + baton.adminPort()
                        + ", https://ops.example.com, or list it in security.admin-origins)");

        Reply nullOrigin = send("POST", "/orchestrator/stop", Map.of("Origin", "null"), null);
        isJsonError(nullOrigin, 403, "forbidden");
        assertThat(nullOrigin.json().getString("message")).startsWith("origin null is not allowed");

        Reply otherPort = send(
                "DELETE", "/services/orders", Map.of("Origin", "http://127.0.0.1:" + (baton.adminPort() + 1)), null);
        isJsonError(otherPort, 403, "forbidden");

        Reply crossSite = send("POST", "/orchestrator/stop", Map.of("Sec-Fetch-Site", "cross-site"), null);
        isJsonError(crossSite, 403, "forbidden");
        assertThat(crossSite.json().getString("message"))
                .startsWith("a cross-site request (Sec-Fetch-Site: cross-site) may not change the admin API");

        Reply ownButCrossSite =
                send("POST", "/orchestrator/stop", Map.of("Origin", own(), "Sec-Fetch-Site", "cross-site"), null);
        isJsonError(ownButCrossSite, 403, "forbidden");
        assertThat(ownButCrossSite.json().getString("message")).startsWith("a cross-site request");
        assertThat(orchestrator()).isEqualTo("RUNNING");
        assertThat(get("/services/evil", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void theAdminsOwnOriginListedOriginsAndToolsPass() throws Exception {
        start();
        Reply same = send(
                "POST",
                "/services/register",
                Map.of(
                        "Content-Type",
                        "application/json; charset=utf-8",
                        "Origin",
                        own(),
                        "Sec-Fetch-Site",
                        "same-origin"),
                REGISTRATION);
        assertThat(same.status()).as(same.body()).isEqualTo(201);
        Reply localhost =
                send("DELETE", "/services/evil", Map.of("Origin", "http://localhost:" + baton.adminPort()), null);
        assertThat(localhost.status()).as(localhost.body()).isEqualTo(204);

        Reply listed = send(
                "POST",
                "/orchestrator/stop",
                Map.of("Origin", "https://OPS.example.com:443", "Sec-Fetch-Site", "cross-site"),
                null);
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        Reply curl = send("POST", "/orchestrator/start", Map.of(), null);
        assertThat(curl.status())
                .as("no body and no content type, as curl -X POST sends")
                .isEqualTo(200);
        Reply script =
                send("POST", "/services/register", Map.of("Content-Type", "application/vnd.baton+json"), REGISTRATION);
        assertThat(script.status()).as(script.body()).isEqualTo(201);
        assertThat(orchestrator()).isEqualTo("RUNNING");
    }

    @Test
    void readingWithAForeignOriginIsLeftToTheHostRuleAndCors() throws Exception {
        start();
        Reply read = get("/services", Map.of("Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"));
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.headers()).doesNotContainKey("access-control-allow-origin");
    }

    @Test
    void aRebindingHostIsMisdirected() throws Exception {
        start();
        int port = baton.adminPort();
        for (String path : new String[] {"/config", "/health", "/services"}) {
            Reply r = get(path, Map.of("Host", "evil.example:" + port));
            isJsonError(r, 421, "misdirected_request");
            assertThat(r.json().getString("message"))
                    .isEqualTo(
                            "host evil.example:" + port + " is not this admin API's address (allowed: 127.0.0.1,"
                                    + " localhost, baton-admin.internal, ops.internal:7000, or list it in security.admin-hosts)");
        }
        isJsonError(
                send(
                        "POST",
                        "/orchestrator/stop",
                        Map.of("Host", "evil.example", "Origin", "http://evil.example"),
                        null),
                421,
                "misdirected_request");
        assertThat(orchestrator()).isEqualTo("RUNNING");
        isJsonError(get("/status", Map.of("Host", "ops.internal:7001")), 421, "misdirected_request");
        isJsonError(get("/status", Map.of("Host", "10.1.2.3:" + port)), 421, "misdirected_request");
        isJsonError(get("/status", Map.of("Host", "localhost.evil.example")), 421, "misdirected_request");

        for (String host : new String[] {
            "127.0.0.1:" + port,
            "127.0.0.1",
            "localhost:" + port,
            "LOCALHOST",
            "localhost:8000",
            "baton-admin.internal:" + port,
            "ops.internal:7000"
        }) {
            assertThat(get("/status", Map.of("Host", host)).status()).as(host).isEqualTo(200);
        }
    }

    @Test
    void aWildcardListenerAnswersAnyAddressButNoForeignName() throws Exception {
        start("0.0.0.0:0", "{}");
        assertThat(get("/health", Map.of("Host", "10.1.2.3:8080")).status())
                .as("a probe to a pod address")
                .isEqualTo(200);
        assertThat(get("/health", Map.of("Host", "[fd00::1]")).status()).isEqualTo(200);
        Reply name = get("/health", Map.of("Host", "evil.example"));
        isJsonError(name, 421, "misdirected_request");
        assertThat(name.json().getString("message")).contains("(allowed: an IP address, localhost, or list it");
        Reply own = send("POST", "/orchestrator/stop", Map.of("Origin", own()), null);
        assertThat(own.status()).as("the address the browser reached it at").isEqualTo(200);
        isJsonError(
                send("POST", "/orchestrator/start", Map.of("Origin", "http://10.1.2.3:" + baton.adminPort()), null),
                403,
                "forbidden");
    }

    @Test
    void everyRefusalIsCountedAsASecurityViolation() throws Exception {
        start();
        get("/health", Map.of("Host", "evil.example"));
        send("POST", "/orchestrator/stop", Map.of("Origin", "null"), null);
        send("POST", "/orchestrator/stop", Map.of("Sec-Fetch-Site", "cross-site"), null);
        send("POST", "/orchestrator/stop", Map.of("Content-Type", "text/plain"), "x");
        String metrics = get("/metrics", Map.of()).body();
        assertThat(metrics)
                .contains("orchestrator_security_violations_total{violation_type=\"admin_host\"} 1.0")
                .contains("orchestrator_security_violations_total{violation_type=\"admin_csrf\"} 2.0")
                .contains("orchestrator_security_violations_total{violation_type=\"admin_content_type\"} 1.0");
    }

    @Test
    void withAdminAuthAValidTokenDoesNotMakeACrossSiteRequestAcceptable() throws Exception {
        start("127.0.0.1:0", "{ jwt: { secret: \"0123456789abcdef0123456789abcdef\" }, admin-auth: true }");
        String token = dev.baton.security.Tokens.issue(
                "0123456789abcdef0123456789abcdef",
                "roles",
                java.util.List.of("admin"),
                "ops",
                java.util.Optional.empty(),
                java.time.Duration.ofMinutes(5),
                java.time.Instant.now());
        Map<String, String> bearer = Map.of("Authorization", "Bearer " + token);
        assertThat(send("POST", "/orchestrator/stop", bearer, null).status()).isEqualTo(200);
        assertThat(send("POST", "/orchestrator/start", bearer, null).status()).isEqualTo(200);
        Map<String, String> foreign = new LinkedHashMap<>(bearer);
        foreign.put("Origin", "https://evil.example");
        isJsonError(send("POST", "/orchestrator/stop", foreign, null), 403, "forbidden");
        isJsonError(
                send("POST", "/orchestrator/stop", Map.of("Origin", "https://evil.example"), null),
                403,
                "forbidden"); // refused before auth: a page learns nothing about tokens
        isJsonError(get("/health", Map.of("Host", "evil.example")), 421, "misdirected_request");
    }

    @Test
    void theListsFollowAReload() throws Exception {
        start("127.0.0.1:0", "{}");
        Map<String, String> dash = Map.of("Origin", "https://dash.example.com");
        isJsonError(send("POST", "/orchestrator/stop", dash, null), 403, "forbidden");
        isJsonError(get("/status", Map.of("Host", "dash.internal")), 421, "misdirected_request");
        Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                security: { admin-origins: [ "https://dash.example.com" ], admin-hosts: [ dash.internal ] }
                services: { orders: { instances: [ "http://127.0.0.1:9101" ] } }
                """.formatted(dir.resolve("data")));
        assertThat(send("POST", "/config/reload", Map.of(), null).status()).isEqualTo(200);
        assertThat(send("POST", "/orchestrator/stop", dash, null).status()).isEqualTo(200);
        assertThat(get("/status", Map.of("Host", "dash.internal")).status()).isEqualTo(200);
    }

    @Test
    void malformedEntriesStopTheGatewayFromStartingWithFileAndLine() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), """
                services: {}
                security:
                  admin-origins: [ "https://ops.example.com/dashboard" ]
                  admin-hosts: [ "https://ops.example.com" ]
                """);
        assertThatThrownBy(() -> Baton.builder().configFile(file).watch(false).build())
                .isInstanceOfSatisfying(
                        ConfigException.class,
                        e -> assertThat(e.errors().stream().map(ConfigError::toString))
                                .containsExactly(
                                        file
                                                + ":3: security.admin-origins: 'https://ops.example.com/dashboard' is not an origin"
                                                + " (expected scheme://host[:port] with nothing after it, e.g. https://ops.example.com)",
                                        file
                                                + ":4: security.admin-hosts: 'https://ops.example.com' is a URL, not a host"
                                                + " (expected a host name or address, optionally with :port, e.g. admin.example.com:9090)"));
    }
}
