package dev.baton.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;

/**
 * The dashboard over the shipped demo, as a newcomer sees it: the overview lists
 * the demo's services with their states, and a demo process killed with SIGKILL
 * turns its service's node degraded, then healthy again once Baton has restarted
 * it, without a reload. Its screenshot is the README's: run with
 * {@code -Dbaton.screenshots.docs=true} to write it to {@code docs/dashboard.png}.
 */
class DashboardDemoTest {
    @TempDir
    Path dir;

    @TempDir
    Path profile;

    @Test
    void theOverviewFollowsADemoProcessKilledAndRestarted() throws Exception {
        Browser.requireInstalled();
        try (Baton baton = Baton.builder()
                        .configFile(DemoTest.demoConfig(dir))
                        .env(Main.environment())
                        .build()
                        .start();
                Browser browser = new Browser(profile, "theOverviewFollowsADemoProcessKilledAndRestarted")) {
            assertThat(baton.awaitReady(Duration.ofSeconds(60))).isEmpty();
            for (int i = 0; i < 20; i++) {
                Calls.get(baton.proxyPort(), "/api/orders"); // some traffic for the numbers
            }
            browser.driver().get("http://127.0.0.1:" + baton.adminPort() + "/");
            for (String s : new String[] {"orders", "inventory"}) {
                await().atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(status(browser, s)).isEqualTo("✓ HEALTHY"));
            }
            assertThat(browser.driver().findElements(By.cssSelector("svg.map g.node")))
                    .extracting(e -> e.getAttribute("data-service"))
                    .contains("orders", "inventory");
            assertThat(browser.lowContrast()).as("text below WCAG AA's 4.5:1").isEmpty();
            browser.js("window.batonTestMark = 1;");

            long pid = new JsonObject(
                            Calls.get(baton.adminPort(), "/services/inventory").body())
                    .getJsonArray("instances")
                    .getJsonObject(0)
                    .getJsonObject("process")
                    .getLong("pid");
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(
                            () -> assertThat(status(browser, "inventory")).isIn("! DEGRADED", "✕ UNHEALTHY"));
            assertThat(browser.driver()
                            .findElement(By.cssSelector("svg.map g.node[data-service='inventory']"))
                            .getAttribute("class"))
                    .containsAnyOf("degraded", "unhealthy");
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () -> assertThat(status(browser, "inventory")).isEqualTo("✓ HEALTHY"));
            assertThat(browser.js("return window.batonTestMark;"))
                    .as("no full page reload")
                    .isEqualTo(1L);
            assertThat(browser.consoleErrors()).isEmpty();

            if (Boolean.getBoolean("baton.screenshots.docs")) {
                Path shot = Files.createTempFile(dir, "overview", ".png");
                Files.write(shot, ((TakesScreenshot) browser.driver()).getScreenshotAs(OutputType.BYTES));
                Files.move(shot, Path.of("..", "docs", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static String status(Browser browser, String service) {
        return browser.text("tr[data-service='" + service + "'] .status");
    }
}
