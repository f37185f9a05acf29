package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

/**
 * The dashboard in a real browser: Debian's chromium, headless, through
 * chromium-driver ({@code .ci/run} installs both). Each test saves a screenshot
 * under {@code target/screenshots/}, and none may leave an error in the console (a
 * script the page's policy refused, a failed request).
 */
class DashboardBrowserTest {
    static Vertx vertx;
    static TestUpstream db;
    static TestUpstream api;
    static final AtomicBoolean dbUp = new AtomicBoolean(true);

    @TempDir
    Path dir;

    Baton baton;
    Browser browser;

    @BeforeAll
    static void upstreams() {
        Browser.requireInstalled();
        vertx = Vertx.vertx();
        db = TestUpstream.start(vertx, req -> {
            if (req.path().equals("/health") && !dbUp.get()) {
                req.response().setStatusCode(503).end("down");
            } else {
                req.response().end("db");
            }
        });
        api = TestUpstream.start(vertx, req -> req.response().end("api " + req.path()));
    }

    @AfterAll
    static void closeUpstreams() throws Exception {
        db.close();
        api.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void start(@TempDir Path profile, TestInfo test) throws Exception {
        dbUp.set(true);
        Path file = dir.resolve("baton.yaml");
        Files.writeString(file, """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  api:
                    type: core
                    instances: [ "%s" ]
                    depends-on: [db]
                    circuit-breaker: { minimum-calls: 5, open-duration: 30s }
                  db:
                    instances: [ "%s" ]
                    health-check: { path: /health, interval: 100ms, unhealthy-threshold: 1, healthy-threshold: 1 }
                routes:
                  - { path: /api/**, service: api }
                """.formatted(dir.resolve("data"), api.url(), db.url()));
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

    String url(String path) {
        return "http://127.0.0.1:" + baton.adminPort() + path;
    }

    String statusOf(String service) {
        return browser.text("tr[data-service='" + service + "'] .status");
    }

    @Test
    void theOverviewListsTheServicesAndFollowsTheirHealthWithoutAReload() {
        browser.driver().get(url("/"));
        assertThat(browser.driver().getTitle()).isEqualTo("Baton · Overview");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(statusOf("db")).isEqualTo("✓ HEALTHY"));
        assertThat(browser.driver().findElements(By.cssSelector("svg.map g.node")))
                .extracting(e -> e.getAttribute("data-service"))
                .contains("api", "db");
        assertThat(browser.driver().findElements(By.cssSelector("svg.map path.edge")))
                .hasSize(2); // gateway→api, api→db
        // A mark that a reload would wipe: the page must change in place.
        browser.js("window.batonTestMark = 42;");

        dbUp.set(false);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(statusOf("db")).isEqualTo("✕ UNHEALTHY"));
        assertThat(browser.driver()
                        .findElement(By.cssSelector("svg.map g.node[data-service='db']"))
                        .getAttribute("class"))
                .contains("unhealthy");
        dbUp.set(true);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(statusOf("db")).isEqualTo("✓ HEALTHY"));
        assertThat(browser.js("return window.batonTestMark;"))
                .as("no full page reload")
                .isEqualTo(42L);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void theSparklinesDrawTheTraffic() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(Calls.get(baton.proxyPort(), "/api/x").statusCode()).isEqualTo(200);
        }
        browser.driver().get(url("/"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                browser.driver().findElements(By.cssSelector("tr[data-service='api'] .spark canvas")))
                        .hasSize(3));
        // The last minute's numbers count whole seconds: the feed shows these once theirs is over.
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(browser.js("var c = document.querySelector(\"tr[data-service='api'] td.num\");"
                                        + " return c ? c.textContent : '';"))
                                .isNotEqualTo("0.0")
                                .isNotEqualTo(""));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void opening_a_breaker_from_a_service_page_is_an_audited_api_call() throws Exception {
        browser.driver().get(url("/"));
        // Found and clicked in one script: the live feed may swap the row in between two calls.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Boolean.TRUE.equals(
                        browser.js("var a = document.querySelector(\"tr[data-service='api'] th a\");"
                                + " if (a) { a.click(); } return !!a;")));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.driver().getTitle().equals("Baton · api"));
        assertThat(browser.driver().findElement(By.cssSelector("#service-live")).getText())
                .contains("Instances")
                .contains("Routes into it")
                .contains("/api/**");
        browser.driver()
                .findElement(By.xpath("//button[normalize-space()='Breaker: open']"))
                .click();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(
                                new io.vertx.core.json.JsonObject(Calls.get(baton.adminPort(), "/services/api")
                                                .body())
                                        .getJsonObject("circuitBreaker")
                                        .getString("state"))
                        .isEqualTo("FORCED_OPEN"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.driver()
                                .findElement(By.cssSelector("output.result"))
                                .getText())
                        .isEqualTo("Breaker: open: done"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(Calls.get(baton.adminPort(), "/audit").body())
                                .contains("/services/api/circuit-breaker/open")
                                .contains("FORCED_OPEN"));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void theOverviewWorksFromTheKeyboard() {
        browser.driver().get(url("/"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(statusOf("api")).isNotEmpty());
        // The live feed swaps the overview in whenever it changes, and a swap takes the
        // focused link away: walk again from the top when it did so under the keys.
        for (int walk = 0; ; walk++) {
            try {
                java.util.List<String> reached = new java.util.ArrayList<>();
                for (int i = 0; i < 20 && !reached.contains("table:api"); i++) {
                    // Keys to the page, not to an element a live swap may have replaced.
                    new org.openqa.selenium.interactions.Actions(browser.driver())
                            .sendKeys(org.openqa.selenium.Keys.TAB)
                            .perform();
                    reached.add(String.valueOf(browser.js("var e = document.activeElement;"
                            + " if (e.closest('svg')) { return 'map:' + e.getAttribute('href'); }"
                            + " if (e.closest('table')) { return 'table:' + e.textContent; }"
                            + " return e.tagName + ':' + e.textContent;")));
                }
                assertThat(reached)
                        .contains("A:Routes", "A:Config", "map:/ui/services/api", "map:/ui/services/db", "table:api");
                new org.openqa.selenium.interactions.Actions(browser.driver())
                        .sendKeys(org.openqa.selenium.Keys.ENTER)
                        .perform();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> browser.driver().getTitle().equals("Baton · api"));
                return;
            } catch (org.openqa.selenium.StaleElementReferenceException
                    | org.awaitility.core.ConditionTimeoutException e) {
                if (walk >= 3) {
                    throw e;
                }
                browser.driver().get(url("/"));
            }
        }
    }

    @Test
    void aServicePageShowsEachInstancesLastChecks() {
        browser.driver().get(url("/ui/services/db"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text("#service-live td.checks"))
                        .startsWith("✓")
                        .contains("s ago"));
        dbUp.set(false);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text("#service-live td.checks"))
                        .startsWith("✕")
                        .contains("503"));
        dbUp.set(true);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aChangeWithTheDashboardsCookieButNotItsTokenIsRefused() throws Exception {
        var page = Calls.get(baton.adminPort(), "/");
        String cookie = page.headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie)
                .startsWith("baton_csrf=")
                .containsIgnoringCase("HttpOnly")
                .contains("SameSite=Strict");
        String value = cookie.substring("baton_csrf=".length(), cookie.indexOf(';'));
        var http = java.net.http.HttpClient.newHttpClient();
        java.util.function.Function<String, java.net.http.HttpRequest.Builder> post = token -> {
            var b = java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(url("/services/api/circuit-breaker/reset")))
                    .header("cookie", "baton_csrf=" + value)
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody());
            return token == null ? b : b.header("x-csrf-token", token);
        };
        var without = http.send(post.apply(null).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(without.statusCode()).isEqualTo(403);
        assertThat(without.body()).contains("CSRF token");
        var wrong = http.send(post.apply("nope").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(403);
        var right = http.send(post.apply(value).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(right.statusCode()).isEqualTo(200);
    }

    @Test
    void thePagesComeWithAPolicyThatAllowsNothingInline() throws Exception {
        var page = Calls.get(baton.adminPort(), "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("content-security-policy"))
                .hasValueSatisfying(p -> assertThat(p)
                        .contains("script-src 'self'")
                        .doesNotContain("unsafe-inline")
                        .doesNotContain("http"));
        assertThat(page.body()).doesNotContain("<script>").doesNotContain("style=");
        for (String asset : List.of("htmx.min.js", "sse.js", "uPlot.iife.min.js", "dashboard.js", "dashboard.css")) {
            assertThat(Calls.get(baton.adminPort(), "/ui/assets/" + asset).statusCode())
                    .as(asset)
                    .isEqualTo(200);
        }
        assertThat(Calls.get(baton.adminPort(), "/ui/assets/nope.js").statusCode())
                .isEqualTo(404);
        browser.driver().get(url("/"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(statusOf("api")).isNotEmpty());
        assertThat(browser.consoleErrors()).isEmpty();
        Map<?, ?> size = (Map<?, ?>) browser.js("return {w: document.documentElement.scrollWidth, h: 0};");
        assertThat(((Number) size.get("w")).intValue())
                .as("no sideways scroll at 1280")
                .isLessThanOrEqualTo(1280);
    }
}
