package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.graph.Seasonality;
import org.junit.jupiter.api.Test;

/**
 * {@link SlidingLeastSquares} against the refit from scratch, {@link ScmFitter#fitEquation} (QR,
 * {@link LeastSquares}), on the same window after every row of a 3,000-row series from {@link
 * DataSimulator}: the window grows to its length, then slides by one row (one {@code add}, one
 * {@code remove}) with no rebuild, 6,000 updates. Coefficients, sigma and {@code R^2} agree to a
 * relative 1e-8 ({@code |a - e| <= 1e-8 |e|} per value), OLS and ridge 0.1. Largest relative
 * differences seen: 8.9e-10 (OLS, seed 11), 6.2e-9 (ridge, seed 12: a coefficient of -2.5e-6, off
 * by 1.5e-14; a coefficient nearer 0 in another seed could need an absolute floor), 2.8e-9 (level
 * 1e6, seed 13). Seeds fixed per test and named in every failure message.
 */
class SlidingLeastSquaresTest {
  private static final double TOL = 1e-8;
  private static final int ROWS = 3_000;
  private static final int WINDOW = 500;

  /**
   * x1, x2 AR(1) roots around {@code level}; y reads x1 at lags 0..2 and x2 at lag 0, with AR(1),
   * two harmonics of period 24 and a trend: 11 coefficients, 2 rows of lags.
   */
  private static CausalGraph seasonalGraph() {
    return CausalGraph.of(
        List.of(
            new NodeDefinition("x1", List.of(), 1, null, false, Aggregation.MEAN),
            new NodeDefinition("x2", List.of(), 1, null, false, Aggregation.MEAN),
            new NodeDefinition(
                "y",
                List.of(new Parent("x1", 2), new Parent("x2", 0)),
                1,
                new Seasonality(24, 2),
                true,
                Aggregation.MEAN)));
  }

  private static double[][] seasonalData(long seed, double level) {
    Map<String, TrueEquation> eq =
        Map.of(
            "x1", arRoot(level, 0.7),
            "x2", arRoot(-2 * level + 20, 0.5),
            "y",
                new TrueEquation(
                    5.0,
                    Map.of("x1", List.of(0.8, 0.2, -0.1), "x2", List.of(-0.5)),
                    List.of(0.4),
                    List.of(2.0, 1.0, 0.5, -0.3),
                    0.001,
                    1.0));
    return simulate(seasonalGraph(), eq, seed);
  }

  /** y on x1, x2, x3 at lag 0 with AR(1): 5 coefficients. */
  private static CausalGraph threeParentGraph() {
    return CausalGraph.of(
        List.of(
            NodeDefinition.root("x1"),
            NodeDefinition.root("x2"),
            NodeDefinition.root("x3"),
            new NodeDefinition(
                "y",
                List.of(new Parent("x1", 0), new Parent("x2", 0), new Parent("x3", 0)),
                1,
                null,
                false,
                Aggregation.MEAN)));
  }

  private static TrueEquation arRoot(double mean, double phi) {
    return new TrueEquation(mean * (1 - phi), Map.of(), List.of(phi), List.of(), 0, 1.0);
  }

  private static double[][] simulate(CausalGraph graph, Map<String, TrueEquation> eq, long seed) {
    TimeSeriesTable table =
        DataSimulator.simulate(graph, new SimulationSpec(ROWS, eq), null, seed).table();
    return ScmFitter.columnsOf(graph, table);
  }

