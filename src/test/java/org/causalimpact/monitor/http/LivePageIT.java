package org.causalimpact.monitor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;

/**
 * The live page in a real browser while the demo runs: the packaged jar's {@code demo} in its own
 * JVM (embedded broker, topology, simulator, HTTP server), Debian's headless Chromium driven by
 * its chromedriver. Skipped when either binary is missing; Selenium Manager is never asked for
 * anything, since both paths are given.
 *
 * <p>The demo monitor is run with a longer simulation (the same YAML, more rows) so that the
 * campaign's post-period keeps closing rows for about 25 s at 40 steps per second while the
 * browser looks: the test sees the charts grow as rows close, compares what they draw with the
 * API, runs a what-if from the form, and fails on any console error, uncaught exception or
 * content-security-policy violation. The screenshot is written to {@code
 * ${build.dir}/live-page.png}.
 */
class LivePageIT {
  private static final Path CHROMIUM =
      Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER =
      Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
  private static final Path JAR =
      Path.of(System.getProperty("cim.jar", "target/causal-impact-monitor.jar"));
  private static final Path BUILD_DIR = Path.of(System.getProperty("build.dir", "target"));

  /**
   * 480 pre-period rows (12 s at {@link #SPEED}), then 1020 post-period rows (25 s): the test
   * needs about 10 s of them and stops the demo when it is done.
   */
  private static final int ROWS = 1500;

  private static final int SPEED = 40;
  private static final String MONITOR = "demo";
  private static final String CAMPAIGN = "demo-campaign";
  private static final List<String> CHARTS =
      List.of("chart-actual", "chart-effect", "chart-cumulative", "chart-expected");

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Runs before any script of the page: collects uncaught errors, rejected promises, CSP
   * violations and {@code console.error} calls, which the browser log may not all carry.
   */
  private static final String COLLECTOR =
      """
      window.__cimErrors = [];
      window.addEventListener('error', (e) => window.__cimErrors.push('error: '
          + (e.message || (e.target && (e.target.src || e.target.href)) || 'a resource')), true);
      window.addEventListener('unhandledrejection',
          (e) => window.__cimErrors.push('unhandled rejection: ' + e.reason));
      document.addEventListener('securitypolicyviolation',
          (e) => window.__cimErrors.push('CSP: ' + e.violatedDirective + ' ' + e.blockedURI));
      const consoleError = console.error;
      console.error = function (...args) {
        window.__cimErrors.push('console.error: ' + args.join(' '));
        return consoleError.apply(this, args);
      };
      """;

  /** Per chart: the number of labels and, per dataset, its label, finite points and first. */
  private static final String CHART_DATA =
      """
      const out = {};
      for (const id of arguments[0]) {
        const c = Chart.getChart(id);
        out[id] = !c ? null : {
          labels: c.data.labels.length,
          datasets: c.data.datasets.map((d) => ({
            label: d.label,
            finite: d.data.filter((v) => typeof v === 'number' && Number.isFinite(v)).length,
            first: d.data.length ? d.data[0] : null,
          })),
        };
      }
      return JSON.stringify(out);
      """;

