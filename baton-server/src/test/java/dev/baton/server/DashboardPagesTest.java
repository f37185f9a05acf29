package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.baton.testing.TestUpstream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
import org.openqa.selenium.Keys;

/**
 * The dashboard's operations pages in a real browser: routes with their search, the
 * live event feed and its type filter, alerts, dead letters with replay, the audit
 * log, and the config with reload and the last refused change. Every page is
 * checked for console errors and for fitting a phone's width.
 */
class DashboardPagesTest {
    static Vertx vertx;
    static TestUpstream api;
    static TestUpstream hooks;
    static final AtomicBoolean hooksUp = new AtomicBoolean(false);

    @TempDir
    Path dir;

    Path file;
    Baton baton;
    Browser browser;

    @BeforeAll
    static void upstreams() {
        Browser.requireInstalled();
        vertx = Vertx.vertx();
        api = TestUpstream.start(vertx, req -> req.response().end("api"));
        hooks = TestUpstream.start(
                vertx,
                req -> req.response().setStatusCode(hooksUp.get() ? 204 : 500).end());
    }

    @AfterAll
    static void closeUpstreams() throws Exception {
        api.close();
        hooks.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String config(String extraRoute) {
        return """
                server: { listen: 127.0.0.1:0, admin: 127.0.0.1:0, data-dir: %s }
                services:
                  api: { instances: [ "%s" ] }
                  billing: { instances: [ "%s" ] }
                  flaky: { instances: [ "%s" ] }
                routes:
                  - { id: api, path: /api/**, service: api, timeout: 5s }
                  - { id: billing, path: /billing/**, service: billing, methods: [GET, POST] }
                  - { id: later, path: /later/**, service: reports }
                %s
                sagas:
                  undo:
                    compensation-deadline: 1ms
                    steps:
                      - id: first
                        call: { service: api, path: /first }
                        compensate: { service: flaky, method: DELETE, path: "/first/{{saga.id}}" }
                      - id: second
                        call: { service: flaky, path: /second }
                        retry: { attempts: 1 }
                queues:
                  jobs: { max-attempts: 1 }
                topics:
                  orders: { subscriptions: { audit: { queue: jobs }, pulled: {} } }
                alerts:
                  - { name: api-errors, when: "error-rate(api) > 50%%", severity: page }
                events:
                  webhooks:
                    - { url: "%s/hook", types: [SERVICE_REGISTERED], backoff: 20ms, max-backoff: 20ms, max-attempts: 1 }
                """.formatted(dir.resolve("data"), api.url(), api.url(), hooks.url(), extraRoute, hooks.url());
    }

    @BeforeEach
    void start(@TempDir Path profile, TestInfo test) throws Exception {
        hooksUp.set(false);
        file = Files.writeString(dir.resolve("baton.yaml"), config(""));
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

    void open(String path, String title) {
        browser.driver().get(url(path));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.driver().getTitle().equals("Baton · " + title));
    }

    int visibleRows(String table) {
        return ((Number) browser.js(
                        "return Array.prototype.filter.call(document.querySelectorAll(arguments[0] + ' tbody tr'),"
                                + " function (r) { return !r.hidden; }).length;",
                        table))
                .intValue();
    }

    @Test
    void theRoutesPageListsEveryRouteAndFiltersAsOneTypes() {
        open("/ui/routes", "Routes");
        assertThat(visibleRows("table.routes")).isEqualTo(3);
        assertThat(browser.text("table.routes tr[data-search*='later']"))
                .as("a route to a service not registered yet")
                .contains("not registered");
        assertThat(browser.text("table.routes tr[data-search*='/api/']")).contains("timeout 5s");
        var search = browser.driver().findElement(By.id("route-search"));
        search.sendKeys("billing");
        await().atMost(Duration.ofSeconds(5)).until(() -> visibleRows("table.routes") == 1);
        assertThat(browser.text("form.search output.count")).isEqualTo("1 of 3");
        assertThat(browser.driver().getCurrentUrl()).endsWith("?q=billing");
        search.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        await().atMost(Duration.ofSeconds(5)).until(() -> visibleRows("table.routes") == 3);

        open("/ui/routes?q=timeout", "Routes");
        assertThat(visibleRows("table.routes"))
                .as("?q= filters on the server too")
                .isEqualTo(1);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void theEventFeedIsLiveAndFollowsTheTypesTicked() throws Exception {
        open("/ui/events", "Events");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> browser.text(".stream-state").equals("Live."));
        ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeScript("window.batonTestMark = 7;");
        assertThat(Calls.send(
                                baton.adminPort(),
                                "POST",
                                "/services/register",
                                "{\"id\":\"reports\",\"endpoint\":\"" + api.url() + "\"}")
                        .statusCode())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text("#event-rows tr:first-child"))
                        .contains("SERVICE_REGISTERED")
                        .contains("service=reports"));

