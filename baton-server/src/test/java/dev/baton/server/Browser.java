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
