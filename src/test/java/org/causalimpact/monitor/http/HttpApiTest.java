package org.causalimpact.monitor.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.live.MonitorQueries;
import org.causalimpact.monitor.live.MonitorService;
import org.causalimpact.monitor.scm.CausalEffect;
import org.causalimpact.monitor.scm.Explanations;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.StoreNames;
import org.causalimpact.monitor.impact.PrePeriodFit;
import org.causalimpact.monitor.testing.CampaignStores;
import org.causalimpact.monitor.wire.PrePeriodView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON API over the stores of a {@code TopologyTestDriver} (no broker, {@link CampaignStores}):
 * the validation monitor ({@code x -> y}, 1 h step, pre-window 400) fed 420 simulated rows, with a
 * campaign (x shifted by 5) started at row 400 and still running; called with {@link HttpClient}
 * on a free loopback port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {
  private static final long HOUR = CampaignStores.HOUR;
  private static final int START = CampaignStores.START;
  private static final int ROWS = 420;
  private static final String TOKEN = "s3cret-token";
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  @TempDir static Path tmp;
  private MonitorDefinition monitor;
  private CampaignStores full;
  private CampaignStores empty;
  private MonitorQueries queries;
  private HttpApi api;
  private HttpApi emptyApi;
  private HttpApi tokenApi;
  private HttpClient http;

  @BeforeAll
  void setUp() throws IOException {
    full = new CampaignStores(tmp.resolve("full"));
    monitor = full.monitor;
    full.closeThrough(ROWS - 1);
    queries = full.queries();
    api = HttpApi.start(new MonitorService(queries), HttpApi.loopback(0));
    tokenApi = HttpApi.start(new MonitorService(queries), HttpApi.loopback(0), TOKEN, null);

    empty = new CampaignStores(tmp.resolve("empty"));
    emptyApi = HttpApi.start(new MonitorService(empty.queries()), null);
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  void tearDown() {
    for (AutoCloseable c : new AutoCloseable[] {api, tokenApi, emptyApi, full, empty}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  private record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

  private Reply call(HttpApi server, String method, String path, String body, String auth)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(60))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (auth != null) {
      b.header("Authorization", auth);
    }
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(
        r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        "JSON content type: " + r.headers());
    return new Reply(r.statusCode(), JSON.readTree(r.body()), r);
  }

  private Reply get(String path) throws Exception {
    return call(api, "GET", path, null, null);
  }

  private Reply post(String path, String body) throws Exception {
    return call(api, "POST", path, body, null);
  }

  private static String whatIfBody(double shift, int horizon) {
    return "{\"baseline\": {}, \"scenario\": {\"x\": {\"shift\": " + shift + "}}, \"horizon\": "
        + horizon + ", \"outcomes\": [\"y\"]}";
  }

  /** 5 x the long-run total effect x -> y of the model fitted on the rows the API fits on. */
  private double modelEffectOfShift(double shift) {
    TimeSeriesTable rows = queries.recentRows("validation", monitor.preWindow()).orElseThrow();
    assertEquals(monitor.preWindow(), rows.rows());
    FittedScm model = ScmFitter.with(monitor.fit()).fit(monitor.graph(), rows, 0, rows.rows());
    double total =
        Explanations.effects(model, ScmFitter.columnsOf(monitor.graph(), rows), 0, rows.rows())
            .stream()
            .filter(e -> e.cause().equals("x") && e.outcome().equals("y"))
            .mapToDouble(CausalEffect::total)
            .findFirst()
            .orElseThrow();
    return shift * total;
  }

  @Test
  void listsMonitors() throws Exception {
    Reply r = get("/api/monitors");
    assertEquals(200, r.status(), r.raw().body());
    assertEquals(1, r.body().get("schema").asInt());
    JsonNode m = r.body().get("monitors").get(0);
    assertEquals("validation", m.get("name").asText());
    assertEquals("PT1H", m.get("step").asText());
    assertEquals(3600.0, m.get("stepSeconds").asDouble());
    assertEquals(400, m.get("preWindow").asInt());
    assertEquals(List.of("x", "y"), texts(m.get("nodes")));
    assertEquals(Instant.ofEpochMilli((ROWS - 1) * HOUR).toString(), m.get("lastClosed").asText());
    assertEquals(List.of("campaign"), texts(m.get("activeInterventions")));
    assertEquals(200, get("/api/monitors/").status(), "a trailing slash is the same path");
  }

  @Test
  void describesAMonitorWithItsGraphFitAndInterventions() throws Exception {
    Reply r = get("/api/monitors/validation");
    assertEquals(200, r.status(), r.raw().body());
    JsonNode b = r.body();
    assertEquals("validation", b.get("name").asText());
    JsonNode y = b.get("graph").get("nodes").get(1);
    assertEquals("y", y.get("name").asText());
    assertEquals("x", y.get("parents").get(0).get("node").asText());
    assertEquals(1, y.get("parents").get(0).get("lags").asInt());
    assertEquals(1, y.get("ar").asInt());
    assertTrue(y.get("seasonality").isNull());
    assertFalse(y.get("trend").asBoolean());
    assertEquals(0.95, b.get("settings").get("intervals").get("level").asDouble());
    assertEquals(500, b.get("settings").get("intervals").get("replicates").asInt());
    JsonNode fit = b.get("fit");
    assertEquals(400, fit.get("rows").asInt());
    assertEquals(Instant.ofEpochMilli((ROWS - 1) * HOUR).toString(), fit.get("to").asText());
    JsonNode eqY = fit.get("equations").get(1);
    assertEquals("y", eqY.get("node").asText());
    List<String> terms = texts(eqY.get("terms"));
    assertEquals(List.of("(intercept)", "x[t]", "x[t-1]", "y[t-1]"), terms.subList(0, 4));
    if (terms.size() > 4) {
      // level auto may take a trend the node does not ask for: the data have none
      assertEquals(List.of("trend"), terms.subList(4, terms.size()));
      assertTrue(eqY.get("inclusion").get(4).asDouble() < 0.5, eqY.get("inclusion").toString());
    }
    assertEquals(1.5, eqY.get("coefficients").get(1).asDouble(), 0.2, "true beta_0 = 1.5");
    assertEquals(1.0, eqY.get("sigma").asDouble(), 0.15, "true noise sd = 1");
    assertTrue(eqY.get("rSquared").asDouble() > 0.5);
    assertEquals(modelEffectOfShift(1.0), total(fit.get("effects"), "x", "y"), 1e-12);
    assertEquals(List.of("campaign"), texts(fit.get("overlapsInterventions")));
    JsonNode iv = b.get("interventions").get(0);
    assertEquals("campaign", iv.get("id").asText());
    assertTrue(iv.get("active").asBoolean());
    assertEquals(Instant.ofEpochMilli(START * HOUR).toString(), iv.get("start").asText());
    assertTrue(iv.get("end").isNull());
    assertEquals(5.0, iv.get("do").get("x").get("shift").asDouble());
    assertEquals(List.of("y"), texts(iv.get("outcomes")));
    assertEquals(ROWS - START, iv.get("stepsReported").asInt());
    Reply list = get("/api/monitors/validation/interventions");
    assertEquals(200, list.status());
    assertEquals("validation", list.body().get("monitor").asText());
    assertEquals(b.get("interventions"), list.body().get("interventions"), "the detail's list");
  }

  @Test
  void reportsAnInterventionSoFar() throws Exception {
    Reply r = get("/api/monitors/validation/interventions/campaign");
    assertEquals(200, r.status(), r.raw().body());
    assertEquals("campaign", r.body().get("status").get("id").asText());
    JsonNode report = r.body().get("report");
    assertEquals(1, report.get("schema").asInt());
    assertEquals("campaign", report.get("intervention").asText());
    assertEquals("y", report.get("outcome").asText());
    assertEquals(ROWS - START, report.get("series").size());
    JsonNode avg = report.get("summary").get("average");
    assertTrue(avg.get("effect").get("mean").isNumber());
    assertEquals(2, avg.get("effect").get("bootstrap").size());
    // The true effect of shifting x by 5 settles at (1.5 + 0.5) / (1 - 0.4) * 5 = 16.7.
    JsonNode last = report.get("series").get(ROWS - START - 1);
    assertEquals(16.7, last.get("expectedEffect").get("mean").asDouble(), 2.5);
  }

  /**
   * The pre-period endpoint pages each outcome's pre-period rows: observed values and one-step
   * predictions equal to the batch analysis's pre-period fit of the same rows, and 1 - p beside p;
   * the intervention report itself leaves the pre-period out.
   */
  @Test
  void servesThePrePeriodRowsAndFitOfTheBatchAnalysisInPages() throws Exception {
    String path = "/api/monitors/validation/interventions/campaign";
    JsonNode report = get(path).body().get("report");
    assertFalse(report.get("outcomes").get(0).has("preSeries"), "served apart");
    JsonNode summary = report.get("summary");
    assertEquals(
        1 - summary.get("pValue").get("bootstrap").asDouble(),
        summary.get("effectProbability").get("bootstrap").asDouble(), 1e-12);

    MonitorQueries.Impact batch = queries.intervention("validation", "campaign").orElseThrow();
    PrePeriodFit fit = batch.analysis().preFit("y").orElseThrow();
    assertEquals(START, fit.rows(), "the monitor's preWindow");
    List<JsonNode> rows = new ArrayList<>();
    int since = 0;
    int pages = 0;
    while (true) {
      Reply r = get(path + "/pre-period?since=" + since + "&limit=150");
      assertEquals(200, r.status(), r.raw().body());
      assertEquals(PrePeriodView.FITTED, r.body().get("fitted").asText());
      assertEquals(0, r.body().get("prePeriod").get("start").asInt());
      assertEquals(START - 1, r.body().get("prePeriod").get("end").asInt());
      JsonNode page = r.body().get("page");
      assertEquals(START, page.get("total").asInt());
      JsonNode series = r.body().get("outcomes").get(0).get("series");
      assertEquals("y", r.body().get("outcomes").get(0).get("node").asText());
      assertEquals(page.get("steps").asInt(), series.size());
      series.forEach(rows::add);
      pages++;
      if (page.get("next").isNull()) {
        break;
      }
      since = page.get("next").asInt();
    }
    assertEquals(3, pages, "400 rows in pages of 150");
    assertEquals(START, rows.size());
    int fitted = 0;
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      assertEquals(fit.startRow() + i, row.get("row").asInt());
      assertEquals(fit.actual(i), row.get("actual").asDouble(), 0.0, "row " + i);
      if (Double.isNaN(fit.fitted(i))) {
        assertTrue(row.get("fitted").isNull(), "row " + i + " only serves as a lag");
      } else {
        assertEquals(fit.fitted(i), row.get("fitted").asDouble(), 0.0, "row " + i);
        fitted++;
      }
    }
    assertTrue(fitted > START - 5, fitted + " rows with a prediction");
    assertEquals(
        404, get(path.replace("campaign", "nope") + "/pre-period").status(), "unknown id");
    assertError(get(path + "/pre-period?limit=0"), 400, "limit must be in 1..");
  }

  @Test
  void reportPagesConcatenateToTheWholeSeries() throws Exception {
    String path = "/api/monitors/validation/interventions/campaign";
    Reply whole = get(path + "?limit=2000");
    assertEquals(200, whole.status(), whole.raw().body());
    JsonNode all = whole.body().get("report").get("series");
    assertEquals(ROWS - START, all.size());
    assertEquals(ROWS - START, whole.body().get("page").get("total").asInt());
    assertTrue(whole.body().get("page").get("next").isNull(), "one page holds it all");
    List<JsonNode> pasted = new ArrayList<>();
    int since = 0;
    int pages = 0;
    while (true) {
      Reply r = get(path + "?since=" + since + "&limit=3");
      assertEquals(200, r.status(), r.raw().body());
      JsonNode report = r.body().get("report");
      JsonNode page = r.body().get("page");
      assertEquals(since, page.get("since").asInt());
      assertEquals(3, page.get("limit").asInt());
      assertEquals(report.get("series").size(), page.get("steps").asInt());
      assertEquals(report.get("series"), report.get("outcomes").get(0).get("series"));
      assertEquals(whole.body().get("report").get("summary"), report.get("summary"), "whole");
      assertEquals(whole.body().get("report").get("model"), report.get("model"));
      report.get("series").forEach(pasted::add);
      pages++;
      if (page.get("next").isNull()) {
        break;
      }
      since = page.get("next").asInt();
    }
    assertEquals((ROWS - START + 2) / 3, pages);
    assertEquals(all.size(), pasted.size());
    for (int i = 0; i < pasted.size(); i++) {
      assertEquals(all.get(i), pasted.get(i), "step " + (i + 1));
      assertEquals(i + 1, pasted.get(i).get("step").asInt(), "steps are numbered from 1");
    }
    Reply first = get(path);
    assertEquals(ApiRoutes.DEFAULT_PAGE, first.body().get("page").get("limit").asInt());
    Reply after = get(path + "?since=" + (ROWS - START));
    assertEquals(0, after.body().get("report").get("series").size(), "nothing new yet");
    assertEquals(0, get(path + "?since=100000").body().get("page").get("steps").asInt());
    for (String bad :
        List.of(
            "since=-1", "limit=0", "limit=2001", "since=abc", "since=1&since=2", "sinse=1",
            "limit=99999999999")) {
      assertEquals(400, get(path + "?" + bad).status(), bad);
    }
    assertError(get(path + "?limit=0"), 400, "limit must be in 1..2000");
    assertError(get(path + "?sinse=1"), 400, "unknown query parameter 'sinse'");
  }

  @Test
  void reportsAreGzippedWhenTheClientAcceptsIt() throws Exception {
    URI uri =
        URI.create(
            "http://127.0.0.1:" + api.port() + "/api/monitors/validation/interventions/campaign");
    HttpResponse<byte[]> plain =
        http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> zipped =
        http.send(
            HttpRequest.newBuilder(uri).header("Accept-Encoding", "gzip").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, zipped.statusCode());
    assertFalse(plain.headers().firstValue("Content-Encoding").isPresent(), "not asked for");
    assertEquals("gzip", zipped.headers().firstValue("Content-Encoding").orElse(""));
    assertTrue(
        zipped.headers().allValues("Vary").toString().contains("Accept-Encoding"),
        zipped.headers().toString());
    byte[] inflated;
    try (var in = new GZIPInputStream(new ByteArrayInputStream(zipped.body()))) {
      inflated = in.readAllBytes();
    }
    assertEquals(JSON.readTree(plain.body()), JSON.readTree(inflated));
    assertTrue(
        zipped.body().length * 3 < plain.body().length,
        zipped.body().length + " bytes gzipped, " + plain.body().length + " plain");
  }

  /**
   * A campaign whose rows keep closing: the report is analysed once per closed row however often
   * it is asked for (each analysis reads the rows store, the status does not), and a client that
   * asks for the steps since the last it has gets exactly the new ones, equal to the whole series.
   */
  @Test
  void reportsAreAnalysedOncePerClosedRowAndPolledIncrementally() throws Exception {
    try (CampaignStores growing = new CampaignStores(tmp.resolve("growing"))) {
      growing.closeThrough(410);
      AtomicInteger rowReads = new AtomicInteger();
      MonitorQueries counted =
          MonitorQueries.of(
              List.of(monitor),
              name -> {
                if (name.equals(StoreNames.ROWS_STORE)) {
                  rowReads.incrementAndGet();
                }
                return growing.store(name);
              });
      MonitorService service = new MonitorService(counted);
      try (HttpApi server = HttpApi.start(service, HttpApi.loopback(0))) {
        String path = "/api/monitors/validation/interventions/campaign";
        Reply first = call(server, "GET", path, null, null);
        assertEquals(200, first.status(), first.raw().body());
        assertEquals(11, first.body().get("page").get("total").asInt(), "rows 400..410");
        assertEquals(11 + 400, service.reportStepsKept(), "the steps and the 400 pre-period rows");
        int reads = rowReads.get();
        assertTrue(reads > 0, "the analysis reads the rows");
        for (int i = 0; i < 10; i++) {
          Reply again = call(server, "GET", path + "?since=" + i, null, null);
          assertEquals(
              first.body().get("report").get("summary"), again.body().get("report").get("summary"));
        }
        assertEquals(reads, rowReads.get(), "no new row, no new analysis");

        growing.closeThrough(415);
        Reply next = call(server, "GET", path + "?since=11", null, null);
        assertEquals(16, next.body().get("page").get("total").asInt());
        JsonNode added = next.body().get("report").get("series");
        assertEquals(5, added.size(), "steps 12..16");
        int afterOne = rowReads.get();
        assertTrue(afterOne > reads, "a new row, a new analysis");
        for (int i = 0; i < 10; i++) {
          call(server, "GET", path + "?since=11", null, null);
        }
        assertEquals(afterOne, rowReads.get(), "one analysis for the new rows");

        JsonNode whole = call(server, "GET", path, null, null).body().get("report").get("series");
        List<JsonNode> pasted = new ArrayList<>();
        first.body().get("report").get("series").forEach(pasted::add);
        added.forEach(pasted::add);
        assertEquals(whole.size(), pasted.size());
        for (int i = 0; i < whole.size(); i++) {
          assertEquals(whole.get(i), pasted.get(i), "step " + (i + 1) + " did not change");
        }
      }
    }
  }

  @Test
  void namesAndIdsInPathsAreChecked() throws Exception {
    assertError(get("/api/monitors/bad%20name"), 400, "monitor name in the path");
    assertError(
        get("/api/monitors/validation/interventions/" + "a".repeat(129)),
        400,
        "intervention id in the path must be 1 to 128 characters");
    assertError(get("/api/monitors/validation/interventions/caf%C3%A9"), 400, "'café'");
    // an id the stream accepts is looked up, not refused: unknown here, so 404
    assertEquals(404, get("/api/monitors/validation/interventions/deploy:42").status());
    assertError(
        post("/api/monitors/bad%3Cname%3E/whatif", whatIfBody(1, 3)), 400, "'bad<name>'");
    // an encoded separator is refused by the server before any route sees it
    Reply slash = get("/api/monitors/a%2Fb");
    assertEquals(400, slash.status(), slash.raw().body());
    assertTrue(slash.body().get("error").asText().contains("Ambiguous"), slash.raw().body());
    assertError(
        get("/api/monitors/validation/interventions/" + "a".repeat(128)), 404, "no intervention");
  }

  @Test
  void whatIfRefusesValuesThatWouldOverflow() throws Exception {
    String path = "/api/monitors/validation/whatif";
    Reply huge = post(path, whatIfBody(1e308, 5));
    assertField(huge, "scenario.x.shift");
    assertTrue(huge.body().get("error").asText().contains("at most 1e12"), huge.raw().body());
    assertField(
        post(path, "{\"scenario\": {\"x\": {\"set\": -1e13}}, \"horizon\": 5}"),
        "scenario.x.set");
    assertField(
        post(
            path,
            "{\"baseline\": {\"x\": {\"scale\": 2e12}}, \"scenario\": {\"x\": {\"shift\": 1}},"
                + " \"horizon\": 5}"),
        "baseline.x.scale");
    // the largest shift allowed: the forecast stays finite and reaches the long-run effect
    Reply largest = post(path, whatIfBody(1e12, 100));
    assertEquals(200, largest.status(), largest.raw().body());
    JsonNode diff = largest.body().get("outcomes").get(0).get("series").get(99).get("difference");
    assertTrue(diff.get("mean").isNumber(), "finite: " + diff);
    assertEquals(1.0, diff.get("mean").asDouble() / modelEffectOfShift(1e12), 1e-6);
  }

  @Test
  void whatIfPredictsTheDifferenceOfTheScenarios() throws Exception {
    Reply r = post("/api/monitors/validation/whatif", whatIfBody(5, 20));
    assertEquals(200, r.status(), r.raw().body());
    JsonNode b = r.body();
    assertEquals(1, b.get("schema").asInt());
    assertEquals(20, b.get("horizon").asInt());
    assertEquals(400, b.get("history").get("rows").asInt());
    assertEquals(5.0, b.get("scenario").get("x").get("shift").asDouble());
    assertEquals(0, b.get("baseline").size());
    JsonNode y = b.get("outcomes").get(0);
    assertEquals("y", y.get("node").asText());
    JsonNode series = y.get("series");
    assertEquals(20, series.size());
    assertEquals(Instant.ofEpochMilli(ROWS * HOUR).toString(), series.get(0).get("time").asText());
    JsonNode last = series.get(19);
    double expected = modelEffectOfShift(5);
    // (1.5 + 0.5) / (1 - 0.4) * 5 = 16.67 in truth; the model's own long-run effect is reached
    // to within phi^20 ~ 1e-8 of it after 20 steps.
    assertEquals(16.67, expected, 2.0);
    JsonNode diff = last.get("difference");
    assertEquals(expected, diff.get("mean").asDouble(), 1e-4);
    assertTrue(diff.get("bootstrap").get(0).asDouble() <= expected);
    assertTrue(diff.get("bootstrap").get(1).asDouble() >= expected);
    assertFalse(diff.has("conformal"), "no conformal interval of the difference");
    assertEquals(2, last.get("baseline").get("conformal").size());
    assertEquals(2, last.get("scenario").get("bootstrap").size());
    assertEquals(
        last.get("scenario").get("mean").asDouble() - last.get("baseline").get("mean").asDouble(),
        diff.get("mean").asDouble(),
        1e-9);
    assertTrue(y.get("summary").get("cumulative").get("mean").isNumber());
    assertTrue(
        texts(b.get("notes")).stream().anyMatch(n -> n.startsWith("difference: no conformal")));
    assertTrue(
        texts(b.get("notes")).stream()
            .anyMatch(n -> n.contains("overlaps intervention(s) campaign")),
        "the fit window holds the running campaign's rows");
    assertEquals(expected / 5, total(b.get("model").get("effects"), "x", "y"), 1e-12);
  }

  @Test
  void whatIfReachesTheModelsLongRunTotalEffect() throws Exception {
    Reply r = post("/api/monitors/validation/whatif", whatIfBody(5, 200));
    assertEquals(200, r.status(), r.raw().body());
    JsonNode diff = r.body().get("outcomes").get(0).get("series").get(199).get("difference");
    double expected = modelEffectOfShift(5);
    assertEquals(expected, diff.get("mean").asDouble(), 1e-6);
    assertTrue(diff.get("bootstrap").get(0).asDouble() <= expected);
    assertTrue(diff.get("bootstrap").get(1).asDouble() >= expected);
  }

  @Test
  void whatIfChangesNoState() throws Exception {
    String monitorBefore = get("/api/monitors/validation").raw().body();
    String listBefore = get("/api/monitors").raw().body();
    String ivBefore = get("/api/monitors/validation/interventions/campaign").raw().body();
    Reply first = post("/api/monitors/validation/whatif", whatIfBody(3, 10));
    Reply second = post("/api/monitors/validation/whatif", whatIfBody(3, 10));
    assertEquals(200, first.status());
    assertEquals(first.raw().body(), second.raw().body(), "same seed, same state: same answer");
    assertEquals(monitorBefore, get("/api/monitors/validation").raw().body());
    assertEquals(listBefore, get("/api/monitors").raw().body());
    assertEquals(ivBefore, get("/api/monitors/validation/interventions/campaign").raw().body());
  }

  @Test
  void unknownThingsAre404() throws Exception {
    assertError(get("/api/monitors/nosuch"), 404, "no monitor 'nosuch'");
    assertError(get("/api/monitors/validation/interventions/nosuch"), 404, "no intervention");
    assertError(post("/api/monitors/nosuch/whatif", whatIfBody(1, 5)), 404, "no monitor");
    assertError(get("/api/nothing"), 404, "no endpoint");
    // outside /api the live page is served (StaticFilesTest covers it); here only the hand-off
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode(), "GET / serves the live page");
    assertTrue(
        page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
        page.headers().toString());
    assertError(get("/api/monitors/validation/other"), 404, "no endpoint");
    assertError(get("/api/monitors/no.such-monitor_2"), 404, "no monitor 'no.such-monitor_2'");
  }

  @Test
  void wrongMethodsAre405() throws Exception {
    Reply r = call(api, "POST", "/api/monitors", "{}", null);
    assertError(r, 405, "use GET");
    assertEquals("GET", r.raw().headers().firstValue("Allow").orElseThrow());
    Reply w = get("/api/monitors/validation/whatif");
    assertError(w, 405, "use POST");
    assertEquals("POST", w.raw().headers().firstValue("Allow").orElseThrow());
    assertError(call(api, "DELETE", "/api/monitors/validation", null, null), 405, "DELETE");
    Reply d = call(api, "DELETE", "/api/monitors/validation/interventions", null, null);
    assertError(d, 405, "use POST or GET");
    assertEquals("POST, GET", d.raw().headers().firstValue("Allow").orElseThrow());
    assertError(get("/api/monitors/nope/interventions"), 404, "no monitor 'nope'");
    Reply head = call(api, "HEAD", "/api/monitors", null, null);
    assertEquals(405, head.status());
    assertEquals("", head.raw().body(), "no body for HEAD");
  }

  @Test
  void invalidBodiesAre400NamingTheField() throws Exception {
    String path = "/api/monitors/validation/whatif";
    assertField(post(path, "{\"scenario\": "), "body");
    assertField(post(path, "[1, 2]"), "body");
    assertField(post(path, ""), "body");
    assertField(post(path, "{\"horizon\": 5, \"horizon\": 6, \"scenario\": {}}"), "body");
    assertField(
        post(path, "{\"scenario\": {\"q\": {\"shift\": 1}}, \"horizon\": 5}"), "scenario.q");
    assertField(
        post(path, "{\"baseline\": {\"q\": {\"set\": 1}}, \"scenario\": {\"x\": {\"shift\": 1}},"
            + " \"horizon\": 5}"),
        "baseline.q");
    assertField(
        post(path, "{\"scenario\": {\"x\": {\"shift\": \"a\"}}, \"horizon\": 5}"),
        "scenario.x.shift");
    assertField(
        post(path, "{\"scenario\": {\"x\": {\"shift\": 1, \"set\": 2}}, \"horizon\": 5}"),
        "scenario.x");
    assertField(
        post(path, "{\"scenario\": {\"x\": {\"push\": 1}}, \"horizon\": 5}"), "scenario.x.push");
    assertField(
        post(path, "{\"scenario\": {\"x\": {\"observed\": true}}, \"horizon\": 5}"),
        "scenario.x.observed");
    assertField(post(path, "{\"scenario\": {}, \"horizon\": 5}"), "scenario");
    assertField(post(path, "{\"horizon\": 5}"), "scenario");
    assertField(post(path, whatIfBody(1, 0)), "horizon");
    assertField(post(path, whatIfBody(1, 10001)), "horizon");
    assertField(post(path, "{\"scenario\": {\"x\": {\"shift\": 1}}, \"horizon\": 2.5}"), "horizon");
    assertField(post(path, "{\"scenario\": {\"x\": {\"shift\": 1}}}"), "horizon");
    assertField(
        post(
            path,
            "{\"scenario\": {\"x\": {\"shift\": 1}}, \"horizon\": 5, \"outcomes\": [\"z\"]}"),
        "outcomes[0]");
    assertField(
        post(path, "{\"scenario\": {\"y\": {\"shift\": 1}}, \"horizon\": 5}"), "outcomes");
    assertField(
        post(path, "{\"scenario\": {\"x\": {\"shift\": 1}}, \"horizon\": 5, \"level\": 0.9}"),
        "level");
    // 500 replicates x 10000 steps x 2 outcomes is over the memory budget of one request.
    assertField(
        post(path, "{\"scenario\": {\"x\": {\"shift\": 1}}, \"horizon\": 10000,"
            + " \"outcomes\": [\"x\", \"y\"]}"),
        "horizon");
  }

  @Test
  void bodiesOver64KiBAre413() throws Exception {
    StringBuilder big = new StringBuilder("{\"scenario\": {\"x\": {\"shift\": 1}}, \"pad\": \"");
    big.append("a".repeat(100 * 1024)).append("\", \"horizon\": 5}");
    assertError(post("/api/monitors/validation/whatif", big.toString()), 413, "larger than 65536");
    // The server still answers on a new request afterwards.
    assertEquals(200, get("/api/monitors").status());
  }

  @Test
  void postNeedsTheBearerTokenWhenOneIsSet() throws Exception {
    String path = "/api/monitors/validation/whatif";
    Reply none = call(tokenApi, "POST", path, whatIfBody(1, 3), null);
    assertError(none, 401, "Authorization: Bearer");
    assertTrue(none.raw().headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    assertError(call(tokenApi, "POST", path, whatIfBody(1, 3), "Bearer wrong"), 401, "not valid");
    assertError(call(tokenApi, "POST", path, whatIfBody(1, 3), "Basic " + TOKEN), 401, "not valid");
    assertEquals(200, call(tokenApi, "POST", path, whatIfBody(1, 3), "Bearer " + TOKEN).status());
    assertEquals(200, call(tokenApi, "GET", "/api/monitors/validation", null, null).status());
    assertEquals(200, call(api, "POST", path, whatIfBody(1, 3), null).status(), "no token set");
  }

  @Test
  void aMonitorWithoutRowsHasNoFitAndNoWhatIf() throws Exception {
    Reply m = call(emptyApi, "GET", "/api/monitors/validation", null, null);
    assertEquals(200, m.status(), m.raw().body());
    assertTrue(m.body().get("fit").isNull());
    assertTrue(m.body().get("fitUnavailable").asText().contains("no complete row"));
    assertTrue(m.body().get("lastClosed").isNull());
    assertEquals(0, m.body().get("interventions").size());
    assertError(
        call(emptyApi, "POST", "/api/monitors/validation/whatif", whatIfBody(1, 3), null),
        409,
        "no complete closed row");
  }

  @Test
  void unexpectedFailuresAre500WithoutAStackTrace() throws Exception {
    MonitorQueries broken =
        MonitorQueries.of(
            List.of(monitor),
            name -> {
              throw new IllegalStateException("store " + name + " is broken");
            });
    try (HttpApi server = HttpApi.start(new MonitorService(broken), HttpApi.loopback(0))) {
      Reply r = call(server, "GET", "/api/monitors", null, null);
      assertError(r, 500, "internal error");
      assertFalse(r.raw().body().contains("broken"), r.raw().body());
      assertFalse(r.raw().body().contains("at org."), r.raw().body());
    }
  }

  @Test
  void aPortInUseIsAnIOExceptionNamingTheAddress() throws Exception {
    long before = serverThreads();
    IOException e =
        assertThrows(
            IOException.class,
            () -> HttpApi.start(new MonitorService(queries), HttpApi.loopback(api.port())));
    assertTrue(e.getMessage().contains(Integer.toString(api.port())), e.getMessage());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (serverThreads() > before && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(before, serverThreads(), "the failed server's threads are stopped");
  }

  private static long serverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("http-api"))
        .count();
  }

  @Test
  void bindsTheLoopbackAddressByDefault() {
    assertTrue(api.address().getAddress().isLoopbackAddress());
    assertTrue(emptyApi.address().getAddress().isLoopbackAddress());
    assertTrue(api.port() > 0);
    assertThrows(
        IllegalArgumentException.class,
        () -> HttpApi.start(new MonitorService(queries), HttpApi.loopback(0), " ", null));
  }

  private static void assertError(Reply r, int status, String fragment) {
    assertEquals(status, r.status(), r.raw().body());
    String message = r.body().get("error").asText();
    assertTrue(message.contains(fragment), "'" + message + "' should contain '" + fragment + "'");
  }

  private static void assertField(Reply r, String field) {
    assertEquals(400, r.status(), r.raw().body());
    assertEquals(field, r.body().get("field").asText(), r.raw().body());
    assertTrue(r.body().get("error").asText().startsWith(field + ": "), r.raw().body());
  }

  private static double total(JsonNode effects, String cause, String outcome) {
    for (JsonNode e : effects) {
      if (e.get("cause").asText().equals(cause) && e.get("outcome").asText().equals(outcome)) {
        return e.get("total").asDouble();
      }
    }
    throw new AssertionError("no effect " + cause + " -> " + outcome + " in " + effects);
  }

  private static List<String> texts(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }
}