        // Only config events now: the registration goes from the table, a reload comes in live.
        browser.js("document.querySelectorAll('#event-types input').forEach(function (b) {"
                + " b.checked = b.value.indexOf('CONFIG_') === 0; });"
                + " document.getElementById('event-types').dispatchEvent(new Event('change'));");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !browser.text("#event-rows").contains("SERVICE_REGISTERED"));
        assertThat(browser.driver().getCurrentUrl()).contains("types=CONFIG_RELOADED%2CCONFIG_REJECTED");
        assertThat(Calls.send(baton.adminPort(), "POST", "/config/reload", null).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(browser.text("#event-rows tr:first-child")).contains("CONFIG_RELOADED"));
        assertThat(browser.js("return window.batonTestMark;"))
                .as("no full page reload")
                .isEqualTo(7L);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aQueuesDeadLetterIsRedrivenFromItsPage() throws Exception {
        assertThat(Calls.send(baton.adminPort(), "POST", "/queues/jobs/messages", "{\"body\": {\"job\": 7}}")
                        .statusCode())
                .isEqualTo(201);
        String receipt = new JsonObject(Calls.send(baton.adminPort(), "POST", "/queues/jobs/receive", "")
                        .body())
                .getJsonArray("messages")
                .getJsonObject(0)
                .getString("receipt");
        Calls.send(
                baton.adminPort(),
                "POST",
                "/queues/jobs/nack",
                "{\"receipts\": [\"" + receipt + "\"], \"reason\": \"printer on fire\"}");
        open("/ui/queues", "Queues");
        await().atMost(Duration.ofSeconds(15)) // the store is counted every 5 seconds
                .untilAsserted(
                        () -> assertThat(browser.text("tr[data-queue='jobs']")).contains("1"));
        assertThat(browser.text("table.topics")).contains("orders").contains("pulled from");
        assertThat(browser.driver().findElements(By.cssSelector("tr[data-queue='jobs'] svg.queue-chart")))
                .hasSize(2);
        open("/ui/queues/jobs", "Queue jobs");
        assertThat(browser.text("table.dead-letters tbody"))
                .contains("nack: printer on fire")
                .contains("{\"job\":7}");
        browser.driver()
                .findElement(By.xpath("//table[contains(@class,'dead-letters')]//button[normalize-space()='Redrive']"))
                .click();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(browser.text("table.dead-letters tbody")).contains("No dead letters"));
        assertThat(new JsonObject(Calls.send(baton.adminPort(), "POST", "/queues/jobs/receive", "")
                                .body())
                        .getJsonArray("messages"))
                .hasSize(1);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aDeadLetterIsReplayedFromItsPageAndTheAuditLogSaysSo() throws Exception {
        assertThat(Calls.send(
                                baton.adminPort(),
                                "POST",
                                "/services/register",
                                "{\"id\":\"reports\",\"endpoint\":\"" + api.url() + "\"}")
                        .statusCode())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> new JsonArray(Calls.get(baton.adminPort(), "/events/dead-letters")
                                        .body())
                                .size()
                        == 1);
        open("/ui/dead-letters", "Dead letters");
        assertThat(browser.text("table.dead-letters tbody"))
                .contains("SERVICE_REGISTERED")
                .contains("500");
        hooksUp.set(true);
        browser.driver()
                .findElement(By.xpath("//button[normalize-space()='Replay']"))
                .click();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() ->
                        assertThat(browser.text("table.dead-letters tbody")).contains("No dead letters"));
        assertThat(new JsonArray(
                        Calls.get(baton.adminPort(), "/events/dead-letters").body()))
                .isEmpty();

        open("/ui/audit", "Audit");
        assertThat(browser.text("table.audit tbody"))
                .contains("POST /events/dead-letters/")
                .contains("POST /services/register")
                .contains("from 127.0.0.1");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void theConfigPageReloadsAndShowsWhyAChangeWasRefused() throws Exception {
        open("/ui/config", "Config");
        assertThat(browser.text("pre.config")).contains("\"billing\"");
        assertThat(browser.text("#config-state")).contains("No change of the config file has been refused");

        Files.writeString(file, config("  - { id: broken, path: nope, service: api }"));
        browser.driver()
                .findElement(By.xpath("//button[normalize-space()='Reload from file']"))
                .click();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text(".controls output.result"))
                        .startsWith("Reload from file: invalid config"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(browser.text("#config-state"))
                        .contains("Last refused change")
                        .contains("baton.yaml:")
                        .contains("routes[3].path")
                        .contains("the last good config below is still serving"));
        assertThat(Calls.get(baton.adminPort(), "/config/rejected").body()).contains("routes[3].path");
        assertThat(browser.consoleErrors())
                .as("only the refused reload's 400")
                .allMatch(e -> e.contains("/config/reload") && e.contains("400"));

        Files.writeString(file, config(""));
        browser.driver()
                .findElement(By.xpath("//button[normalize-space()='Reload from file']"))
                .click();
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(browser.text("#config-state")).contains("1 config has been applied since"));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void everyPageHasTheNavigationNoConsoleErrorsAndFitsAPhone() {
        List<String> pages = List.of(
                "/",
                "/ui/services/api",
                "/ui/routes",
                "/ui/events",
                "/ui/alerts",
                "/ui/dead-letters",
                "/ui/audit",
                "/ui/config",
                "/ui/queues",
                "/ui/queues/jobs");
        browser.size(390, 844);
        for (String page : pages) {
            browser.driver().get(url(page));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> browser.js("return document.readyState").equals("complete"));
            assertThat(browser.driver().findElements(By.cssSelector("header nav a")))
                    .as(page)
                    .extracting(e -> e.getText())
                    .containsExactly(
                            "Overview",
                            "Routes",
                            "Sagas",
                            "Queues",
                            "Events",
                            "Alerts",
                            "Dead letters",
                            "Audit",
                            "Config",
                            "API");
            int width = ((Number) browser.js("return document.documentElement.scrollWidth;")).intValue();
            assertThat(width)
                    .as(page + ": no sideways scroll of the page at phone width")
                    .isLessThanOrEqualTo(390);
            assertThat(browser.consoleErrors()).as(page).isEmpty();
            assertThat(browser.lowContrast())
                    .as(page + ": text below WCAG AA's 4.5:1")
                    .isEmpty();
        }
        open("/ui/alerts", "Alerts");
        assertThat(browser.text("table.alerts tr[data-alert='api-errors']"))
                .contains("INACTIVE")
                .contains("page");
    }

    @Test
    void aStuckSagaIsRetriedFromItsPageAndItsTrailIsATimeline() throws Exception {
        var started = Calls.send(baton.adminPort(), "POST", "/sagas/undo", "{}");
        assertThat(started.statusCode()).isEqualTo(201);
        String id = new io.vertx.core.json.JsonObject(started.body()).getString("id");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> new io.vertx.core.json.JsonObject(
                                Calls.get(baton.adminPort(), "/sagas/" + id).body())
                        .getString("state")
                        .equals("STUCK"));
        open("/ui/sagas", "Sagas");
        assertThat(browser.text("table.sagas tr[data-saga='" + id + "']"))
                .contains("STUCK")
                .contains("undo v1");
        hooksUp.set(true);
        browser.driver()
                .findElement(org.openqa.selenium.By.cssSelector("tr[data-saga='" + id + "'] button"))
                .click();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> new io.vertx.core.json.JsonObject(
                                Calls.get(baton.adminPort(), "/sagas/" + id).body())
                        .getString("state")
                        .equals("COMPENSATED"));
        open("/ui/sagas/" + id, "Saga " + id);
        assertThat(browser.text("table.saga-steps tr[data-step='first']")).contains("COMPENSATED");
        assertThat(browser.text("ol.timeline"))
                .contains("compensating: step second failed after 1 attempts")
                .contains("stuck: the compensation of step first")
                .contains("retried by an operator")
                .contains("compensated");
        assertThat(browser.consoleErrors()).allMatch(e -> e.contains("/sagas/") && e.contains("409") || e.isEmpty());
    }
}