  /** The summary table's outcome, its numbers ({@code data-value}) and its text. */
  private static final String SUMMARY_DATA =
      """
      const t = document.getElementById('summary-table');
      return t && JSON.stringify({
        outcome: t.dataset.outcome,
        values: Array.from(t.querySelectorAll('td[data-value]'))
            .map((td) => Number(td.dataset.value)),
        text: t.innerText,
      });
      """;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process demo;
  private Path demoOut;
  private Path demoErr;
  private ChromeDriver driver;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void thePageFollowsTheRunningDemoInABrowser(@TempDir Path dir) throws Exception {
    assumeTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "needs " + CHROMIUM + " and " + CHROMEDRIVER + " (Debian: chromium, chromium-driver)");
    assertTrue(Files.isRegularFile(JAR), JAR + " is built by package, before Failsafe runs");
    long t0 = System.nanoTime();
    try {
      int port = startDemo(dir);
      driver = startBrowser(dir.resolve("chromium-profile"));
      String base = "http://127.0.0.1:" + port + "/";
      driver.get(base);
      assertTrue(driver.getTitle().contains("causal-impact-monitor"), driver.getTitle());

      // the list is redrawn every few seconds: find and use an element in one step
      String listed =
          await("the monitor in the list", Duration.ofSeconds(20),
              () -> fresh(() -> {
                WebElement m =
                    first(By.cssSelector("#monitors li[data-monitor='" + MONITOR + "']"));
                return m == null ? null : m.getText();
              }));
      assertTrue(listed.startsWith(MONITOR), listed);
      await("the campaign in the list (it starts after 480 rows)", Duration.ofSeconds(60),
          () -> fresh(() -> {
            WebElement link = first(By.cssSelector(
                "#monitors li[data-monitor='" + MONITOR + "'] a[data-intervention='"
                    + CAMPAIGN + "']"));
            if (link == null) {
              return null;
            }
            link.click();
            return Boolean.TRUE;
          }));
      assertTrue(
          driver.getCurrentUrl().endsWith("#/" + MONITOR + "/" + CAMPAIGN),
          driver.getCurrentUrl());

      // the four panels, drawn from the same rows, each with finite points in every dataset
      JsonNode charts =
          await("points in all four charts", Duration.ofSeconds(30),
              () -> {
                JsonNode c = chartData();
                return labels(c) >= 3 ? c : null;
              });
      int before = labels(charts);
      for (String id : CHARTS) {
        JsonNode chart = charts.get(id);
        assertEquals(before, chart.get("labels").asInt(), id + " has the rows the others have");
        for (JsonNode d : chart.get("datasets")) {
          assertTrue(d.get("finite").asInt() > 0, id + " draws " + d);
        }
      }
      JsonNode actual = dataset(charts, "chart-actual", "actual");
      assertEquals(before, actual.get("finite").asInt(), "one actual value per closed row");
      assertEquals(
          "running", driver.findElement(By.id("iv-badge")).getText(), "the campaign is running");

      // rows keep closing and the page follows without a reload
      JsonNode later =
          await("more points as rows close", Duration.ofSeconds(25),
              () -> {
                JsonNode c = chartData();
                return labels(c) >= before + 5 ? c : null;
              });
      int after = labels(later);
      System.err.printf(
          "live page: %d charts with %d points, then %d points (rows closing)%n",
          CHARTS.size(), before, after);

      // what the charts draw is what the API reports: the pre-period first (observed and fitted,
      // from the pre-period endpoint), then the post-period rows
      JsonNode report = report(base);
      JsonNode visits = outcome(report, "visits");
      JsonNode pre = outcome(prePeriod(base), "visits").get("series");
      assertTrue(pre.size() > 0, "the pre-period rows");
      assertTrue(
          pre.size() + visits.get("series").size() >= after, "the API has the charted rows");
      assertEquals(
          pre.get(0).get("actual").asDouble(),
          dataset(later, "chart-actual", "actual").get("first").asDouble(),
          "the actual line starts at the API's first pre-period row of visits");
      JsonNode fitted =
          dataset(later, "chart-actual", "fitted, pre-period (one-step-ahead, in sample)");
      assertTrue(
          fitted.get("finite").asInt() >= pre.size() - 2,
          "a fitted value per pre-period row but the lags': " + fitted);
      int charted = later.get("chart-actual").get("labels").asInt();
      assertTrue(charted > pre.size(), charted + " rows charted, " + pre.size() + " before the start");
      assertEquals(
          charted,
          dataset(later, "chart-actual", "actual").get("finite").asInt(),
          "the actual line covers both periods");

      // the summary table (redrawn on every poll, so read in one script), a number per estimate
      JsonNode summary = readJson(SUMMARY_DATA);
      assertEquals("visits", summary.get("outcome").asText(), summary.toString());
      assertTrue(summary.get("values").size() >= 8, "summary cells: " + summary);
      assertTrue(summary.get("text").asText().contains("Absolute effect"), summary.toString());
      for (JsonNode v : summary.get("values")) {
        assertTrue(v.isNumber() && Double.isFinite(v.asDouble()), summary.toString());
      }

      // the outcome tabs switch every chart to the other outcome
      driver.findElement(By.cssSelector("#outcomes button[data-outcome='signups']")).click();
      double firstSignups =
          outcome(prePeriod(base), "signups").get("series").get(0).get("actual").asDouble();
      await("the signups series in the charts", Duration.ofSeconds(10),
          () -> dataset(chartData(), "chart-actual", "actual").get("first").asDouble()
              == firstSignups ? Boolean.TRUE : null);

      // a placebo outcome is marked as one, and nothing calls its "effect" significant
      assertTrue(driver.findElements(By.id("placebo-note")).isEmpty(), "signups is no placebo");
      driver.findElement(By.cssSelector("#outcomes button[data-outcome='control']")).click();
      // (read in one script: the summary is redrawn on every poll)
      String placebo =
          await("the placebo note for control", Duration.ofSeconds(10),
              () -> (String) ((JavascriptExecutor) driver).executeScript(
                  "const n = document.getElementById('placebo-note');"
                      + " const t = document.getElementById('summary-table');"
                      + " return n && t && t.dataset.outcome === 'control'"
                      + " ? n.textContent + '\\n' + t.innerText : null;"));
      assertTrue(
          placebo.startsWith("Placebo check: the intervention cannot reach control"), placebo);
      assertFalse(placebo.contains("significant"), placebo);
      assertFalse(placebo.contains("1 − p"), placebo);

      // the what-if form, prefilled from the campaign's do-spec
      assertEquals(
          "ad_spend", new Select(driver.findElement(By.id("wf-node"))).getFirstSelectedOption()
              .getDomProperty("value"));
      assertEquals("50", driver.findElement(By.id("wf-value")).getDomProperty("value"));
      WebElement horizon = driver.findElement(By.id("wf-horizon"));
      horizon.clear();
      horizon.sendKeys("20");
      driver.findElement(By.id("wf-submit")).click();
      List<WebElement> rows =
          await("the what-if answer", Duration.ofSeconds(30),
              () -> {
                List<WebElement> r = driver.findElements(By.cssSelector("#whatif-table tbody tr"));
                return r.isEmpty() ? null : r;
              });
      Set<String> outcomes = new TreeSet<>();
      for (WebElement r : rows) {
        outcomes.add(r.getDomAttribute("data-outcome"));
      }
      assertEquals(
          Set.of("signups", "visits"), outcomes, "default outcomes: descendants of ad_spend");
      By visitsAverage = By.cssSelector("#whatif-table tr[data-outcome='visits'] td[data-value]");
      double visitsGain =
          Double.parseDouble(driver.findElement(visitsAverage).getDomAttribute("data-value"));
      assertTrue(visitsGain > 0, "more ad spend, more visits: " + visitsGain);
      assertTrue(
          driver.findElement(By.id("wf-status")).getText().startsWith("done"),
          driver.findElement(By.id("wf-status")).getText());
      assertEquals(
          20, chartData(List.of("whatif-chart")).get("whatif-chart").get("labels").asInt(),
          "one point per step of the horizon");

      String text = driver.findElement(By.tagName("body")).getText();
      Matcher leaked =
          Pattern.compile("\\b(null|undefined|NaN)\\b|\\[object Object\\]").matcher(text);
      assertFalse(leaked.find(), () -> "a missing value reached the page as text: " + text);

      Files.createDirectories(BUILD_DIR);
      Path png = BUILD_DIR.resolve("live-page.png");
      Files.write(png, driver.getScreenshotAs(OutputType.BYTES));
      System.err.printf(
          "live page: screenshot %s; what-if average visits gain %.1f; %.1f s in all%n",
          png.toAbsolutePath(), visitsGain, (System.nanoTime() - t0) / 1e9);

      assertEquals(List.of(), browserErrors(), "errors in the browser");
      assertTrue(demo.isAlive(), "the demo was still running while the browser looked");
    } finally {
      if (driver != null) {
        driver.quit();
      }
      stopDemo();
    }
  }

  // ------------------------------------------------------------------ the demo

  /** Starts the jar's demo on a free port (again on another if it was taken); returns the port. */
  private int startDemo(Path dir) throws IOException, InterruptedException {
    Path monitor = dir.resolve("demo-long.yaml");
    String yaml = Files.readString(Path.of("config/monitors/demo.yaml"), StandardCharsets.UTF_8);
    Matcher rows = Pattern.compile("(?m)^(\\s+rows:\\s*)\\d+\\s*$").matcher(yaml);
    assertTrue(rows.find(), "config/monitors/demo.yaml has simulation rows");
    Files.writeString(monitor, rows.replaceFirst("$1" + ROWS), StandardCharsets.UTF_8);
    // the campaign with a third outcome, control, which ad_spend cannot reach: a placebo check
    Path campaign = dir.resolve("demo-campaign.json");
    Path original = Path.of("config/interventions/demo-campaign.json");
    String event = Files.readString(original, StandardCharsets.UTF_8);
    String withPlacebo =
        event.replace("\"outcomes\": [\"visits\", \"signups\"]",
            "\"outcomes\": [\"visits\", \"signups\", \"control\"]");
    assertNotEquals(event, withPlacebo, "the campaign lists visits and signups as outcomes");
    Files.writeString(campaign, withPlacebo, StandardCharsets.UTF_8);
    demoOut = dir.resolve("demo.out");
    demoErr = dir.resolve("demo.err");
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      List<String> command =
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-jar", JAR.toString(),
              "demo",
              "--port", Integer.toString(port),
              "--speed", Integer.toString(SPEED),
              "--campaign-speed", Integer.toString(SPEED),
              "--exit-after-result",
              "--monitor", monitor.toString(),
              "--intervention", campaign.toString());
      demo =
          new ProcessBuilder(command)
              .redirectOutput(demoOut.toFile())
              .redirectError(demoErr.toFile())
              .start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        if (!demo.isAlive()) {
          break;
        }
        if (status(port, "api/monitors") == 200) {
          return port;
        }
        Thread.sleep(250);
      }
      String out = demoOutput();
      if (!demo.isAlive() && out.contains("choose another --port") && attempt < 3) {
        continue; // the port was taken between freePort() and the demo's bind
      }
      fail("the demo did not serve /api/monitors within 60 s\n" + out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private int status(int port, String path) throws InterruptedException {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/" + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * The campaign's report with every step reported so far: the pages after one another (each
   * page's summaries are whole; its series hold the steps after {@code since}).
   */
  private JsonNode report(String base) throws IOException, InterruptedException {
    String path = base + "api/monitors/" + MONITOR + "/interventions/" + CAMPAIGN;
    ObjectNode report = null;
    int since = 0;
    while (true) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(path + "?limit=200&since=" + since))
                  .timeout(Duration.ofSeconds(20))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      JsonNode body = JSON.readTree(r.body());
      JsonNode page = body.get("page");
      assertEquals(since, page.get("since").asInt(), r.body());
      if (report == null) {
        report = (ObjectNode) body.get("report");
      } else {
        for (JsonNode o : body.get("report").get("outcomes")) {
          ((ArrayNode) outcome(report, o.get("node").asText()).get("series"))
              .addAll((ArrayNode) o.get("series"));
        }
      }
      if (page.get("next").isNull()) {
        return report;
      }
      since = page.get("next").asInt();
    }
  }

  /** The first page of the campaign's pre-period rows (the demo's preWindow fits in one). */
  private JsonNode prePeriod(String base) throws IOException, InterruptedException {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        base + "api/monitors/" + MONITOR + "/interventions/" + CAMPAIGN
                            + "/pre-period?limit=2000"))
                .timeout(Duration.ofSeconds(20))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = JSON.readTree(r.body());
    assertTrue(body.get("page").get("next").isNull(), "one page: " + body.get("page"));
    return body;
  }

  private static JsonNode outcome(JsonNode report, String node) {
    for (JsonNode o : report.get("outcomes")) {
      if (o.get("node").asText().equals(node)) {
        return o;
      }
    }
    throw new AssertionError("no outcome " + node + " in " + report.get("outcomes"));
  }

  /** Ctrl-C (SIGTERM): the demo closes the simulator, streams and broker and exits. */
  private void stopDemo() throws InterruptedException {
    if (demo == null) {
      return;
    }
    demo.destroy();
    if (!demo.waitFor(45, TimeUnit.SECONDS)) {
      demo.destroyForcibly();
      demo.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private String demoOutput() {
    try {
      return "--- demo stdout\n" + Files.readString(demoOut) + "\n--- demo stderr\n"
          + Files.readString(demoErr);
    } catch (IOException e) {
      return "(demo output unreadable: " + e + ")";
    }
  }

  // ------------------------------------------------------------------ the browser

  private static ChromeDriver startBrowser(Path profile) throws IOException {
    Files.createDirectories(profile);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--user-data-dir=" + profile,
        "--window-size=1400,2000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument", Map.of("source", COLLECTOR));
    return driver;
  }

  private WebElement first(By by) {
    List<WebElement> found = driver.findElements(by);
    return found.isEmpty() ? null : found.get(0);
  }

  private JsonNode chartData() {
    return chartData(CHARTS);
  }

  private JsonNode chartData(List<String> ids) {
    return readJson(CHART_DATA, ids);
  }

  private JsonNode readJson(String script, Object... args) {
    Object json = ((JavascriptExecutor) driver).executeScript(script, args);
    assertTrue(json instanceof String, "the script returns JSON text, not " + json);
    try {
      return JSON.readTree((String) json);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  /** The probe's value, or null when the page replaced the element under it meanwhile. */
  private static <T> T fresh(Supplier<T> probe) {
    try {
      return probe.get();
    } catch (StaleElementReferenceException e) {
      return null;
    }
  }

  /** The rows every chart draws, or -1 while a chart is missing. */
  private static int labels(JsonNode charts) {
    int n = Integer.MAX_VALUE;
    for (String id : CHARTS) {
      JsonNode c = charts.get(id);
      if (c == null || c.isNull()) {
        return -1;
      }
      n = Math.min(n, c.get("labels").asInt());
    }
    return n;
  }

  private static JsonNode dataset(JsonNode charts, String chart, String label) {
    for (JsonNode d : charts.get(chart).get("datasets")) {
      if (d.get("label").asText().equals(label)) {
        return d;
      }
    }
    throw new AssertionError("no dataset '" + label + "' in " + chart + ": " + charts.get(chart));
  }

  /** SEVERE browser log entries and whatever the collector caught. */
  private List<String> browserErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
        errors.add(e.getMessage());
      }
    }
    Object caught = driver.executeScript("return window.__cimErrors || ['collector missing'];");
    if (caught instanceof List<?> list) {
      list.forEach(x -> errors.add(String.valueOf(x)));
    }
    return errors;
  }

  /**
   * Polls {@code probe} until it returns non-null; fails with the demo's output and the browser's
   * errors when the time is up or the demo has exited.
   */
  private <T> T await(String what, Duration timeout, Supplier<T> probe)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (!demo.isAlive()) {
        fail("the demo exited while waiting for " + what + "\n" + demoOutput());
      }
      if (System.nanoTime() > deadline) {
        fail("no " + what + " within " + timeout.toSeconds() + " s; browser errors "
            + browserErrors() + "\n" + demoOutput());
      }
      Thread.sleep(200);
    }
  }
}
