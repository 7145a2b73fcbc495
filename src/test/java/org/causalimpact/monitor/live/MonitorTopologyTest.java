package org.causalimpact.monitor.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.causalimpact.monitor.config.MonitorDefinition;
import org.causalimpact.monitor.config.MonitorLoader;
import org.causalimpact.monitor.impact.ImpactAnalysis;
import org.causalimpact.monitor.impact.ImpactAnalyzer;
import org.causalimpact.monitor.impact.StepImpact;
import org.causalimpact.monitor.impact.StreamingAnalysis;
import org.causalimpact.monitor.ingest.DeadLetter;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.state.GridRow;
import org.causalimpact.monitor.state.RowChunk;
import org.causalimpact.monitor.state.StoreNames;
import org.causalimpact.monitor.wire.AnalysisReport;
import org.causalimpact.monitor.wire.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology with {@link TopologyTestDriver}: explicit timestamps, no broker. */
class MonitorTopologyTest {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final int START = 400;
  private static final int ROWS = 420;

  @TempDir Path stateDir;
  private MonitorDefinition monitor;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> metrics;
  private TestInputTopic<byte[], byte[]> interventions;
  private TopologySettings settings;

  @BeforeEach
  void setUp() {
    monitor = MonitorLoader.load(Path.of("config/monitors/validation.yaml"));
    restart(TopologySettings.defaults().withGrace(Duration.ZERO), StreamListener.NONE, "main");
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private TestOutputTopic<byte[], byte[]> output(String topic) {
    return driver.createOutputTopic(topic, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void point(String series, long time, double value) {
    metrics.pipeInput(
        utf8(settings.keyedByMonitor() ? monitor.name() : series),
        utf8(
            "{\"series\":\"" + series + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time)
                + "\",\"value\":" + value + "}"),
        time);
  }

  private void event(String json, long time) {
    interventions.pipeInput(utf8(monitor.name()), utf8(json), time);
  }

  private DataSimulator.SimulatedData simulate() {
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1);
    return DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 3L);
  }

  private void pipeRows(TimeSeriesTable t, int from, int to) {
    for (int r = from; r < to; r++) {
      point("x", r * HOUR, t.value("x", r));
      point("y", r * HOUR + 1000, t.value("y", r));
    }
  }

  /** The batch analysis of the campaign (x shifted by 5 from START, do-specs until actionEnd). */
  private ImpactAnalysis batch(TimeSeriesTable rows, int actionEnd) {
    return ImpactAnalyzer.withDefaults()
        .withFit(monitor.fit())
        .withIntervals(monitor.intervals())
        .analyze(
            monitor.name(),
            monitor.graph(),
            rows,
            0,
            new Intervention(
                "campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, -1, actionEnd));
  }

  private static List<JsonNode> values(TestOutputTopic<byte[], byte[]> topic) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (byte[] v : topic.readValuesToList()) {
      out.add(Json.MAPPER.readTree(v));
    }
    return out;
  }

  /** The start event of the campaign: x shifted by 5 from START, outcome y. */
  private void startCampaign() {
    event(
        "{\"monitor\":\"validation\",\"id\":\"campaign\",\"action\":\"start\",\"timestamp\":"
            + START * HOUR + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}",
        START * HOUR);
  }

  /** The end event of the campaign, at ROWS. */
  private void endCampaign() {
    event(
        "{\"monitor\":\"validation\",\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":"
            + ROWS * HOUR + "}",
        ROWS * HOUR);
  }

  /**
   * The simulated rows with a campaign on x from START to its end at ROWS, and the point that
   * closes the last post-period row (grace 0).
   */
  private TimeSeriesTable pipeCampaign() {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    startCampaign();
    pipeRows(t, START, ROWS);
    endCampaign();
    point("x", ROWS * HOUR, 20.0);
    return t;
  }

  @Test
  void streamEqualsBatchAndSummaryComesAtTheEnd() throws Exception {
    TimeSeriesTable t = pipeCampaign();

    List<JsonNode> impact = values(output(settings.impactTopic()));
    ImpactAnalysis batch = batch(t.slice(0, ROWS), -1);
    List<StepImpact> series = batch.outcome("y").series();
    assertEquals(ROWS - START, impact.size(), "one impact record per post-period row");
    for (int h = 0; h < impact.size(); h++) {
      JsonNode r = impact.get(h);
      StepImpact s = series.get(h);
      assertEquals(1, r.get("schema").asInt());
      assertEquals(h + 1, r.get("step").asInt());
      assertEquals(s.actual(), r.get("actual").asDouble(), 1e-9);
      assertEquals(s.counterfactual().mean(), r.get("counterfactual").get("mean").asDouble(), 1e-9, "h=" + h + " " + r);
      assertEquals(
          s.effect().bootstrap().lower(), r.get("effect").get("bootstrap").get(0).asDouble(), 1e-9);
      assertEquals(
          s.cumulative().bootstrap().upper(),
          r.get("cumulative").get("bootstrap").get(1).asDouble(),
          1e-9);
      assertEquals(
          s.effect().conformal().lower(), r.get("effect").get("conformal").get(0).asDouble(), 1e-9);
      assertEquals(
          s.expectedEffect().mean(), r.get("expectedEffect").get("mean").asDouble(), 1e-9);
    }
    List<JsonNode> summaries = values(output(settings.summaryTopic()));
    assertEquals(1, summaries.size());
    assertEquals(
        batch.outcome("y").summary().average().effect().mean(),
        summaries.get(0).get("summary").get("average").get("effect").get("mean").asDouble(),
        1e-9);
  }