  /**
   * Slides a {@code window}-row window over all rows of {@code values} and compares every fit with
   * the refit from scratch on {@code values - levels} (each node's series less its level, exact by
   * Sterbenz's lemma for a level within a factor 2 of the values, or 0). The slopes, sigma and
   * {@code R^2} do not depend on the levels; the intercept is mapped back, {@code b_0 = b_0' +
   * level_y - sum_k b_k level_source(k)}. Returns the largest relative difference seen.
   */
  private static double slideAndCompare(
      CausalGraph graph,
      double[][] values,
      double[] levels,
      int window,
      FitOptions options,
      String what) {
    EquationLayout layout = EquationLayout.of(graph, "y", 0, window);
    ScmFitter fitter = ScmFitter.with(options);
    double[][] reference = new double[values.length][];
    for (int j = 0; j < values.length; j++) {
      double level = levels[j];
      reference[j] = Arrays.stream(values[j]).map(value -> value - level).toArray();
    }
    SlidingLeastSquares sliding = SlidingLeastSquares.empty(layout.size());
    EquationLayout.NodeValues v = (node, t) -> values[node][t];
    double worst = 0;
    for (int t = layout.maxLag(); t < values[0].length; t++) {
      sliding.addRow(layout, v, t);
      if (sliding.observations() > window) {
        sliding.removeRow(layout, v, t - window);
      }
      if (sliding.observations() < layout.size() + 2) {
        continue;
      }
      SlidingLeastSquares.Fit fit = sliding.solve(options);
      FittedEquation expected = fitter.fitEquation(layout, reference, t + 1 - window, t + 1);
      double[] b = expected.coefficients();
      b[0] += levels[layout.node()];
      for (int k = 1; k < b.length; k++) {
        if (layout.sourceNode(k) >= 0) {
          b[0] -= b[k] * levels[layout.sourceNode(k)];
        }
      }
      String at = what + ", window ending at row " + t;
      assertEquals(expected.observations(), fit.observations(), at);
      double[] coefficients = fit.coefficients();
      for (int k = 0; k < layout.size(); k++) {
        worst = Math.max(worst, check(b[k], coefficients[k], at + ", b" + k));
      }
      worst = Math.max(worst, check(expected.sigma(), fit.sigma(), at + ", sigma"));
      worst = Math.max(worst, check(expected.rSquared(), fit.rSquared(), at + ", R^2"));
    }
    return worst;
  }

  private static double slideAndCompare(
      CausalGraph graph, double[][] values, int window, FitOptions options, String what) {
    return slideAndCompare(graph, values, new double[values.length], window, options, what);
  }

  private static double check(double expected, double actual, String what) {
    double relative = Math.abs(actual - expected) / Math.abs(expected);
    assertTrue(
        relative <= TOL,
        what + ": expected " + expected + ", got " + actual + " (relative " + relative + ")");
    return relative;
  }

  @Test
  void olsWithLagsSeasonalityAndTrendMatchesTheRefitAfterEveryRow() {
    slideAndCompare(
        seasonalGraph(), seasonalData(11, 10), WINDOW, FitOptions.ols(), "seed 11, OLS");
  }

  @Test
  void ridgeMatchesTheRefitAfterEveryRow() {
    slideAndCompare(
        seasonalGraph(), seasonalData(12, 10), WINDOW, new FitOptions(0.1), "seed 12, ridge 0.1");
  }

  /**
   * Values around 1e6, -2e6 and 3e6 with noise 1: the shift keeps the moments accurate. The
   * reference is the refit on the series less their levels, because {@link LeastSquares} on the raw
   * columns is itself only good to about 1e-6 here (its scaled columns are nearly parallel to the
   * intercept, condition number about 1e6; and it computes the ridge variance as {@code E[x^2] -
   * E[x]^2}). Against exact rational arithmetic (BigDecimal normal equations, every 7th window,
   * seed 13) the sliding coefficients were within 9.3e-10 and the raw refit's within 7.3e-6.
   */
  @Test
  void largeMeansMatchTheRefitOfTheDeviationsAfterEveryRow() {
    for (FitOptions options : List.of(FitOptions.ols(), new FitOptions(0.1))) {
      double[][] values = seasonalData(13, 1e6);
      double[] levels = Arrays.stream(values).mapToDouble(series -> Math.rint(series[0])).toArray();
      slideAndCompare(
          seasonalGraph(), values, levels, WINDOW, options, "seed 13, level 1e6, " + options);
    }
  }

