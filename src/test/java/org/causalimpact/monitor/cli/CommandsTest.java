package org.causalimpact.monitor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands end to end, in-process, on data they make themselves (and the vignette). */
class CommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DEMO = "config/monitors/demo.yaml";
  private static final String CAMPAIGN = "config/interventions/demo-campaign.json";

  @TempDir Path dir;

  /** y = 1.2 x + N(0, 1), x an AR(1) around 100, +5 from row 70 of 100; seed 42. */
  private Path causalImpactData() throws Exception {
    Random rnd = new Random(42);
    StringBuilder sb = new StringBuilder("date,y,x\n");
    double x = 100;
    for (int t = 0; t < 100; t++) {
      x = 100 + 0.8 * (x - 100) + rnd.nextGaussian();
      double y = 1.2 * x + rnd.nextGaussian() + (t >= 70 ? 5 : 0);
      sb.append(
          String.format(Locale.ROOT, "%s,%.6f,%.6f%n", LocalDate.of(2014, 1, 1).plusDays(t), y, x));
    }
    return Files.writeString(dir.resolve("ci.csv"), sb.toString());
  }

  @Test
  void causalImpactModeTextReport() throws Exception {
    CliRun r =
        CliRun.of(
            "analyze", "--csv", causalImpactData().toString(), "--pre", "0:69", "--post",
            "2014-03-12:2014-04-10", "--bootstrap", "199");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("Causal impact on ci: the post-period against"), r.out());
    assertTrue(r.out().contains("Outcome y — pre rows 0–69 (2014-01-01..2014-03-11), post rows"
        + " 70–99 (2014-03-12..2014-04-10), 95% intervals"), r.out());
    assertTrue(r.out().contains("Prediction (s.d.)"), r.out());
    assertTrue(r.out().contains("p-value (bootstrap, two-sided):"), r.out());
    assertTrue(r.out().contains("By the bootstrap route, the effect is statistically significant"),
        r.out());
    assertTrue(r.out().contains("Model of y: a local level whose level drifts by"), r.out());
  }

  @Test
  void levelModelChoosesTheErrorProcessAndRefusesUnknownNames() throws Exception {
    CliRun none =
        CliRun.of(
            "analyze", "--csv", causalImpactData().toString(), "--pre", "0:69", "--post", "70:99",
            "--bootstrap", "99", "--level-model", "none");
    assertEquals(0, none.code(), none.toString());
    assertTrue(!none.out().contains("Model of y"), none.out());
    CliRun bad =
        CliRun.of(
            "analyze", "--csv", causalImpactData().toString(), "--pre", "0:69", "--post", "70:99",
            "--level-model", "drift");
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(
        bad.err().contains("--level-model: unknown level 'drift': use one of auto, none, local,"
            + " trend"),
        bad.toString());
  }

  @Test
  void outliersAreKeptOrReplacedAndOtherWordsRefused() throws Exception {
    CliRun replace =
        CliRun.of(
            "analyze", "--csv", causalImpactData().toString(), "--pre", "0:69", "--post", "70:99",
            "--bootstrap", "99", "--outliers", "replace");
    assertEquals(0, replace.code(), replace.toString());
    CliRun bad =
        CliRun.of(
            "analyze", "--csv", causalImpactData().toString(), "--pre", "0:69", "--post", "70:99",
            "--outliers", "drop");
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(bad.err().contains("--outliers must be keep (the default: name them in a note) or"
        + " replace (by the fit's one-step prediction); got 'drop'"), bad.toString());
  }

  @Test
  void causalImpactModeJsonOutputFileAndPlot() throws Exception {
    Path json = dir.resolve("out/report.json");
    Path png = dir.resolve("out/plots/impact.png");
    CliRun r =
        CliRun.of(
            "analyze", "--csv", causalImpactData().toString(), "--pre", "0:69", "--post", "70:99",
            "--bootstrap", "199", "--seed", "3", "--format", "JSON", "--output", json.toString(),
            "--plot", png.toString(), "--plot-size", "900x700");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.out(), "the report went to --output");
    JsonNode root = JSON.readTree(json.toFile());
    assertEquals(1, root.get("schema").asInt());
    assertEquals("y", root.get("outcome").asText());
    assertEquals(30, root.get("series").size());
    assertEquals(70, root.at("/series/0/row").asInt());
    double effect = root.at("/summary/average/effect/mean").asDouble();
    assertTrue(effect > 3 && effect < 7, "average effect near the true +5: " + effect);
    assertTrue(root.at("/summary/pValue").has("conformal"));
    BufferedImage img = ImageIO.read(png.toFile());
    assertNotNull(img);
    assertEquals(900, img.getWidth());
    assertEquals(700, img.getHeight());
  }

  /**
   * A monitor owned by this test, so that tuning of the shipped demo does not move its numbers:
   * spend -> visits (AR 1), other unrelated; the campaign shifts spend by +10 from row 200, so the
   * long-run effect on visits is 2 * 10 / (1 - 0.3) = 28.6.
   */
  private static final String FUNNEL =
      """
      name: funnel
      step: 1m
      preWindow: 200
      seed: 3
      nodes:
        - name: spend
        - name: visits
          parents: [spend]
          ar: 1
        - name: other
      simulation:
        rows: 300
        equations:
          spend: {intercept: 100, noise: 5}
          visits: {intercept: 50, parents: {spend: [2.0]}, ar: [0.3], noise: 5}
          other: {intercept: 10, noise: 1}
      """;

  private static final String FUNNEL_CAMPAIGN =
      "{\"monitor\": \"funnel\", \"id\": \"push\", \"action\": \"start\","
          + " \"timestamp\": \"2026-01-01T03:20:00Z\", \"do\": {\"spend\": {\"shift\": 10}},"
          + " \"outcomes\": [\"visits\"]}";

  private Path funnel() throws Exception {
    return Files.writeString(dir.resolve("funnel.yaml"), FUNNEL);
  }

  @Test
  void simulateThenAnalyzeInGraphMode() throws Exception {
    String monitor = funnel().toString();
    Path event = Files.writeString(dir.resolve("push.json"), FUNNEL_CAMPAIGN);
    CliRun sim =
        CliRun.of("simulate", "--monitor", monitor, "--intervention", event.toString(), "--seed",
            "5");
    assertEquals(0, sim.code(), sim.toString());
    List<String> lines = sim.out().lines().toList();
    assertEquals("timestamp,spend,visits,other", lines.get(0));
    assertEquals(301, lines.size());
    assertTrue(lines.get(1).startsWith("2026-01-01T00:00:00Z,"), lines.get(1));
    assertTrue(lines.get(201).startsWith("2026-01-01T03:20:00Z,"), lines.get(201));
    Matcher m =
        Pattern.compile("true average effect of push on visits: (\\S+) \\(rows 200–299\\)")
            .matcher(sim.err());
    assertTrue(m.find(), sim.err());
    double trueVisits = Double.parseDouble(m.group(1));
    assertTrue(trueVisits > 25 && trueVisits < 30, "true effect " + trueVisits);

    CliRun a =
        CliRun.withInput(
            sim.out(), "analyze", "--monitor", monitor, "--csv", "-", "--intervention",
            "@" + event, "--bootstrap", "199", "--format", "json");
    assertEquals(0, a.code(), a.toString());
    JsonNode root = JSON.readTree(a.out());
    assertEquals("funnel", root.get("monitor").asText());
    assertEquals("push", root.get("intervention").asText());
    assertEquals(0, root.at("/prePeriod/start").asInt());
    assertEquals(199, root.at("/prePeriod/end").asInt());
    assertEquals(200, root.at("/postPeriod/start").asInt());
    assertEquals("2026-01-01T03:20:00Z", root.at("/postPeriod/startLabel").asText());
    assertEquals(1, root.get("outcomes").size());
    assertEquals("visits", root.get("outcome").asText());
    assertFalse(root.at("/summary/average/expectedEffect/mean").isMissingNode());
    assertFalse(root.at("/series/0/expectedEffect").isMissingNode());
    double observed = root.at("/summary/average/effect/mean").asDouble();
    assertTrue(Math.abs(observed - trueVisits) < 8, "observed " + observed + " vs " + trueVisits);
  }

  /**
   * Issue 20: an outcome do() cannot reach ('other' is no descendant of 'spend') is reported with
   * a note that its estimate is a placebo check, in the text report and in the JSON.
   */
  @Test
  void anOutcomeTheInterventionCannotReachIsNotedAsAPlaceboCheck() throws Exception {
    String monitor = funnel().toString();
    CliRun sim =
        CliRun.of(
            "simulate", "--monitor", monitor, "--intervention", FUNNEL_CAMPAIGN, "--seed", "5");
    assertEquals(0, sim.code(), sim.toString());
    String event = FUNNEL_CAMPAIGN.replace("[\"visits\"]", "[\"visits\", \"other\"]");
    String note =
        "other: not a descendant of the intervened node spend, so do() cannot change it; its"
            + " effect estimate measures the model's error (a placebo check)";
    CliRun text =
        CliRun.withInput(
            sim.out(), "analyze", "--monitor", monitor, "--csv", "-", "--intervention", event,
            "--bootstrap", "99");
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("Notes:\n- " + note), text.out());
    assertFalse(text.out().contains("visits: not a descendant"), text.out());
    CliRun json =
        CliRun.withInput(
            sim.out(), "analyze", "--monitor", monitor, "--csv", "-", "--intervention", event,
            "--bootstrap", "99", "--format", "json");
    assertEquals(0, json.code(), json.toString());
    JsonNode notes = JSON.readTree(json.out()).get("notes");
    assertEquals(1, notes.size(), notes.toString());
    assertTrue(notes.get(0).asText().startsWith(note), notes.toString());
  }

  /** The shipped demo monitor and campaign work together. */
  @Test
  void shippedDemoFilesWorkTogether() {
    CliRun sim = CliRun.of("simulate", "--monitor", DEMO, "--intervention", CAMPAIGN);
    assertEquals(0, sim.code(), sim.toString());
    assertTrue(sim.out().startsWith("timestamp,"), sim.out().lines().findFirst().orElse(""));
    assertTrue(sim.err().contains("true average effect of demo-campaign on visits: "), sim.err());
    assertTrue(sim.err().contains("true average effect of demo-campaign on signups: "), sim.err());
    CliRun a =
        CliRun.withInput(
            sim.out(), "analyze", "--monitor", DEMO, "--csv", "-", "--intervention", CAMPAIGN,
            "--bootstrap", "99");
    assertEquals(0, a.code(), a.toString());
    assertTrue(a.out().contains("Outcome visits"), a.out());
    assertTrue(a.out().contains("Outcome signups"), a.out());
    assertTrue(a.out().contains("Expected effect (do, model)"), a.out());
  }

  @Test
  void graphModeNotesAShortPreWindowAndChecksColumns() throws Exception {
    String monitor = funnel().toString();
    CliRun sim =
        CliRun.of("simulate", "--monitor", monitor, "--intervention", FUNNEL_CAMPAIGN, "--rows",
            "200", "--start", "2026-01-01T01:40:00Z");
    assertEquals(0, sim.code(), sim.toString());
    CliRun a =
        CliRun.withInput(
            sim.out(), "analyze", "--monitor", monitor, "--csv", "-", "--intervention",
            FUNNEL_CAMPAIGN, "--bootstrap", "99");
    assertEquals(0, a.code(), a.toString());
    assertTrue(a.err().contains("note: the data has only 100 rows before the intervention"),
        a.toString());
    assertTrue(a.out().contains("- the data has only 100 rows before the intervention"), a.out());

    String missing = sim.out().replace(",other", ",others");
    CliRun b =
        CliRun.withInput(
            missing, "analyze", "--monitor", monitor, "--csv", "-", "--intervention",
            FUNNEL_CAMPAIGN);
    assertEquals(2, b.code(), b.toString());
    assertTrue(b.err().contains("has no column for node 'other' of monitor 'funnel'"), b.err());

    CliRun c =
        CliRun.withInput(
            sim.out(), "analyze", "--monitor", monitor, "--csv", "-", "--intervention",
            FUNNEL_CAMPAIGN.replace("\"funnel\"", "\"checkout\""));
    assertEquals(2, c.code(), c.toString());
    assertTrue(c.err().contains("addressed to monitor 'checkout'"), c.err());
  }

  @Test
  void unknownPlotOutcomePrintsNothing() throws Exception {
    CliRun r =
        CliRun.of(
            "analyze", "--csv", causalImpactData().toString(), "--pre", "0:69", "--post", "70:99",
            "--bootstrap", "99", "--plot", dir.resolve("p.png").toString(), "--plot-outcome", "z");
    assertEquals(2, r.code(), r.toString());
    assertEquals("", r.out());
    assertTrue(r.err().contains("cannot plot 'z': it is not an outcome of this analysis"), r.err());
  }

  @Test
  void simulateNeedsASimulationSection() throws Exception {
    Path yaml =
        Files.writeString(
            dir.resolve("nosim.yaml"),
            "name: nosim\nstep: 1m\npreWindow: 20\nnodes:\n  - name: a\n  - name: b\n"
                + "    parents: [a]\n");
    CliRun r = CliRun.of("simulate", "--monitor", yaml.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("has no 'simulation' section"), r.err());
  }

  @Test
  void simulateWithoutInterventionAndToAFile() throws Exception {
    Path out = dir.resolve("sim/plain.csv");
    CliRun r =
        CliRun.of("simulate", "--monitor", funnel().toString(), "--rows", "50", "--output",
            out.toString());
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.err());
    assertEquals(51, Files.readAllLines(out).size());
  }

  /** The vignette of R's CausalImpact, with its published periods (SOURCES.md §1). */
  @Test
  void vignetteFromTheSharedDatasets() {
    String d = System.getProperty("datasets.dir");
    Path file = d == null ? null : Path.of(d, "causalimpact_vignette.csv");
    Assumptions.assumeTrue(
        file != null && Files.isRegularFile(file),
        "datasets.dir (../shared/datasets) is absent: skipping the vignette run");
    CliRun r =
        CliRun.of("analyze", "--csv", file.toString(), "--pre", "0:69", "--post", "70:99",
            "--bootstrap", "199");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().matches("(?s).*\\nActual +117 +3511\\n.*"), r.out());
  }
}
