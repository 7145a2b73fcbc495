package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.graph.Seasonality;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.TrueEquation;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.junit.jupiter.api.Test;

/**
 * {@link RollingOriginCalibration}: the expanding-window refits and simulations from each origin
 * against a direct refit on the rows before the origin (OLS, tolerance 1e-9 relative: the
 * calibration solves normal equations, the direct fit a QR decomposition; a ridge refit differs by
 * design, its penalty scaled by the whole window's column variances); the ladder of
 * horizons; the pool, its bound and its p-value against {@link Quantiles#conformal} computed by
 * hand; and that a level model calibrates too. The chain a → b → c has two own lags on a, a lag-1
 * parent, daily seasonality on b and a trend on c (every kind of term the simulation reads). Data
 * seed 21.
 */
class RollingOriginCalibrationTest {
  private static CausalGraph chain(Level level) {
    return CausalGraph.of(
        List.of(
            new NodeDefinition("a", List.of(), 2, null, false, Aggregation.MEAN, level),
            new NodeDefinition(
                "b", List.of(new Parent("a", 1)), 1, new Seasonality(24, 1), false,
                Aggregation.MEAN, level),
            new NodeDefinition(
                "c", List.of(new Parent("b", 0)), 1, null, true, Aggregation.MEAN, level)));
  }

  private static TimeSeriesTable data(int rows) {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("a", new TrueEquation(4, Map.of(), List.of(0.5, 0.2), List.of(), 0, 1.0));
    eq.put(
        "b",
        new TrueEquation(2, Map.of("a", List.of(0.8, 0.3)), List.of(0.4), List.of(1.0, -0.5), 0, 1));
    eq.put("c", new TrueEquation(1, Map.of("b", List.of(-0.6)), List.of(0.3), List.of(), 0.02, 1));
    return DataSimulator.simulate(chain(Level.NONE), new SimulationSpec(rows, eq), null, 21L)
        .table();
  }

  private record Setup(
      CausalGraph graph,
      TimeSeriesTable table,
      FittedScm model,
      double[][] observed,
      WorldSimulator worlds,
      int[] outcomes) {}

  private static Setup setup(Level level, int pre, double ridge) {
    CausalGraph graph = chain(level);
    TimeSeriesTable table = data(pre);
    FittedScm model = ScmFitter.with(new FitOptions(ridge)).fit(graph, table, 0, pre);
    double[][] observed = ScmFitter.columnsOf(graph, table);
    WorldSimulator worlds =
        new WorldSimulator(
            graph,
            model.equations().stream().map(FittedEquation::layout).toList(),
            observed,
            Set.of("a", "b", "c"),
            Map.of("a", new DoSpec.Shift(1.0)));
    int[] outcomes = {worlds.positionOf(1), worlds.positionOf(2)};
    return new Setup(graph, table, model, observed, worlds, outcomes);
  }

  @Test
  void originErrorsEqualADirectRefitOnTheRowsBefore() {
    for (int pre : new int[] {150, 1000}) {
      for (double ridge : new double[] {0.0}) {
        Setup s = setup(Level.NONE, pre, ridge);
        RollingOriginCalibration cal =
            RollingOriginCalibration.start(
                s.model(), s.worlds(), s.observed(), s.outcomes(), pre, ridge, 0.5);
        int[] rows = cal.originRows();
        assertTrue(rows.length > 10 && rows.length <= RollingOriginCalibration.MAX_ORIGINS);
        List<double[]> errors = new ArrayList<>();
        for (int h = 1; h <= 3; h++) {
          cal.advance();
          errors.add(cal.currentErrors(1));
        }
        for (int b : new int[] {0, rows.length / 2, rows.length - 4}) {
          int origin = rows[b];
          FittedScm direct =
              ScmFitter.with(new FitOptions(ridge)).fit(s.graph(), s.table(), 0, origin);
          double[][] coef = new double[3][];
          for (int j = 0; j < 3; j++) {
            coef[j] = direct.equation(j).coefficients();
          }
          // the direct fit's trend term is scaled by its own window: simulate with its layouts
          WorldSimulator worlds =
              new WorldSimulator(
                  s.graph(),
                  direct.equations().stream().map(FittedEquation::layout).toList(),
                  s.observed(),
                  Set.of("a", "b", "c"),
                  Map.of());
          double[][] path = new double[3][3];
          worlds.run(coef, origin, origin + 3, null, path, null);
          for (int h = 0; h < 3; h++) {
            double expected = Math.abs(s.observed()[2][origin + h] - path[s.outcomes()[1]][h]);
            double got = errors.get(h)[b];
            assertEquals(
                expected,
                got,
                1e-9 * (1 + Math.abs(expected) + Math.abs(s.observed()[2][origin + h])),
                "pre " + pre + ", ridge " + ridge + ", origin " + origin + ", step " + (h + 1));
          }
        }
      }
    }
  }

