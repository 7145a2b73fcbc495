package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.causalimpact.monitor.testing.Datasets;
import org.junit.jupiter.api.Test;

/**
 * The note on pre-period outliers ({@link PrePeriodOutliers}): it names an odd reading and how
 * much it inflates the noise, and stays silent on clean data, real and simulated.
 */
class PrePeriodOutliersTest {
  private static final Pattern INFLATION =
      Pattern.compile("standard deviation is ([0-9.]+) times");

  private static final CausalGraph VIGNETTE =
      CausalImpactModel.graph("y", List.of("x1"), 0, 0, null, false, Level.AUTO);

  private static List<String> outlierNotes(CausalGraph graph, TimeSeriesTable table, int t0) {
    Intervention post = new Intervention("post", Map.of(), List.of("y"), t0, -1);
    return Analysis.prepare(graph, table, 0, post, FitOptions.ols()).notes().stream()
        .filter(n -> n.contains("outlier"))
        .toList();
  }

  private static TimeSeriesTable vignetteWith(double[] added) {
    TimeSeriesTable t = Datasets.read("causalimpact_vignette.csv", List.of("y", "x1"));
    double[][] v = {t.values()[0].clone(), t.values()[1].clone()};
    for (int i = 0; i < added.length; i += 2) {
      v[0][(int) added[i]] += added[i + 1];
    }
    return new TimeSeriesTable(t.columns(), v, t.labels());
  }

  private static double inflation(String note) {
    Matcher m = INFLATION.matcher(note);
    assertTrue(m.find(), note);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void oneOddReadingIsNamedWithHowMuchItInflatesTheNoise() {
    // +30 on one row of the vignette, about 25 noise sds: the intervals widen 2.5 and 3.6 times
    List<String> notes = outlierNotes(VIGNETTE, vignetteWith(new double[] {40, 30}), 70);
    assertEquals(1, notes.size(), notes.toString());
    String note = notes.get(0);
    assertTrue(note.startsWith("y: 1 pre-period row is an outlier"), note);
    assertTrue(note.contains(": 2014-02-10 ("), note);
    double inflation = inflation(note);
    assertTrue(inflation >= 2 && inflation <= 4, note);
    assertTrue(note.contains("correct it in the input or start the pre-period after it"), note);
  }

  @Test
  void theStreamSaysTheSame() {
    TimeSeriesTable table = vignetteWith(new double[] {40, 30});
    Intervention post = new Intervention("post", Map.of(), List.of("y"), 70, -1);
    ImpactAnalysis batch =
        ImpactAnalyzer.withDefaults().analyze("v", VIGNETTE, table.slice(0, 71), 0, post);
    StreamingAnalysis stream =
        StreamingAnalysis.start(
            "v", VIGNETTE, table.slice(0, 70), 0, post, FitOptions.ols(),
            IntervalSettings.defaults(), 10);
    stream.advance(new double[] {table.values()[0][70], table.values()[1][70]}, "2014-03-12");
    assertEquals(batch.notes(), stream.summary().notes());
    assertTrue(batch.notes().stream().anyMatch(n -> n.startsWith("y: 1 pre-period row")));
  }

  @Test
  void severalAreCountedAndListed() {
    List<String> notes =
        outlierNotes(VIGNETTE, vignetteWith(new double[] {10, -25, 30, 40, 50, 20}), 70);
    assertEquals(1, notes.size(), notes.toString());
    String note = notes.get(0);
    assertTrue(note.startsWith("y: 3 pre-period rows are outliers"), note);
    for (String day : List.of("2014-01-11", "2014-01-31", "2014-02-20")) {
      assertTrue(note.contains(day + " ("), note);
    }
  }

  @Test
  void aCleanVignetteAndItsPostPeriodEffectGetNoNote() {
    assertEquals(List.of(), outlierNotes(VIGNETTE, vignetteWith(new double[0]), 70));
    // an effect after T0 is not the pre-period's business
    assertEquals(List.of(), outlierNotes(VIGNETTE, vignetteWith(new double[] {80, 50}), 70));
  }

  /**
   * Normal noise is never named: 40 series of the CausalImpact drift design (y = 1.2 x + level +
   * AR(0.3) noise, level sd 0.05 a step, x AR(0.9); 450 pre rows), 18,000 rows in all, where a
   * false note has probability about 4e-5.
   */
  @Test
  void normalNoiseIsNeverNamed() {
    CausalGraph graph = CausalImpactModel.graph("y", List.of("x"), 0, 0, null, false, Level.AUTO);
    SplittableRandom random = new SplittableRandom(5);
    List<String> notes = new ArrayList<>();
    for (int s = 0; s < 40; s++) {
      int n = 460;
      double[] x = new double[n];
      double[] y = new double[n];
      double xs = 0;
      double level = 0;
      double noise = 0;
      for (int t = 0; t < n; t++) {
        xs = 0.9 * xs + random.nextGaussian();
        level += 0.05 * random.nextGaussian();
        noise = 0.3 * noise + random.nextGaussian();
        x[t] = 100 + xs;
        y[t] = 1.2 * x[t] + level + noise;
      }
      TimeSeriesTable table = new TimeSeriesTable(List.of("y", "x"), new double[][] {y, x}, null);
      notes.addAll(outlierNotes(graph, table, 450));
    }
    assertEquals(List.of(), notes);
  }
}