  /**
   * Stretches where x2 is all zero (LeastSquares' zero scale) and where x3 = x1 - 2 x2 (collinear):
   * after every row the same collinear column as {@link LeastSquares#solve}, or the same
   * coefficients when there is none. Seed 14.
   */
  @Test
  void collinearWindowsReportTheColumnLeastSquaresReports() {
    for (double ridge : new double[] {0, 0.1}) {
      CausalGraph graph = threeParentGraph();
      Map<String, TrueEquation> eq =
          Map.of(
              "x1", arRoot(3, 0),
              "x2", arRoot(-1, 0),
              "x3", arRoot(2, 0),
              "y",
                  new TrueEquation(
                      1.0,
                      Map.of("x1", List.of(0.5), "x2", List.of(1.5), "x3", List.of(-1.0)),
                      List.of(0.3),
                      List.of(),
                      0,
                      1.0));
      double[][] values = simulate(graph, eq, 14);
      int x1 = graph.indexOf("x1");
      int x2 = graph.indexOf("x2");
      int x3 = graph.indexOf("x3");
      for (int t = 800; t < 1400; t++) {
        values[x2][t] = 0;
      }
      for (int t = 1800; t < 2400; t++) {
        values[x3][t] = values[x1][t] - 2 * values[x2][t];
      }
      int window = 300;
      EquationLayout layout = EquationLayout.of(graph, "y", 0, window);
      SlidingLeastSquares sliding = SlidingLeastSquares.empty(layout.size());
      EquationLayout.NodeValues v = (node, t) -> values[node][t];
      int collinearWindows = 0;
      for (int t = layout.maxLag(); t < ROWS; t++) {
        sliding.addRow(layout, v, t);
        if (sliding.observations() > window) {
          sliding.removeRow(layout, v, t - window);
        }
        int n = sliding.observations();
        if (n < layout.size() + 2) {
          continue;
        }
        double[][] x = new double[n][layout.size()];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
          layout.regressors(v, t + 1 - n + i, x[i]);
          y[i] = v.value(layout.node(), t + 1 - n + i);
        }
        LeastSquares.Solution expected = LeastSquares.solve(x, y, ridge);
        SlidingLeastSquares.Fit fit = sliding.solve(new FitOptions(ridge));
        String at = "seed 14, ridge " + ridge + ", window ending at row " + t;
        assertEquals(expected.collinearColumn(), fit.collinearColumn(), at);
        if (expected.collinearColumn() >= 0) {
          collinearWindows++;
          assertTrue(Double.isNaN(fit.sigma()), at);
          assertThrows(IllegalStateException.class, fit::coefficients, at);
          continue;
        }
        double[] coefficients = fit.coefficients();
        for (int k = 0; k < layout.size(); k++) {
          check(expected.coefficients()[k], coefficients[k], at + ", b" + k);
        }
      }
      // Windows inside a stretch: 301 for the zero column, and 301 more for OLS's collinear one.
      assertEquals(ridge == 0 ? 602 : 301, collinearWindows, "ridge " + ridge);
    }
  }

  @Test
  void aRestoredStateContinuesBitForBit() {
    double[][] values = seasonalData(15, 10);
    EquationLayout layout = EquationLayout.of(seasonalGraph(), "y", 0, WINDOW);
    EquationLayout.NodeValues v = (node, t) -> values[node][t];
    FitOptions ridge = new FitOptions(0.1);
    SlidingLeastSquares original = SlidingLeastSquares.empty(layout.size());
    int t = layout.maxLag();
    for (; t < 1000; t++) {
      original.addRow(layout, v, t);
      if (original.observations() > WINDOW) {
        original.removeRow(layout, v, t - WINDOW);
      }
    }
    byte[] bytes = original.toBytes();
    assertEquals(original.serializedSize(), bytes.length);
    SlidingLeastSquares restored = SlidingLeastSquares.fromBytes(bytes);
    assertArrayEquals(bytes, restored.toBytes());
    for (; t < 2000; t++) {
      for (SlidingLeastSquares s : List.of(original, restored)) {
        s.addRow(layout, v, t);
        s.removeRow(layout, v, t - WINDOW);
      }
      SlidingLeastSquares.Fit a = original.solve(ridge);
      SlidingLeastSquares.Fit b = restored.solve(ridge);
      assertArrayEquals(a.coefficients(), b.coefficients(), "row " + t);
      assertEquals(a.sigma(), b.sigma(), 0.0, "row " + t);
      assertEquals(a.rSquared(), b.rSquared(), 0.0, "row " + t);
    }
    assertArrayEquals(original.toBytes(), restored.toBytes());
    assertEquals(original.updatesSinceRebuild(), restored.updatesSinceRebuild());
  }

  @Test
  void theSerializedSizeIsQuadraticInTheTerms() {
    assertEquals(41, SlidingLeastSquares.empty(1).serializedSize());
    assertEquals(461, SlidingLeastSquares.empty(8).serializedSize());
    assertEquals(461, SlidingLeastSquares.empty(8).toBytes().length);
  }

  /**
   * Version 1 byte for byte, as {@link SlidingLeastSquares#toBytes} documents it: rows (x, y) = (3,
   * 5) and (3 + 1, 5 + 2), shifted by the first, leave sums of deviations 1 (x), 2 (y), 4 (y^2), 2
   * (xy) and 1 (x^2), two rows and two non-zero x.
   */
  @Test
  void theBinaryFormIsTheDocumentedLayout() {
    SlidingLeastSquares s = SlidingLeastSquares.empty(2);
    s.add(new double[] {1, 3}, 5);
    s.add(new double[] {1, 4}, 7);
    ByteBuffer expected = ByteBuffer.allocate(77);
    expected.put((byte) 1).putInt(2).putInt(2).putLong(2);
    expected.putDouble(5).putDouble(2).putDouble(4);
    expected.putDouble(3).putDouble(1).putDouble(2).putDouble(1);
    expected.putInt(2);
    assertArrayEquals(expected.array(), s.toBytes());
    assertArrayEquals(expected.array(), SlidingLeastSquares.fromBytes(expected.array()).toBytes());
  }

  @Test
  void badStatesAreRejected() {
    byte[] bytes = SlidingLeastSquares.empty(3).toBytes();
    byte[] future = bytes.clone();
    future[0] = 2;
    assertThrows(IllegalArgumentException.class, () -> SlidingLeastSquares.fromBytes(future));
    assertThrows(
        IllegalArgumentException.class,
        () -> SlidingLeastSquares.fromBytes(Arrays.copyOf(bytes, bytes.length - 1)));
    assertThrows(IllegalArgumentException.class, () -> SlidingLeastSquares.fromBytes(new byte[3]));
  }

  /** {@code p = 1}: the mean; y = 1, 2, 3 gives b0 = 2, RSS = 2, sigma = sqrt(2 / 2), R^2 = 0. */
  @Test
  void anInterceptOnlyEquationFitsTheMean() {
    SlidingLeastSquares s = SlidingLeastSquares.empty(1);
    for (double y : new double[] {1, 2, 3}) {
      s.add(new double[] {1}, y);
    }
    SlidingLeastSquares.Fit fit = s.solve(FitOptions.ols());
    assertEquals(2.0, fit.coefficients()[0], 1e-15);
    assertEquals(1.0, fit.sigma(), 1e-15);
    assertEquals(0.0, fit.rSquared(), 1e-15);
  }

  @Test
  void removingEveryRowLeavesExactlyTheEmptyState() {
    double[][] rows = {{1, 3.7, -2.2}, {1, 1e6, 0.1}, {1, -5.5, 9.25}};
    double[] y = {0.3, -1e5, 7.7};
    SlidingLeastSquares s = SlidingLeastSquares.empty(3);
    for (int i = 0; i < rows.length; i++) {
      s.add(rows[i], y[i]);
    }
    for (int i = 0; i < rows.length; i++) {
      s.remove(rows[i], y[i]);
    }
    assertArrayEquals(SlidingLeastSquares.empty(3).toBytes(), s.toBytes());
    assertThrows(IllegalStateException.class, () -> s.remove(rows[0], y[0]));
    assertThrows(IllegalStateException.class, () -> s.solve(FitOptions.ols()));
  }

  @Test
  void badRowsAreRejected() {
    SlidingLeastSquares s = SlidingLeastSquares.empty(2);
    assertThrows(IllegalArgumentException.class, () -> s.add(new double[] {1}, 0));
    assertThrows(IllegalArgumentException.class, () -> s.add(new double[] {0, 1}, 0));
    assertThrows(IllegalArgumentException.class, () -> s.add(new double[] {1, Double.NaN}, 0));
    assertThrows(IllegalArgumentException.class, () -> s.add(new double[] {1, 2}, 1 / 0.0));
    assertEquals(0, s.observations());
  }
}
