package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import picocli.CommandLine;

/**
 * The dashboard with {@code admin-auth}: a person signs in with a token from
 * {@code baton token}, which the browser keeps in an HttpOnly cookie; what the
 * token's role may not do, the page does not offer and the server refuses.
 */
class DashboardLoginTest {
    static Vertx vertx;
    static TestUpstream api;

    @TempDir
    Path dir;

    Path file;
    Baton baton;
    Browser browser;

    @BeforeAll
    static void upstream() {
        Browser.requireInstalled();
        vertx = Vertx.vertx();
        api = TestUpstream.start(vertx, req -> req.response().end("api"));
    }

    @AfterAll
    static void closeUpstream() throws Exception {
        api.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start(@TempDir Path profile, TestInfo test) throws Exception {
        file = Files.writeString(dir.resolve("baton.yaml"), """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                security:
                  jwt: { secret: "0123456789abcdef0123456789abcdef" }
                  admin-auth: true
                services:
                  api: { instances: [ "%s" ], circuit-breaker: { minimum-calls: 5 } }
                routes:
                  - { path: /api/**, service: api }
                """.formatted(dir.resolve("data"), api.url()));
        baton = Baton.builder().configFile(file).watch(false).build().start();
        browser = new Browser(profile, test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            browser.close();
        } finally {
            baton.close();
        }
    }

    /** What `baton token -c FILE --role ROLE` prints. */
    String token(String role) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("token", "-c", file.toString(), "--role", role, "--sub", "ana", "--ttl", "10m"))
                .isZero();
        return out.toString().trim();
    }

    String url(String path) {
        return "http://127.0.0.1:" + baton.adminPort() + path;
    }

    void signIn(String token) {
        var page = browser.driver();
        page.get(url("/"));
        await().atMost(Duration.ofSeconds(10)).until(() -> page.getTitle().equals("Baton · Sign in"));
        var field = page.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        page.findElement(By.cssSelector("form.login button")).click();
    }

    @Test
    void anAdminSignsInUsesTheControlsAndSignsOut() throws Exception {
        signIn("not-a-token");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(browser.text("form.login output.result")).startsWith("this token is not accepted"));
        assertThat(browser.driver().getTitle()).isEqualTo("Baton · Sign in");
        browser.consoleErrors(); // the refused sign-in's 401 is in the console, as it should be

        signIn(token("admin"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.driver().getTitle().equals("Baton · Overview"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text("tr[data-service='api'] .status"))
                        .isNotEmpty());
        browser.driver().get(url("/ui/services/api"));
        browser.driver()
                .findElement(By.xpath("//button[normalize-space()='Breaker: open']"))
                .click();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text("output.result")).isEqualTo("Breaker: open: done"));
        var audit = call("GET", "/audit", "Bearer " + token("admin"), null);
        assertThat(audit.body()).contains("/services/api/circuit-breaker/open").contains("\"ana\"");
        assertThat(browser.consoleErrors()).isEmpty();

        browser.driver().findElement(By.cssSelector("button.signout")).click();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.driver().getTitle().equals("Baton · Sign in"));
        browser.driver().get(url("/ui/services/api"));
        assertThat(browser.driver().getTitle()).as("signed out").isEqualTo("Baton · Sign in");
    }

    @Test
    void aReadonlyCallerSeesNoControlsAndTheServerRefusesThemAnyway() throws Exception {
        signIn(token("readonly"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.driver().getTitle().equals("Baton · Overview"));
        browser.driver().get(url("/ui/services/api"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text("#service-live")).contains("Instances"));
        assertThat(browser.driver().findElements(By.cssSelector("main button"))).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();

        // What the page would have sent, with the browser's own cookies and CSRF token.
        String cookies = browser.driver().manage().getCookies().stream()
                .map(c -> c.getName() + "=" + c.getValue())
                .reduce((a, b) -> a + "; " + b)
                .orElseThrow();
        String csrf = browser.driver().manage().getCookieNamed("baton_csrf").getValue();
        var refused =
                send("POST", "/services/api/circuit-breaker/open", List.of("cookie", cookies, "x-csrf-token", csrf));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(new JsonObject(refused.body()).getString("error")).isEqualTo("forbidden");
        assertThat(send("GET", "/ui/audit", List.of("cookie", cookies)).statusCode())
                .as("the audit page needs audit:read, as GET /audit does")
                .isEqualTo(403);
        assertThat(send("GET", "/ui/config", List.of("cookie", cookies)).statusCode())
                .isEqualTo(200);
    }

    @Test
    void anotherSitesPageCannotUseTheSignedInBrowser() throws Exception {
        signIn(token("admin"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.driver().getTitle().equals("Baton · Overview"));
        String target = url("/services/api/circuit-breaker/open");
        // A page on another origin (localhost is another site than 127.0.0.1) that tries
        // both ways a page can: a form posted at once, and a fetch with the cookies.
        TestUpstream evil = TestUpstream.start(
                vertx,
                req -> req.response()
                        .putHeader("content-type", "text/html")
                        .end("<!doctype html><html><body><iframe name=\"sink\"></iframe>"
                                + "<form id=\"f\" method=\"post\" target=\"sink\" enctype=\"text/plain\" action=\""
                                + target + "\"><input name=\"a\" value=\"b\"></form><script>"
                                + "document.getElementById('f').submit();"
                                + "fetch('" + target + "', {method: 'POST', credentials: 'include',"
                                + " headers: {'Content-Type': 'application/json'}, body: '{}'})"
                                + ".then(function () { document.title = 'sent'; }, function () { document.title = 'blocked'; });"
                                + "</script></body></html>"));
        try {
            browser.driver().get(evil.url().toString().replace("127.0.0.1", "localhost") + "/");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> browser.driver().getTitle().equals("blocked"));
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(call("GET", "/metrics", "Bearer " + token("admin"), null)
                                    .body())
                            .contains("violation_type=\"admin_content_type\"} 1.0"));
            var api = call("GET", "/services/api", "Bearer " + token("admin"), null);
            assertThat(new JsonObject(api.body())
                            .getJsonObject("circuitBreaker")
                            .getString("state"))
                    .as("neither the form nor the fetch changed anything")
                    .isEqualTo("CLOSED");
        } finally {
            evil.close();
        }
    }

    @Test
    void theSessionCookieIsHttpOnlyStrictAndChangesNeedTheCsrfToken() throws Exception {
        var login = send(
                "POST",
                "/ui/login",
                List.of("content-type", "application/json"),
                new JsonObject().put("token", token("admin")).encode());
        assertThat(login.statusCode()).isEqualTo(204);
        String cookie = login.headers().allValues("set-cookie").stream()
                .filter(c -> c.startsWith("baton_session="))
                .findFirst()
                .orElseThrow();
        assertThat(cookie)
                .containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict")
                .contains("Path=/");
        String session = cookie.substring(0, cookie.indexOf(';'));

        assertThat(send("GET", "/services", List.of("cookie", session)).statusCode())
                .as("the cookie reads like a token")
                .isEqualTo(200);
        var noCsrf = send("POST", "/services/api/circuit-breaker/reset", List.of("cookie", session));
        assertThat(noCsrf.statusCode()).as("a change by cookie alone").isEqualTo(403);
        assertThat(noCsrf.body()).contains("CSRF token");
        var withCsrf = send(
                "POST",
                "/services/api/circuit-breaker/reset",
                List.of("cookie", session + "; baton_csrf=abc", "x-csrf-token", "abc"));
        assertThat(withCsrf.statusCode()).isEqualTo(200);

        var crossSite = send(
                "POST",
                "/ui/login",
                List.of("content-type", "application/json", "origin", "https://evil.example"),
                new JsonObject().put("token", token("admin")).encode());
        assertThat(crossSite.statusCode()).as("signing in from another site").isEqualTo(403);
        var form = send("POST", "/ui/login", List.of("content-type", "application/x-www-form-urlencoded"), "token=x");
        assertThat(form.statusCode()).as("a form post").isEqualTo(415);
        var wrong = send("POST", "/ui/login", List.of("content-type", "application/json"), "{\"token\": \"x\"}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().allValues("set-cookie")).noneMatch(c -> c.startsWith("baton_session="));
        var garbage = send("POST", "/ui/login", List.of("content-type", "application/json"), "[1,");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(garbage.body()).getString("message")).contains("token");

        assertThat(send("GET", "/", List.of()).statusCode())
                .as("a browser without a session")
                .isEqualTo(302);
        assertThat(send("GET", "/ui/services/api/live", List.of("hx-request", "true"))
                        .statusCode())
                .as("a part a page fetches: 401, and its script signs in")
                .isEqualTo(401);
        var stale = send("GET", "/", List.of("cookie", "baton_session=stale"));
        assertThat(stale.statusCode()).isEqualTo(302);
        assertThat(stale.headers().allValues("set-cookie"))
                .as("a cookie no longer accepted is forgotten")
                .anyMatch(c -> c.startsWith("baton_session=;") && c.contains("Max-Age=0"));
    }

    HttpResponse<String> call(String method, String path, String authorization, String body) throws Exception {
        return send(method, path, List.of("authorization", authorization), body);
    }

    HttpResponse<String> send(String method, String path, List<String> headers) throws Exception {
        return send(method, path, headers, null);
    }

    HttpResponse<String> send(String method, String path, List<String> headers, String body) throws Exception {
        return Calls.send(baton.adminPort(), method, path, body, headers.toArray(String[]::new));
    }
}