  @Test
  void ladderIsGeometric() {
    List<Integer> ladder = new ArrayList<>();
    for (int h = 1; h <= 100; h++) {
      if (ScorePool.onLadder(h)) {
        ladder.add(h);
      }
    }
    assertEquals(List.of(1, 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64, 91), ladder);
    assertFalse(ScorePool.onLadder(0));
  }

  @Test
  void poolBoundAndPValueAreTheConformalQuantileOfTheNormalisedScores() {
    Setup s = setup(Level.NONE, 300, 0.0);
    RollingOriginCalibration cal =
        RollingOriginCalibration.start(
            s.model(), s.worlds(), s.observed(), s.outcomes(), 40, 0.0, 0.5);
    List<Double> pool = new ArrayList<>();
    for (int h = 1; h <= 40; h++) {
      cal.advance();
      double spread = 2.0 + h;
      if (ScorePool.onLadder(h)) {
        for (double e : cal.currentErrors(0)) {
          pool.add(e / spread);
        }
      }
      cal.addScores(0, spread, 1.0);
      double[] scores = pool.stream().mapToDouble(Double::doubleValue).toArray();
      for (double alpha : new double[] {0.05, 0.2, 0.5}) {
        Double q = Quantiles.conformal(scores, alpha);
        Double bound = cal.pointwiseBound(0, alpha, spread);
        if (q == null) {
          assertNull(bound, "step " + h);
        } else {
          assertEquals(q * spread, bound, 1e-12 * bound, "step " + h + ", alpha " + alpha);
        }
      }
    }
    assertEquals(cal.boundedFrom(40, 0.05), cal.cumulativeBound(0, 0.05, 1.0) != null);
    Double q = cal.cumulativeBound(0, 0.05, 3.0);
    assertNotNull(q);
    // the bound excludes an error exactly when the p-value is at most alpha (no ties here)
    assertTrue(cal.pValue(0, 1.01 * q, 3.0) <= 0.05);
    assertTrue(cal.pValue(0, -1.01 * q, 3.0) <= 0.05);
    assertTrue(cal.pValue(0, 0.99 * q, 3.0) > 0.05);
  }

  @Test
  void aLevelModelCalibratesFromTheFilteredStates() {
    Setup s = setup(Level.AUTO, 400, 0.0);
    RollingOriginCalibration cal =
        RollingOriginCalibration.start(
            s.model(), s.worlds(), s.observed(), s.outcomes(), 30, 0.0, 0.5);
    double sum = 0;
    int n = 0;
    for (int h = 1; h <= 30; h++) {
      cal.advance();
      for (double e : cal.currentErrors(1)) {
        sum += e * e;
        n++;
      }
      cal.addScores(1, 1.0, 1.0);
    }
    // the data are stationary with unit noise: the errors of c stay of the order of its
    // long-run spread (a few units), as for the ordinary regression
    double rms = Math.sqrt(sum / n);
    assertTrue(rms > 0.5 && rms < 5, "rms error " + rms);
    assertNotNull(cal.cumulativeBound(1, 0.05, 1.0));
  }
}
