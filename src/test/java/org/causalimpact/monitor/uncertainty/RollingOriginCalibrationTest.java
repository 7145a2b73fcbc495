package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
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
 * {@link RollingOriginCalibration.Streaming} advanced horizon by horizon equals {@link
 * RollingOriginCalibration#run} at every horizon, bit for bit (tolerance 0): both bounds at 95% and
 * 50%, the number of scores, and the split-conformal p-value of several scores. The chain a → b → c has two
 * own lags on a, a lag-1 parent, daily seasonality on b and a trend on c (every kind of term the
 * simulation reads); the pre-periods give fewer and more than {@link
 * RollingOriginCalibration#MAX_ORIGINS} origins (thinned), with OLS and ridge. Data seed 21.
 */
class RollingOriginCalibrationTest {
  /** 95%: a bound a few scores from the top; 50%: the other selection. */
  private static final double[] ALPHAS = {0.05, 0.5};

  private static CausalGraph chain() {
    return CausalGraph.of(
        List.of(
            new NodeDefinition("a", List.of(), 2, null, false, Aggregation.MEAN),
            new NodeDefinition(
                "b", List.of(new Parent("a", 1)), 1, new Seasonality(24, 1), false,
                Aggregation.MEAN),
            new NodeDefinition("c", List.of(new Parent("b", 0)), 1, null, true, Aggregation.MEAN)));
  }

  private static TimeSeriesTable data(int rows) {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("a", new TrueEquation(4, Map.of(), List.of(0.5, 0.2), List.of(), 0, 1.0));
    eq.put(
        "b",
        new TrueEquation(2, Map.of("a", List.of(0.8, 0.3)), List.of(0.4), List.of(1.0, -0.5), 0, 1));
    eq.put("c", new TrueEquation(1, Map.of("b", List.of(-0.6)), List.of(0.3), List.of(), 0.02, 1));
    return DataSimulator.simulate(chain(), new SimulationSpec(rows, eq), null, 21L).table();
  }

  @Test
  void streamingEqualsTheBatchAtEveryHorizon() {
    for (int pre : new int[] {150, 1000}) {
      for (double ridge : new double[] {0.0, 0.4}) {
        compare(pre, ridge);
      }
    }
  }

  private static void compare(int pre, double ridge) {
    CausalGraph graph = chain();
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
    int horizon = pre;
    RollingOriginCalibration.Scores batch =
        RollingOriginCalibration.run(model, worlds, observed, outcomes, horizon, ridge, 0.5);
    RollingOriginCalibration.Streaming stream =
        RollingOriginCalibration.Streaming.start(
            model, worlds, observed, outcomes, horizon, ridge, 0.5);
    int calibrated = batch.pointwise()[0].length;
    assertTrue(calibrated > 10 && calibrated < horizon, "calibrated horizons " + calibrated);
    int bounded = 0;
    for (int h = 1; h <= horizon; h++) {
      stream.advance();
      String where = "pre " + pre + ", ridge " + ridge + ", horizon " + h;
      int m = h <= calibrated ? batch.pointwise()[0][h - 1].length : 0;
      assertEquals(m, stream.scores(), where);
      for (int o = 0; o < outcomes.length; o++) {
        for (double alpha : ALPHAS) {
          assertEquals(batch.pointwiseBound(o, h, alpha), stream.pointwiseBound(o, alpha), where);
          Double q = batch.cumulativeBound(o, h, alpha);
          assertEquals(q, stream.cumulativeBound(o, alpha), where);
          if (q != null) {
            bounded++;
            for (double s : new double[] {0, q / 2, q, 2 * q}) {
              assertEquals(batch.splitPValue(o, h, s), stream.splitPValue(o, s), 0.0, where);
            }
          }
        }
      }
    }
    assertTrue(bounded > 0);
    RollingOriginCalibration.Streaming fresh =
        RollingOriginCalibration.Streaming.start(
            model, worlds, observed, outcomes, horizon, ridge, 0.5);
    for (int h = 1; h <= calibrated + 1; h++) {
      boolean finite = true;
      for (int k = 1; k <= h; k++) {
        finite &= batch.cumulativeBound(0, k, ALPHAS[0]) != null;
      }
      assertEquals(finite, fresh.boundedThrough(h, ALPHAS[0]), "bounded through " + h);
    }
    assertFalse(fresh.boundedThrough(horizon, ALPHAS[0]));
    assertNull(fresh.pointwiseBound(0, ALPHAS[0]));
  }
}
