package io.acqswitch.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.acqswitch.sim.IssuerStub;
import io.acqswitch.sim.LedgerEntry;
import io.acqswitch.sim.StubRules;
import io.acqswitch.sim.TerminalClient;
import io.acqswitch.sim.TerminalMessages;
import io.acqswitch.support.Await;
import io.acqswitch.support.Rig;
import io.acqswitch.support.TempFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;
import org.jpos.iso.ISOMsg;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console in a real browser (Debian's headless chromium through chromedriver) in front of a
 * real switch and issuer stub: an operator logs in, finds a sale, its duplicate, its void and a
 * timed-out sale, reads their timelines, requeues the timed-out sale's expired reversal (the
 * issuer's ledger then shows it reversed) and sees the audit line, and runs a reconciliation on
 * the stub's ledger export. No page ever holds the full PAN. Screenshots of the main pages go to
 * target/console-screenshots (see {@link #shot}). Skipped, saying why, when chromium or chromedriver is not installed.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String TOKEN = "browser-test-token-0123";
    private static final String PAN = "4761739001010010";
    private static final String TID = "TERM0042";
    private static final String MID = "MERCHANT0000042";

    private final List<String> sources = new ArrayList<>();
    private WebDriver browser;
    private String base;

    @Test
    void shouldLetAnOperatorFollowEveryTransactionRequeueAReversalAndReconcile() throws Exception {
        Assumptions.assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "browser tests skipped: " + CHROMIUM + " or " + CHROMEDRIVER + " is missing "
                        + "(apt-get install chromium chromium-driver; .ci/run does it)");
        Path profile = TempFiles.newDir("chromium-profile");
        try (IssuerStub stub = new IssuerStub("stub", "127.0.0.1", 0, StubRules.approveAll()).start()) {
            Path data = TempFiles.newDir("rig");
            List<String> hosts = List.of("127.0.0.1:" + stub.port());
            String yaml = Rig.yaml(hosts, 400, data)
                    .replace("http: {port: 0}", "http: {port: 0, token: " + TOKEN + "}")
                    .replace("saf: {firstRetry: 100ms, maxRetry: 400ms}", "saf: {firstRetry: 100ms, maxRetry: 200ms, expiry: 800ms}");
            try (Rig rig = Rig.start(stub, hosts, yaml, data); TerminalClient t = rig.terminal()) {
                base = "http://127.0.0.1:" + rig.node.httpPort() + "/console";
                // a sale, the same request again (a duplicate), and a void of the sale
                ISOMsg sale = TerminalMessages.sale(PAN, 1500, "000101", TID, MID);
                ISOMsg approved = t.exchange(sale);
                assertEquals("00", approved.getString(39));
                String saleRrn = approved.getString(37);
                ISOMsg again = t.exchange(sale);
                assertEquals(saleRrn, again.getString(37), "the duplicate is answered from the record");
                ISOMsg voided = t.exchange(TerminalMessages.voidOf(PAN, 1500, saleRrn, approved.getString(38), "000102", TID, MID));
                assertEquals("00", voided.getString(39));
                String voidRrn = voided.getString(37);
                rig.await("the void's reversal reached the issuer", () -> rig.ledger(saleRrn).map(LedgerEntry::reversed)
                        .orElse(false), Duration.ofSeconds(10));
                // a sale the issuer never answers, whose reversals it ignores until the SAF gives up
                stub.setRules(StubRules.parse("withholdAmountSuffixes: ['77']\nignoreReversals: 100000\n"));
                ISOMsg late = t.exchange(TerminalMessages.sale(PAN, 777, "000103", TID, MID));
                assertEquals("68", late.getString(39), "the issuer timed out");
                String timeoutRrn = late.getString(37);
                rig.await("the timeout's reversal expired", () -> rig.counted("switch_reversals_expired") >= 1.0,
                        Duration.ofSeconds(15));
                stub.setRules(StubRules.approveAll());
                assertFalse(rig.ledger(timeoutRrn).orElseThrow().reversed(), "the issuer still holds the debit");

                browser = chromium(profile);
                login();
                liveUpdates();

                open("/search");
                browser.findElement(By.name("terminal")).sendKeys(TID);
                browser.findElement(By.name("card")).sendKeys("0010");
                browser.findElement(By.id("search")).click();
                String results = until("all three in the results", () -> {
                    String s = text("results");
                    return s.contains(saleRrn) && s.contains(voidRrn) && s.contains(timeoutRrn) ? s : null;
                });
                assertTrue(results.contains("476173******0010"), "the masked PAN is shown");
                shot("search");

                browser.findElement(By.linkText(saleRrn)).click();
                String saleTimeline = until("the sale's timeline, to its reversal by the void", () -> {
                    String s = text("timeline");
                    return s.contains("REVERSED") ? s : null;
                });
                assertTrue(saleTimeline.contains("forwarded to issuer issuer-a"), saleTimeline);
                assertTrue(saleTimeline.contains("approved (00"), saleTimeline);
                assertTrue(saleTimeline.contains("answer delivered to the terminal"), saleTimeline);
                assertTrue(saleTimeline.contains("duplicate request seen (1 so far)"), saleTimeline);
                assertTrue(saleTimeline.contains("reversal acknowledged by the issuer"), saleTimeline);
                assertTrue(text("duplicates").startsWith("1 repeat(s)"), text("duplicates"));
                assertTrue(text("follow-ups").contains(voidRrn), "the void is listed as acting on the sale");
                String request = text("request");
                assertTrue(request.contains("476173******0010") && request.contains("22 POS entry mode 021")
                        && request.contains("25 POS condition code 00"), "every field the terminal sent: " + request);
                assertTrue(text("answer").contains("39 response code 00"), text("answer"));
                shot("transaction");

                browser.findElement(By.linkText(voidRrn)).click();
                until("the void's page", () -> text("original").contains(saleRrn) ? "" : null);
                assertTrue(text("timeline").contains("APPROVED"), text("timeline"));

                open("/txn/" + timeoutRrn);
                String timeoutTimeline = until("the timeout's timeline, to the expiry", () -> {
                    String s = text("timeline");
                    return s.contains("expired unacknowledged") ? s : null;
                });
                // one store write of the processor's, shown as its two steps: the timeout, then the reversal queued
                int timedOut = timeoutTimeline.indexOf("TIMED_OUT 68 no issuer answer within its deadline; terminal answered 68");
                int queued = timeoutTimeline.indexOf("REVERSAL_PENDING 68 reversal queued in the SAF (issuer timeout)");
                assertTrue(timedOut >= 0 && queued > timedOut, timeoutTimeline);
                assertTrue(text("answer").contains("68"), "the answer as sent: " + text("answer"));
                assertTrue(timeoutTimeline.contains("reversal advice sent (attempt 1)"), timeoutTimeline);

                open("/saf");
                until("the expired reversal listed", () -> text("expired").contains(timeoutRrn) ? "" : null);
                var row = browser.findElement(By.id("expired")).findElement(By.xpath(".//tr[td/a[text()='" + timeoutRrn + "']]"));
                row.findElement(By.cssSelector("form[action$='/requeue'] input[name=note]")).sendKeys("issuer back online");
                shot("saf");
                row.findElement(By.cssSelector("button.requeue")).click();
                assertEquals("requeue of " + timeoutRrn + " queued", until("the confirmation", () -> text("message")));
                String audit = text("audit");
                assertTrue(audit.contains("alice requeue " + timeoutRrn + " issuer back online queued"), audit);
                rig.await("the requeued reversal reached the issuer", () -> rig.ledger(timeoutRrn).map(LedgerEntry::reversed)
                        .orElse(false), Duration.ofSeconds(10));
                open("/txn/" + timeoutRrn);
                until("the requeue noted on the timeout", () -> {
                    browser.navigate().refresh();
                    return text("timeline").contains("REVERSED") ? "" : null;
                });
                assertTrue(text("notes").contains("requeued by alice: issuer back online"), text("notes"));
                open("/saf");
                shot("saf-audit");

                Path ledger = Files.createTempFile(profile, "ledger", ".csv");
                Files.writeString(ledger, stub.ledger().toCsv());
                open("/recon");
                browser.findElement(By.id("ledger")).sendKeys(ledger.toString());
                browser.findElement(By.id("run")).click();
                String summary = until("the reconciliation's summary", () -> text("summary"));
                assertTrue(summary.contains("result: the books agree"), summary);
                assertTrue(text("settlement-summary").startsWith("settlements: 0"), text("settlement-summary"));
                shot("reconciliation");
                open("/live"); // last, so that the line has a minute of history behind it
                sparkline();
                shot("live");

                for (String page : sources) {
                    assertFalse(page.contains(PAN), "a full PAN in a page");
                }
                assertTrue(sources.size() >= 10, "every page visited was checked");
            } finally {
                if (browser != null) {
                    browser.quit();
                }
            }
        } finally {
            TempFiles.delete(profile);
        }
    }

    private static WebDriver chromium(Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + profile,
                "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
        return driver;
    }

    private void login() {
        browser.get(base + "/live");
        assertTrue(browser.getCurrentUrl().endsWith("/console/login"), "no session: the login page");
        record();
        browser.findElement(By.id("who")).sendKeys("alice");
        browser.findElement(By.id("token")).sendKeys("not the token");
        browser.findElement(By.id("login")).click();
        assertEquals("Wrong token.", text("error"));
        browser.findElement(By.id("token")).sendKeys(TOKEN);
        browser.findElement(By.id("login")).click();
        assertTrue(browser.getCurrentUrl().endsWith("/console/live"), browser.getCurrentUrl());
        var cookie = browser.manage().getCookieNamed(Console.COOKIE);
        assertTrue(cookie.isHttpOnly(), "the session cookie is HttpOnly");
        assertEquals("Strict", cookie.getSameSite());
        record();
    }

    /** htmx replaces the Live panel every second: the answers by code show the four answers sent. */
    private void liveUpdates() {
        String first = text("panel");
        until("htmx refreshed the Live panel", () -> {
            String now = text("panel");
            return !now.equals(first) ? now : null;
        });
        String answers = text("answers");
        assertTrue(answers.contains("00 3") && answers.contains("68 1"), answers);
        assertTrue(text("links").contains("issuer-a 2 UP"), text("links"));
        assertNotEquals("", text("journal-lag"));
        sparkline();
        record();
    }

    /** Waits for the Live page's line, drawn once the console has 20 s of samples. */
    private void sparkline() {
        until("the sparkline drawn", () -> browser.findElements(By.cssSelector("svg.spark polyline")).isEmpty() ? null : "");
    }

    private void open(String path) {
        browser.get(base + path);
        record();
    }

    /** The element's text; htmx may swap the element between the find and the read, so re-find it. */
    private String text(String id) {
        for (int tries = 1; ; tries++) {
            try {
                return browser.findElement(By.id(id)).getText();
            } catch (StaleElementReferenceException e) {
                if (tries == 5) {
                    throw e;
                }
            }
        }
    }

    /**
     * Awaits {@code what} (non-null = done) for at most 15 s, looking every 250 ms and reloading the
     * page before each look but the first (pages htmx updates itself, and the sparkline, are not reloaded).
     */
    private String until(String what, Supplier<String> done) {
        boolean reload = !what.startsWith("htmx") && !what.startsWith("the sparkline");
        boolean[] first = {true};
        Callable<String> look = () -> {
            if (reload && !first[0]) {
                browser.navigate().refresh();
            }
            first[0] = false;
            try {
                return done.get();
            } catch (NoSuchElementException | StaleElementReferenceException e) {
                return null; // not on the page yet, or htmx swapped it between the find and the read
            }
        };
        try {
            String v = Await.until(what, look, Objects::nonNull, Duration.ofSeconds(15), Duration.ofMillis(250));
            record();
            return v;
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for: " + what + "\n" + browser.getPageSource(), e);
        }
    }

    private void record() {
        sources.add(browser.getPageSource());
    }

    /**
     * A PNG of the page into switch-core/target/console-screenshots, or into the directory named by
     * {@code -Dconsole.screenshots} (the committed ones: {@code -Dconsole.screenshots=../docs/console},
     * relative to switch-core), so that an ordinary test run leaves the checkout unchanged.
     */
    private void shot(String name) throws IOException {
        record();
        Path dir = Path.of(System.getProperty("console.screenshots", "target/console-screenshots"))
                .toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