  @Test
  void lateInterventionReplaysBufferedRows() throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START + 5);
    assertTrue(output(settings.impactTopic()).isEmpty());
    event(
        "{\"monitor\":\"validation\",\"id\":\"late\",\"timestamp\":" + START * HOUR
            + ",\"do\":{\"x\":{\"shift\":5.0}}}",
        (START + 5) * HOUR);
    List<JsonNode> impact = values(output(settings.impactTopic()));
    // rows START..START+3 are closed (the points of row START+4 closed row START+3)
    assertEquals(4, impact.size());
    assertEquals(List.of(1, 2, 3, 4), impact.stream().map(n -> n.get("step").asInt()).toList());
  }

  @Test
  void badInputGoesToTheDeadLetterTopicsWithReasons() throws Exception {
    TestOutputTopic<byte[], byte[]> metricsDlq =
        output(TopologySettings.dlq(settings.metricsTopic()));
    TestOutputTopic<byte[], byte[]> eventsDlq =
        output(TopologySettings.dlq(settings.interventionsTopic()));
    metrics.pipeInput(utf8("x"), utf8("{not json"), 0L);
    metrics.pipeInput(utf8("zz"), utf8("{\"series\":\"zz\",\"timestamp\":0,\"value\":1}"), 0L);
    metrics.pipeInput(utf8("x"), new byte[] {(byte) 0xff, (byte) 0xfe}, 0L);
    metrics.pipeInput(utf8("x"), utf8("{\"series\":\"x\",\"timestamp\":0,\"value\":\"a\"}"), 0L);
    point("x", 0, 1.0);
    point("x", 2 * HOUR, 1.0);
    point("x", 0, 2.0); // row 0 closed: late
    event("{\"monitor\":\"validation\",\"id\":\"nope\",\"action\":\"end\",\"timestamp\":0}", 0L);
    event("{\"monitor\":\"nosuch\",\"id\":\"a\",\"timestamp\":0,\"do\":{\"x\":{\"set\":1}}}", 0L);
    event("{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":0,\"do\":{\"q\":{\"set\":1}}}", 0L);

    List<TestRecord<byte[], byte[]>> m = metricsDlq.readRecordsToList();
    assertEquals(
        List.of("malformed-json", "unknown-series", "invalid-utf8", "wrong-type", "late"),
        m.stream().map(r -> header(r, DeadLetter.REASON)).toList());
    assertEquals("{not json", new String(m.get(0).value(), StandardCharsets.UTF_8));
    assertEquals(settings.metricsTopic(), header(m.get(0), DeadLetter.TOPIC));
    assertEquals("0", header(m.get(0), DeadLetter.OFFSET));
    assertEquals("6", header(m.get(4), DeadLetter.OFFSET));
    List<TestRecord<byte[], byte[]>> e = eventsDlq.readRecordsToList();
    assertEquals(
        List.of("end-without-start", "unknown-monitor", "invalid-intervention"),
        e.stream().map(r -> header(r, DeadLetter.REASON)).toList());
    assertFalse(header(e.get(2), DeadLetter.ERROR).isEmpty());
  }

  /** {@link #pipeCampaign}; every output topic's values as text, in order. */
  private Map<String, List<String>> campaignOutputs() {
    pipeCampaign();
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (String topic : settings.topics()) {
      out.put(
          topic,
          output(topic).readValuesToList().stream()
              .map(v -> new String(v, StandardCharsets.UTF_8))
              .toList());
    }
    return out;
  }

  @Test
  void inputsKeyedByMonitorGiveTheSameOutputsWithoutTheRepartitionTopic() {
    TopologySettings keyed = settings.withKeyedByMonitor(true);
    assertTrue(
        MonitorTopology.build(List.of(monitor), settings).describe().toString()
            .contains("by-monitor-repartition"));
    assertFalse(
        MonitorTopology.build(List.of(monitor), keyed).describe().toString()
            .contains("repartition"));
    Map<String, List<String>> byRepartition = campaignOutputs();
    restart(keyed, StreamListener.NONE, "keyed");
    Map<String, List<String>> direct = campaignOutputs();
    assertEquals(ROWS - START, direct.get(settings.impactTopic()).size());
    assertTrue(direct.get(settings.healthTopic()).size() > 700);
    assertEquals(byRepartition, direct);
  }

  @Test
  void inputsKeyedByMonitorDeadLetterRecordsKeyedOtherwise() {
    restart(settings.withKeyedByMonitor(true), StreamListener.NONE, "keyed-dlq");
    TestOutputTopic<byte[], byte[]> metricsDlq =
        output(TopologySettings.dlq(settings.metricsTopic()));
    TestOutputTopic<byte[], byte[]> eventsDlq =
        output(TopologySettings.dlq(settings.interventionsTopic()));
    byte[] x = utf8("{\"series\":\"x\",\"timestamp\":0,\"value\":1.0}");
    metrics.pipeInput(null, x, 0L);
    metrics.pipeInput(utf8("x"), x, 0L);
    metrics.pipeInput(
        utf8("validation"), utf8("{\"series\":\"q\",\"timestamp\":0,\"value\":1}"), 0L);
    metrics.pipeInput(utf8("validation"), x, 0L);
    String start =
        "{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":0,\"do\":{\"x\":{\"set\":1}}}";
    interventions.pipeInput(null, utf8(start), 0L);
    interventions.pipeInput(utf8("other"), utf8(start), 0L);

    List<TestRecord<byte[], byte[]>> m = metricsDlq.readRecordsToList();
    assertEquals(
        List.of("missing-key", "wrong-key", "unknown-series"),
        m.stream().map(r -> header(r, DeadLetter.REASON)).toList());
    assertTrue(header(m.get(1), DeadLetter.ERROR).contains("key it by its monitor (validation)"),
        header(m.get(1), DeadLetter.ERROR));
    assertEquals("x", new String(m.get(1).key(), StandardCharsets.UTF_8));
    List<TestRecord<byte[], byte[]>> e = eventsDlq.readRecordsToList();
    assertEquals(
        List.of("missing-key", "wrong-key"),
        e.stream().map(r -> header(r, DeadLetter.REASON)).toList());
    assertTrue(header(e.get(1), DeadLetter.ERROR).contains("the key 'other'"),
        header(e.get(1), DeadLetter.ERROR));
  }

  @Test
  void modelHealthReportsOneStepPredictionsWithCalibratedBands() throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    List<JsonNode> health = values(output(settings.healthTopic()));
    // Rows 0..398 closed; every node of every row with a fit (from row 3 on) is reported.
    assertTrue(health.size() > 700, "health records: " + health.size());
    JsonNode last = health.get(health.size() - 1);
    assertEquals("y", last.get("node").asText());
    assertTrue(last.get("band").get(0).isNumber(), last.toString());
    double coverage = last.get("coverage").asDouble();
    // Correct model, exchangeable one-step errors: the rolling coverage of the 95% band over the
    // last 200 rows lies within 0.95 +- 3.5 binomial standard errors (0.015).
    assertTrue(coverage > 0.89 && coverage <= 1.0, "coverage " + coverage);
    assertTrue(last.get("rSquared").asDouble() > 0.5, last.toString());
  }

  @Test
  void modelHealthPredictsEveryRowWithTheFitOnTheWindowBeforeIt() throws Exception {
    // The sliding sums must give the prediction of a fit from scratch on the preWindow rows
    // before each row (rows 0..s-1 while fewer are stored); a 60-row window slides about six
    // times over the 420 rows (rows enter and leave, sums rebuilt every 60 rows). Checked for
    // every 7th row and both nodes.
    Path yaml = stateDir.resolve("short-window.yaml");
    java.nio.file.Files.writeString(
        yaml,
        java.nio.file.Files.readString(Path.of("config/monitors/validation.yaml"))
            .replace("preWindow: 400", "preWindow: 60"));
    monitor = MonitorLoader.load(yaml);
    assertEquals(60, monitor.preWindow());
    restart(settings, StreamListener.NONE, "sliding");
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, t.rows());
    double[][] values = ScmFitter.columnsOf(monitor.graph(), t);
    int checked = 0;
    for (JsonNode h : values(output(settings.healthTopic()))) {
      int s = (int) (Instant.parse(h.get("timestamp").asText()).toEpochMilli() / HOUR);
      if (s % 7 != 0) {
        continue;
      }
      String node = h.get("node").asText();
      int from = Math.max(0, s - monitor.preWindow());
      EquationLayout layout = EquationLayout.of(monitor.graph(), node, from, s - from);
      FittedEquation eq = ScmFitter.with(monitor.fit()).fitEquation(layout, values, from, s);
      double expected = layout.predict(eq.coefficients(), (n, r) -> values[n][r], s);
      assertEquals(expected, h.get("predicted").asDouble(), 1e-8 * Math.max(1, Math.abs(expected)),
          () -> "row " + s + " " + h);
      assertEquals(eq.rSquared(), h.get("rSquared").asDouble(), 1e-8, () -> "row " + s);
      assertEquals(eq.sigma(), h.get("sigma").asDouble(), 1e-8 * eq.sigma(), () -> "row " + s);
      checked++;
    }
    assertTrue(checked > 110, "health records checked: " + checked);
  }

  @Test
  void outOfOrderPointsWithinGraceAreAggregatedAndLatePointsAreDeadLetters() throws Exception {
    restart(
        TopologySettings.defaults().withGrace(Duration.ofMinutes(30)),
        StreamListener.NONE,
        "grace");
    point("x", 0, 1.0);
    point("y", 10, 2.0);
    point("x", HOUR + 5, 3.0);
    point("y", HOUR + 20 * 60_000, 4.0); // row 0 still open: grace runs to 1h30m
    point("x", 20 * 60_000, 5.0); // out of order, within grace: joins row 0 (mean of 1 and 5)
    point("x", 2 * HOUR, 6.0); // closes rows 0 (and nothing else: row 1 ends at 2h + 30m)
    point("y", 2 * HOUR + 31 * 60_000, 7.0); // closes row 1
    point("x", 30 * 60_000, 8.0); // row 0 closed long ago: late
    MonitorQueries q = MonitorQueries.of(List.of(monitor), driver::getKeyValueStore);
    TimeSeriesTable rows = q.recentRows("validation", 10).orElseThrow();
    assertEquals(2, rows.rows());
    assertEquals(3.0, rows.value("x", 0), 1e-12, "mean of 1 and 5");
    assertEquals(2.0, rows.value("y", 0), 1e-12);
    assertEquals(4.0, rows.value("y", 1), 1e-12);
    List<TestRecord<byte[], byte[]>> dlq =
        output(TopologySettings.dlq(settings.metricsTopic())).readRecordsToList();
    assertEquals(List.of("late"), dlq.stream().map(r -> header(r, DeadLetter.REASON)).toList());
  }

  @Test
  void concurrentInterventionsAreReportedSeparatelyAndDuplicatesRejected() throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    event(
        "{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":" + START * HOUR
            + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}",
        START * HOUR);
    event(
        "{\"monitor\":\"validation\",\"id\":\"b\",\"timestamp\":" + (START + 2) * HOUR
            + ",\"do\":{\"x\":{\"observed\":true}},\"outcomes\":[\"y\"]}",
        START * HOUR);
    event(
        "{\"monitor\":\"validation\",\"id\":\"a\",\"timestamp\":" + START * HOUR
            + ",\"do\":{\"x\":{\"shift\":1.0}}}",
        START * HOUR);
    pipeRows(t, START, START + 6);
    List<TestRecord<byte[], byte[]>> impact = output(settings.impactTopic()).readRecordsToList();
    List<String> keys =
        impact.stream().map(r -> new String(r.key(), StandardCharsets.UTF_8)).toList();
    assertEquals(5, keys.stream().filter(k -> k.equals("validation/a/y")).count());
    assertEquals(3, keys.stream().filter(k -> k.equals("validation/b/y")).count());
    List<TestRecord<byte[], byte[]>> dlq =
        output(TopologySettings.dlq(settings.interventionsTopic())).readRecordsToList();
    assertEquals(
        List.of("duplicate-start"), dlq.stream().map(r -> header(r, DeadLetter.REASON)).toList());
    MonitorQueries q = MonitorQueries.of(List.of(monitor), driver::getKeyValueStore);
    assertEquals(2, q.monitor("validation").orElseThrow().interventions().size());
    assertEquals(
        5, q.intervention("validation", "a").orElseThrow().analysis().outcome("y").series().size());
  }

  /** (Re)creates the driver with these settings and listener, its state under {@code name}. */
  private void restart(TopologySettings next, StreamListener listener, String name) {
    if (driver != null) {
      driver.close();
    }
    settings = next;
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-test-" + name);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
    driver =
        new TopologyTestDriver(MonitorTopology.build(List.of(monitor), settings, listener), p);
    metrics =
        driver.createInputTopic(
            settings.metricsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
    interventions =
        driver.createInputTopic(
            settings.interventionsTopic(), new ByteArraySerializer(), new ByteArraySerializer());
  }

  @Test
  void afterTheEndThePersistingEffectIsReportedWithTheDoOperatorLifted() throws Exception {
    int end = START + 10;
    int persistence = 10;
    restart(
        TopologySettings.defaults().withGrace(Duration.ZERO).withPersistenceRows(persistence),
        StreamListener.NONE,
        "persistence");
    Intervention campaign =
        new Intervention("campaign", Map.of("x", new DoSpec.Shift(5.0)), List.of("y"), START, end);
    // data whose x carries the shift on through its own lag after the end (DataSimulator)
    TimeSeriesTable t =
        DataSimulator.simulate(monitor.graph(), monitor.simulation(), campaign, 3L).table();
    pipeRows(t, 0, START);
    startCampaign();
    pipeRows(t, START, end);
    event(
        "{\"monitor\":\"validation\",\"id\":\"campaign\",\"action\":\"end\",\"timestamp\":"
            + end * HOUR + "}",
        end * HOUR);
    pipeRows(t, end, ROWS);
    point("x", ROWS * HOUR, 20.0); // closes the last row (grace 0)

    List<JsonNode> impact = values(output(settings.impactTopic()));
    assertEquals(ROWS - START, impact.size(), "rows of the intervention and of the persistence");
    ImpactAnalysis batch = batch(t.slice(0, ROWS), end);
    StepImpact last = batch.outcome("y").series().get(ROWS - START - 1);
    JsonNode lastRecord = impact.get(impact.size() - 1);
    assertEquals(last.cumulative().mean(), lastRecord.get("cumulative").get("mean").asDouble(), 1e-9);
    assertEquals(
        last.expectedEffect().mean(), lastRecord.get("expectedEffect").get("mean").asDouble(), 1e-9);
    for (int h = 0; h < impact.size(); h++) {
      assertEquals(
          START + h < end ? "active" : "after-end", impact.get(h).get("phase").asText(), "h=" + h);
    }
    // y = ... + 1.5 x + 0.5 x(t-1) + 0.4 y(t-1), x = 20 + 0.6 x(t-1): once the shift of 5 stops,
    // the model's predicted effect decays (its fitted coefficients are estimates, so only the
    // shape is asserted): positive, smaller every row, below a fifth of the last active row's
    double active = impact.get(end - START - 1).get("expectedEffect").get("mean").asDouble();
    double previous = active;
    for (int h = end - START; h < impact.size(); h++) {
      double e = impact.get(h).get("expectedEffect").get("mean").asDouble();
      assertTrue(e > 0 && e < previous, "h=" + h + ": " + e + " after " + previous);
      previous = e;
    }
    assertTrue(previous < active / 5, previous + " vs " + active);

    assertEndAndPersistenceSummaries(batch(t.slice(0, end), -1), batch);
    MonitorQueries q = MonitorQueries.of(List.of(monitor), driver::getKeyValueStore);
    MonitorQueries.Impact fromApi = q.intervention("validation", "campaign").orElseThrow();
    assertFalse(fromApi.status().active());
    assertEquals(ROWS - START, fromApi.analysis().outcome("y").series().size());
  }

  /**
   * The summaries are an {@code end} one, whose average effect is that of {@code during}, then a
   * {@code persistence-end} one, whose average effect is that of {@code through}.
   */
  private void assertEndAndPersistenceSummaries(ImpactAnalysis during, ImpactAnalysis through)
      throws Exception {
    List<JsonNode> summaries = values(output(settings.summaryTopic()));
    assertEquals(List.of("end", "persistence-end"),
        summaries.stream().map(n -> n.get("phase").asText()).toList());
    assertEquals(
        during.outcome("y").summary().average().effect().mean(),
        summaries.get(0).get("summary").get("average").get("effect").get("mean").asDouble(),
        1e-9);
    assertEquals(
        through.outcome("y").summary().average().effect().mean(),
        summaries.get(1).get("summary").get("average").get("effect").get("mean").asDouble(),
        1e-9);
  }

  @Test
  void theListenerHearsRowsImpactHealthAndDeadLetters() throws Exception {
    Map<String, Integer> heard = new java.util.concurrent.ConcurrentHashMap<>();
    StreamListener counting =
        new StreamListener() {
          @Override
          public void recordIn(String topic) {
            heard.merge("in:" + topic, 1, Integer::sum);
          }

          @Override
          public void deadLetter(String sourceTopic, String reason, String monitor) {
            heard.merge("dead:" + sourceTopic + ":" + reason, 1, Integer::sum);
          }

          @Override
          public void rowClosed(String m, long stepStartMillis) {
            heard.merge("row", 1, Integer::sum);
          }

          @Override
          public void impact(String m, String iv, StreamingAnalysis.OutcomeStep o) {
            heard.merge("impact:" + iv + ":" + o.node(), 1, Integer::sum);
          }

          @Override
          public void interventionEnded(String m, String iv) {
            heard.merge("ended:" + iv, 1, Integer::sum);
          }

          @Override
          public void health(String m, String node, double r2, double scale, Double coverage) {
            heard.merge("health:" + node, 1, Integer::sum);
          }
        };
    restart(TopologySettings.defaults().withGrace(Duration.ZERO), counting, "listener");
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    event(
        "{\"monitor\":\"validation\",\"id\":\"c\",\"timestamp\":" + START * HOUR
            + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}",
        START * HOUR);
    pipeRows(t, START, START + 4);
    event(
        "{\"monitor\":\"validation\",\"id\":\"c\",\"action\":\"end\",\"timestamp\":"
            + (START + 3) * HOUR + "}",
        (START + 4) * HOUR);
    metrics.pipeInput(utf8("x"), utf8("{not json"), 0L);
    point("x", 0, 1.0); // row 0 closed long ago

    int points = 2 * (START + 4) + 2;
    assertEquals(points, heard.get("in:" + settings.metricsTopic()));
    assertEquals(2, heard.get("in:" + settings.interventionsTopic()));
    assertEquals(1, heard.get("dead:" + settings.metricsTopic() + ":malformed-json"));
    assertEquals(1, heard.get("dead:" + settings.metricsTopic() + ":late"));
    assertEquals(START + 3, heard.get("row"), "rows 0..START+2 closed by the points so far");
    assertEquals(3, heard.get("impact:c:y"));
    assertEquals(1, heard.get("ended:c"));
    assertEquals(output(settings.healthTopic()).getQueueSize(), heard.get("health:x") + heard.get("health:y"));
  }

  @Test
  void aPointFarBehindTheFirstOpenStepIsABadTimestampNotMillionsOfRows() {
    long far = (RowCloser.MAX_GAP_STEPS + 10) * HOUR;
    point("x", far, 1.0);
    point("y", 0, 2.0); // no row has closed yet: closing every step in between would stall
    List<TestRecord<byte[], byte[]>> dlq =
        output(TopologySettings.dlq(settings.metricsTopic())).readRecordsToList();
    assertEquals(List.of("bad-timestamp"), dlq.stream().map(r -> header(r, DeadLetter.REASON)).toList());
    assertTrue(header(dlq.get(0), DeadLetter.ERROR).contains("behind"), header(dlq.get(0), DeadLetter.ERROR));
    MonitorQueries q = MonitorQueries.of(List.of(monitor), driver::getKeyValueStore);
    assertEquals(0, q.recentRows("validation", 10).orElseThrow().rows());
  }

  @Test
  void rowsOlderThanWhatIsKeptLeaveTheStoreInChunksAndTheChangelogGetsTombstones() throws Exception {
    restart(
        new TopologySettings(
            "metrics", "interventions", "impact", "impact.summary", "model.health",
            Duration.ZERO, 20),
        StreamListener.NONE,
        "pruned");
    int n = 1000;
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, Math.min(n, t.rows()));
    for (int r = t.rows(); r < n; r++) {
      point("x", r * HOUR, 1.0);
      point("y", r * HOUR + 1000, 2.0);
    }
    point("x", n * HOUR, 1.0); // closes row n - 1
    List<Long> stored =
        StoredRows.range(
                driver.<String, RowChunk>getKeyValueStore(StoreNames.ROWS_STORE),
                monitor.name(), 0, Long.MAX_VALUE)
            .stream()
            .map(GridRow::step)
            .toList();
    assertTrue(stored.size() > 400 && stored.size() < n, "rows kept: " + stored.size());
    assertEquals(n - 1, stored.get(stored.size() - 1));
    assertEquals(stored.size() - 1, stored.get(stored.size() - 1) - stored.get(0), "consecutive");
    long first = stored.get(0);
    assertEquals(0, first % RowChunk.SIZE, "whole chunks leave");
    // the changelog ends with a tombstone for every chunk that left and a value for every kept one
    Map<String, byte[]> latest = new java.util.HashMap<>();
    for (TestRecord<byte[], byte[]> r :
        output("topology-test-pruned-" + StoreNames.ROWS_STORE + "-changelog")
            .readRecordsToList()) {
      latest.put(new String(r.key(), StandardCharsets.UTF_8), r.value());
    }
    long chunks = RowChunk.indexOf(n - 1) + 1;
    assertEquals(chunks, latest.size(), "one changelog key per chunk of closed rows");
    for (long c = 0; c < chunks; c++) {
      byte[] v = latest.get(RowChunk.key(monitor.name(), c));
      assertEquals(c < RowChunk.indexOf(first), v == null, "chunk " + c + ", first row " + first);
    }
  }

  @Test
  void atMaxPostRowsTheCampaignIsSummarisedAndTheMonitorReturnsToModelHealth() throws Exception {
    int cap = 8;
    restart(
        new TopologySettings(
            "metrics", "interventions", "impact", "impact.summary", "model.health",
            Duration.ZERO, cap),
        StreamListener.NONE,
        "capped");
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    startCampaign();
    TestOutputTopic<byte[], byte[]> health = output("model.health");
    health.readValuesToList();
    pipeRows(t, START, ROWS);
    point("x", ROWS * HOUR, 20.0);
    endCampaign();

    List<JsonNode> impact = values(output("impact"));
    assertEquals(cap, impact.size(), "impact records stop at the cap");
    List<JsonNode> summaries = values(output("impact.summary"));
    assertEquals(1, summaries.size());
    JsonNode s = summaries.get(0);
    assertEquals("max-post-rows", s.get("phase").asText());
    assertEquals(START, s.get("postPeriod").get("start").asInt());
    assertEquals(START + cap - 1, s.get("postPeriod").get("end").asInt());
    JsonNode notes = s.get("notes");
    assertTrue(
        notes.get(notes.size() - 1).asText().contains("monitor.max.post.rows = " + cap),
        notes.toString());
    // the summary equals the batch analysis of the capped rows
    ImpactAnalysis expected = batch(t.slice(0, START + cap), -1);
    assertEquals(
        expected.outcomes().get(0).summary().average().effect().mean(),
        s.get("outcomes").get(0).get("summary").get("average").get("effect").get("mean")
            .asDouble());
    // model health runs on row START - 1 (it closes after the start event, before the campaign)
    // and again from the row after the cap: rows START + cap .. ROWS - 1, none in between
    List<JsonNode> after = values(health);
    assertEquals(1 + ROWS - START - cap, after.size() / 2, "model health resumes after the cap");
    List<TestRecord<byte[], byte[]>> dlq = output("interventions.dlq").readRecordsToList();
    assertEquals(1, dlq.size());
    assertEquals("already-ended", header(dlq.get(0), DeadLetter.REASON));
  }

  // ---- the intervention lifecycle: pending, cancelled, capped, failed, ended late ------------

  private void start(String id, long step) {
    event(
        "{\"monitor\":\"validation\",\"id\":\"" + id + "\",\"timestamp\":" + step * HOUR
            + ",\"do\":{\"x\":{\"shift\":5.0}},\"outcomes\":[\"y\"]}",
        step * HOUR);
  }

  private void end(String id, long step) {
    event(
        "{\"monitor\":\"validation\",\"id\":\"" + id + "\",\"action\":\"end\",\"timestamp\":"
            + step * HOUR + "}",
        step * HOUR);
  }

  private InterventionStatus status(String id) {
    return MonitorQueries.of(List.of(monitor), driver::getKeyValueStore)
        .monitor("validation").orElseThrow().interventions().stream()
        .filter(i -> i.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  /** The rows model health reported on, by step. */
  private java.util.Set<Long> healthRows() throws Exception {
    java.util.Set<Long> rows = new java.util.TreeSet<>();
    for (JsonNode h : values(output(settings.healthTopic()))) {
      rows.add(Instant.parse(h.get("timestamp").asText()).toEpochMilli() / HOUR);
    }
    return rows;
  }

  private List<String> reasons(String inputTopic) {
    return output(TopologySettings.dlq(inputTopic)).readRecordsToList().stream()
        .map(r -> header(r, DeadLetter.REASON))
        .toList();
  }

  @Test
  void aStartInTheFutureIsPendingAndModelHealthRunsUntilItsFirstStep() throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START); // rows through START - 2 closed
    int first = START + 10;
    start("later", first);
    assertEquals(InterventionStatus.State.PENDING, status("later").state());
    assertFalse(status("later").active());
    assertTrue(output(settings.impactTopic()).isEmpty());
    TestOutputTopic<byte[], byte[]> index =
        output("topology-test-main-" + StoreNames.STATE_STORE + "-changelog");
    TestOutputTopic<byte[], byte[]> records =
        output("topology-test-main-" + StoreNames.INTERVENTIONS_STORE + "-changelog");
    assertEquals(1, index.readRecordsToList().size());
    assertEquals(1, records.readRecordsToList().size());

    pipeRows(t, START, first + 5); // closes rows through first + 3
    assertTrue(index.isEmpty(), "a closed row leaves the index as it is");
    assertEquals(
        java.util.Collections.nCopies(4, "validation/later"),
        records.readRecordsToList().stream()
            .map(r -> new String(r.key(), StandardCharsets.UTF_8))
            .toList(),
        "each row it reports rewrites its record, and no row before");
    java.util.Set<Long> health = healthRows();
    for (long r = START - 1; r < first; r++) {
      assertTrue(health.contains(r), "model health runs until the start: row " + r);
    }
    for (long r = first; r <= first + 3; r++) {
      assertFalse(health.contains(r), "no model health while it runs: row " + r);
    }
    List<JsonNode> impact = values(output(settings.impactTopic()));
    assertEquals(List.of(1, 2, 3, 4), impact.stream().map(n -> n.get("step").asInt()).toList());
    assertEquals(
        Instant.ofEpochMilli(first * HOUR).toString(), impact.get(0).get("timestamp").asText());
    assertEquals(InterventionStatus.State.ACTIVE, status("later").state());
    assertEquals(4, status("later").stepsReported());
  }

  @Test
  void howFarAheadAStartMayLieIsMeasuredFromTheNewestPointOrTheClockWhicheverIsLater()
      throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, 10); // a backlog: the newest point is at row 9 (1970), the clock is now
    start("campaign", START); // 390 rows after the newest point, but before the clock
    event(
        "{\"monitor\":\"validation\",\"id\":\"typo\",\"timestamp\":\"9999-01-01T00:00:00Z\","
            + "\"do\":{\"x\":{\"shift\":5.0}}}",
        START * HOUR);
    assertEquals(List.of("too-far-ahead"), reasons(settings.interventionsTopic()));
    assertEquals(InterventionStatus.State.PENDING, status("campaign").state());
    pipeRows(t, 10, START + 3); // closes rows through START + 1
    assertEquals(2, output(settings.impactTopic()).getQueueSize());

    restart(settings, StreamListener.NONE, "ahead-of-the-clock");
    long row = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli() / HOUR;
    point("x", row * HOUR, 1.0); // data ahead of the clock: its newest point is the reference
    start("in-six-days", row + 6 * 24);
    start("in-eight-days", row + 8 * 24);
    assertEquals(List.of("too-far-ahead"), reasons(settings.interventionsTopic()));
    assertEquals(InterventionStatus.State.PENDING, status("in-six-days").state());
  }

  @Test
  void anEndAtOrBeforeAPendingStartCancelsIt() throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    int first = START + 10;
    start("never", first);
    pipeRows(t, START, START + 4);
    end("never", first); // at its start: it never runs
    pipeRows(t, START + 4, first + 6); // closes rows through first + 4

    assertTrue(output(settings.impactTopic()).isEmpty(), "no impact record");
    assertTrue(output(settings.summaryTopic()).isEmpty(), "no summary");
    assertEquals(List.of(), reasons(settings.interventionsTopic()));
    java.util.Set<Long> health = healthRows();
    for (long r = START - 1; r <= first + 4; r++) {
      assertTrue(health.contains(r), "model health goes on: row " + r);
    }
    InterventionStatus s = status("never");
    assertEquals(InterventionStatus.State.CANCELLED, s.state());
    assertEquals(s.start(), s.end(), "it ran for no step");
    assertEquals(0, s.stepsReported());
    start("never", first + 20); // its id stays taken while it is kept
    assertEquals(List.of("duplicate-start"), reasons(settings.interventionsTopic()));
  }

  @Test
  void aStartOverTheRunningCapIsDeadLetteredUntilOneEnds() {
    restart(
        settings.withInterventions(InterventionLimits.defaults().withMaxRunning(2)),
        StreamListener.NONE, "cap");
    pipeRows(simulate().table(), 0, 10);
    start("a", 20);
    start("b", 21);
    start("c", 22);
    List<TestRecord<byte[], byte[]>> dlq =
        output(TopologySettings.dlq(settings.interventionsTopic())).readRecordsToList();
    assertEquals(
        List.of("too-many-running"), dlq.stream().map(r -> header(r, DeadLetter.REASON)).toList());
    assertTrue(
        header(dlq.get(0), DeadLetter.ERROR).contains("monitor.interventions.max.running=2"),
        header(dlq.get(0), DeadLetter.ERROR));
    end("a", 20); // cancels the pending a
    start("c", 22);
    assertEquals(List.of(), reasons(settings.interventionsTopic()));
    assertEquals(InterventionStatus.State.PENDING, status("c").state());
  }

  @Test
  void aCancelledInterventionIsNotNamedAsOverlappingTheFitWindow() {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, 100);
    start("cancelled", 150);
    end("cancelled", 150); // cancels the pending start
    start("ran", 200);
    pipeRows(t, 100, 260);
    end("ran", 230);
    MonitorService service =
        new MonitorService(MonitorQueries.of(List.of(monitor), driver::getKeyValueStore));
    List<String> named =
        service.detail(service.status("validation").orElseThrow()).fit().overlapsInterventions();
    assertEquals(List.of("ran"), named, "the fit window holds rows 0..258; only 'ran' ran in it");
  }

  @Test
  void anInterventionWhoseAnalysisFailsEndsThereAsFailed() {
    pipeRows(simulate().table(), 0, 20);
    start("early", 5); // 5 rows cannot support the model
    assertEquals(List.of("analysis-failed"), reasons(settings.interventionsTopic()));
    InterventionStatus s = status("early");
    assertEquals(InterventionStatus.State.FAILED, s.state());
    assertFalse(s.active());
    assertEquals(Instant.ofEpochMilli(5 * HOUR), s.end(), "it ends at the row that failed");
  }

  @Test
  void anEndAfterRowsPastItWereReportedReportsThemAgainAfterTheEnd() throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    start("campaign", START);
    int last = START + 9;
    pipeRows(t, START, last + 1);
    point("x", (last + 1) * HOUR, t.value("x", last + 1)); // closes row last
    int end = START + 5;
    end("campaign", end); // five rows after it were reported as active

    List<TestRecord<byte[], byte[]>> records = output(settings.impactTopic()).readRecordsToList();
    assertEquals(10 + 5, records.size(), "ten rows, then the five after the end again");
    ImpactAnalysis batch = batch(t.slice(0, last + 1), end);
    List<StepImpact> series = batch.outcome("y").series();
    for (int i = 10; i < records.size(); i++) {
      TestRecord<byte[], byte[]> again = records.get(i);
      TestRecord<byte[], byte[]> before = records.get(i - 5);
      assertEquals("validation/campaign/y", new String(again.key(), StandardCharsets.UTF_8));
      assertEquals(before.timestamp(), again.timestamp(), "the same row");
      JsonNode r = Json.MAPPER.readTree(again.value());
      int h = r.get("step").asInt() - 1;
      assertEquals(i - 5, h);
      assertEquals("active", Json.MAPPER.readTree(before.value()).get("phase").asText());
      assertEquals("after-end", r.get("phase").asText());
      assertEquals(series.get(h).cumulative().mean(), r.get("cumulative").get("mean").asDouble(),
          1e-9);
      assertEquals(series.get(h).expectedEffect().mean(),
          r.get("expectedEffect").get("mean").asDouble(), 1e-9);
    }
    assertEndAndPersistenceSummaries(batch(t.slice(0, end), -1), batch);
    InterventionStatus s = status("campaign");
    assertEquals(InterventionStatus.State.ENDED, s.state());
    assertEquals(Instant.ofEpochMilli(end * HOUR), s.end());
  }

  /**
   * The API's report, advanced row by row by its own incremental analysis, equals the batch
   * analysis of the same rows as JSON, number for number: while the campaign runs, and after an
   * end that comes when rows past it were reported (the analysis is set up again).
   */
  @Test
  void incrementalReportsEqualTheBatchReportRowByRow() throws Exception {
    TimeSeriesTable t = simulate().table();
    pipeRows(t, 0, START);
    startCampaign();
    MonitorQueries q = MonitorQueries.of(List.of(monitor), driver::getKeyValueStore);
    IncrementalReport kept = null;
    int compared = 0;
    for (int r = START; r < START + 12; r++) {
      pipeRows(t, r, r + 1);
      point("x", (r + 1) * HOUR, t.value("x", r + 1)); // closes row r
      if (r == START + 9) {
        // the end at START + 6 comes after rows past it were reported
        event(
            "{\"monitor\":\"validation\",\"id\":\"campaign\",\"action\":\"end\","
                + "\"timestamp\":" + (START + 6) * HOUR + "}",
            (START + 6) * HOUR);
      }
      MonitorQueries.InterventionRows rows =
          q.interventionRows("validation", "campaign").orElseThrow();
      IncrementalReport.Result got =
          IncrementalReport.report(kept, rows.definition(), rows.record(), rows.slice());
      kept = got.next();
      MonitorQueries.Impact batch = q.intervention("validation", "campaign").orElseThrow();
      assertEquals(
          Json.MAPPER.valueToTree(AnalysisReport.of(batch.analysis(), batch.table())),
          Json.MAPPER.valueToTree(got.report()),
          "report after row " + r);
      compared++;
    }
    assertEquals(12, compared);
  }

  private static String header(TestRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
