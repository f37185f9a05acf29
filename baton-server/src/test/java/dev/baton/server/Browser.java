package dev.baton.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Level;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * A headless Chromium for the dashboard's tests: Debian's chromium through
 * chromium-driver ({@code .ci/run} installs both), with a fresh profile, its
 * console kept so a test can say that nothing failed, and a screenshot saved
 * under {@code target/screenshots/} when it closes.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private final ChromeDriver driver;
    private final String screenshot;

    /** Fails at once, naming what is missing, when the browser is not installed. */
    static void requireInstalled() {
        for (Path p : List.of(CHROMIUM, DRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(
                        p + " is missing: apt-get install -y chromium chromium-driver (.ci/run does)");
            }
        }
    }

    /**
     * @param profile an empty directory for the browser's profile
     * @param screenshot the name of the PNG saved at close
     */
    Browser(Path profile, String screenshot) {
        requireInstalled();
        this.screenshot = screenshot;
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM.toFile())
                .addArguments(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--no-first-run",
                        "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        size(1280, 800);
    }

    WebDriver driver() {
        return driver;
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Runs a script in the page: read a live-swapped part in one go, since it may change between calls. */
    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** The text of the first element matching {@code css}, or "" when there is none (read in one script). */
    String text(String css) {
        return String.valueOf(js("var e = document.querySelector(arguments[0]); return e ? e.textContent : '';", css));
    }

    /** Visible text whose colour against its background is below 4.5:1, as "text: ratio". */
    @SuppressWarnings("unchecked")
    List<String> lowContrast() {
        return (List<String>) js("""
                function rgb(c) { var m = c.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : m.concat([1]); }
                function lum(c) {
                  var v = c.slice(0, 3).map(function (x) { x /= 255;
                    return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
                  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
                }
                function background(el) {
                  for (; el; el = el.parentElement) {
                    var b = rgb(getComputedStyle(el).backgroundColor);
                    if (b[3] > 0) { return b; }
                  }
                  return [255, 255, 255, 1];
                }
                var out = [];
                document.querySelectorAll('body *').forEach(function (el) {
                  var own = Array.prototype.some.call(el.childNodes, function (n) {
                    return n.nodeType === 3 && n.textContent.trim(); });
                  if (!own || !el.getClientRects().length || el.closest('svg')) { return; }
                  var a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
                  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
                  if (ratio < 4.5) { out.push(el.textContent.trim().slice(0, 40) + ': ' + ratio.toFixed(2)); }
                });
                return out;
                """);
    }

    /** The console's errors since the last call: a refused script, a failed request. */
    List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .toList();
    }

    @Override
    public void close() throws Exception {
        try {
            Path shots = Path.of("target", "screenshots");
            Files.createDirectories(shots);
            Files.write(
                    shots.resolve(screenshot + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } finally {
            driver.quit();
        }
    }
}
