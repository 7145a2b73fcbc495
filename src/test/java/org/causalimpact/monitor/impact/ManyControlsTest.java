package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.report.WrittenReport;
import org.causalimpact.monitor.scm.EquationSummary;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A metric against 30 control series, with fewer than 20 rows a coefficient (200 or 120 pre rows),
 * so the controls are selected ({@code scm.SubsetSearch}) against the model with them all shrunk
 * ({@code scm.DenseShrinkage}): where all 30 matter a little the shrunk model is to win, where 2
 * matter the subsets, and both intervals are to hold the effect. y = 0.1 (x0 + ... + x29) (or x0 +
 * 0.8 x1) + AR(0.3) noise (innovation sd 1), each control 100 + AR(0.9) noise, effect +2 per step.
 * Before the shrunk model, selection covered 82-88% where all 30 matter a little; fitting all 30
 * by least squares instead (as below 5 rows a coefficient before) made the intervals where 2
 * matter about twice as wide (README, "Many control series").
 */
class ManyControlsTest {
  private static final int CONTROLS = 30;
  private static final double EFFECT = 2;

  /** The data: y, then x0..x29; y = 0.1 (x0 + ... + x29) if {@code dense}, else x0 + 0.8 x1. */
  static TimeSeriesTable data(long seed, int pre, int post, boolean dense) {
    Random rnd = new Random(seed);
    double[][] values = new double[CONTROLS + 1][pre + post];
    double[] x = new double[CONTROLS];
    double e = 0;
    for (int t = 0; t < pre + post; t++) {
      double sum = 0;
      for (int k = 0; k < CONTROLS; k++) {
        x[k] = 0.9 * x[k] + rnd.nextGaussian();
        values[k + 1][t] = 100 + x[k];
        double b = dense ? 0.1 : k == 0 ? 1.0 : k == 1 ? 0.8 : 0;
        sum += b * values[k + 1][t];
      }
      e = 0.3 * e + rnd.nextGaussian();
      values[0][t] = sum + e + (t >= pre ? EFFECT : 0);
    }
    List<String> names = new ArrayList<>(List.of("y"));
    for (int k = 0; k < CONTROLS; k++) {
      names.add("x" + k);
    }
    return new TimeSeriesTable(names, values, null);
  }

  private static ImpactAnalysis analyze(TimeSeriesTable table, int pre) {
    return ImpactAnalyzer.withDefaults()
        .analyze(
            "controls",
            CausalImpactModel.graph(
                "y", table.columns().subList(1, table.columns().size()), 0, 0, null, false,
                Level.AUTO),
            table,
            0,
            new Intervention("post", Map.of(), List.of("y"), pre, -1));
  }

  private static EquationSummary equationOfY(ImpactAnalysis a) {
    return a.equations().stream().filter(s -> s.node().equals("y")).findFirst().orElseThrow();
  }

  @ParameterizedTest
  @CsvSource({"1, 200", "2, 200", "3, 200", "1, 120", "2, 120", "3, 120"})
  void controlsThatEachMatterALittleAllEnterShrunk(long seed, int pre) {
    TimeSeriesTable table = data(seed, pre, pre / 4, true);
    ImpactAnalysis a = analyze(table, pre);
    EquationSummary y = equationOfY(a);
    Estimate average = a.outcome("y").summary().average().effect();
    String report = WrittenReport.render(a, table);
    assertAll(
        () -> assertTrue(y.shrunk() != null && y.shrunk() > 0.9, "shrunk " + y.shrunk()),
        () -> assertTrue(report.contains("all 30 covariate terms enter, each coefficient shrunk"),
            report),
        () -> assertTrue(average.bootstrap().contains(EFFECT), "bootstrap " + average.bootstrap()),
        () -> assertTrue(average.conformal().contains(EFFECT), "conformal " + average.conformal()));
  }

  /**
   * A constant control beside the 30 (its column the intercept's): left out of the shrunk model,
   * which still wins, instead of keeping the shrunk model from being offered at all.
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2})
  void aConstantControlIsLeftOutOfTheShrunkModel(long seed) {
    TimeSeriesTable base = data(seed, 120, 30, true);
    List<String> names = new ArrayList<>(base.columns());
    names.add("constant");
    double[][] values = new double[names.size()][];
    for (int c = 0; c < base.columns().size(); c++) {
      values[c] = base.column(base.columns().get(c));
    }
    values[names.size() - 1] = new double[base.rows()];
    Arrays.fill(values[names.size() - 1], 5.0);
    TimeSeriesTable table = new TimeSeriesTable(names, values, null);
    ImpactAnalysis a = analyze(table, 120);
    EquationSummary y = equationOfY(a);
    String report = WrittenReport.render(a, table);
    assertAll(
        () -> assertTrue(y.shrunk() != null && y.shrunk() > 0.9, "shrunk " + y.shrunk()),
        () -> assertTrue(report.contains("30 of the 31 covariate terms enter"), report),
        () -> assertTrue(
            a.outcome("y").summary().average().effect().bootstrap().contains(EFFECT)));
  }

  /**
   * 2 controls matter: the subsets win, carried by x0 and x1, and the bootstrap interval of the
   * average effect is narrower than 1.8 (fitting all 30 by least squares, 200 rows: 2.17 on average
   * over the 200 data sets of {@code config/studies/many-controls-sparse.yaml}).
   */
  @ParameterizedTest
  @CsvSource({"1, 200", "2, 200", "3, 200", "1, 120", "2, 120", "3, 120"})
  void twoControlsThatMatterAreSelected(long seed, int pre) {
    TimeSeriesTable table = data(seed, pre, pre / 4, false);
    ImpactAnalysis a = analyze(table, pre);
    EquationSummary y = equationOfY(a);
    Estimate average = a.outcome("y").summary().average().effect();
    int x0 = y.terms().indexOf("x0[t]");
    int x1 = y.terms().indexOf("x1[t]");
    String report = WrittenReport.render(a, table);
    assertAll(
        () -> assertTrue(report.contains("the fit rests on x"), report),
        () -> assertFalse(report.contains("shrunk"), report),
        () -> assertTrue(y.shrunk() == null || y.shrunk() < 0.01, "shrunk " + y.shrunk()),
        () -> assertTrue(y.inclusion().get(x0) > 0.9, "x0 " + y.inclusion()),
        () -> assertTrue(y.inclusion().get(x1) > 0.9, "x1 " + y.inclusion()),
        () -> assertTrue(average.bootstrap().contains(EFFECT), "bootstrap " + average.bootstrap()),
        () -> assertTrue(average.bootstrap().width() < 1.8, "bootstrap " + average.bootstrap()),
        () -> assertTrue(average.conformal().contains(EFFECT), "conformal " + average.conformal()));
  }
}
