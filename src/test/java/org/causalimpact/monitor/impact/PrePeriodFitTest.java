package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.TrueEquation;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The pre-period's one-step predictions, checked against what the fit itself computed: the
 * in-sample one-step error {@code actual - fitted} is the fit's innovation {@code v_t}, which the
 * fit stores standardised as {@code v_t / sqrt(F_t)} (for a static regression {@code F_t = 1}, the
 * ordinary residual). The data: X = 10 + e_X, Y = 2 X[t] + 0.5 X[t-1] + e_Y (sd 1 each), 300 rows,
 * do(X := X + 3) from row 240, seed 77; tolerance 1e-9 relative (the same arithmetic in another
 * order).
 */
class PrePeriodFitTest {
  private static final int ROWS = 300;
  private static final int T0 = 240;
  private static final int PRE_START = 20;
  private static final long SEED = 77L;

  private static CausalGraph graph(Level level) {
    return CausalGraph.of(
        List.of(
            new NodeDefinition("X", List.of(), 0, null, false, Aggregation.MEAN),
            new NodeDefinition(
                    "Y", List.of(new Parent("X", 1)), 0, null, false,
                    Aggregation.MEAN)
                .withLevel(level)));
  }

  private static Intervention shiftX() {
    return new Intervention("shift-x", Map.of("X", new DoSpec.Shift(3)), List.of("Y"), T0, -1);
  }

  private static TimeSeriesTable table() {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("X", new TrueEquation(10, Map.of(), List.of(), List.of(), 0, 1));
    eq.put("Y", new TrueEquation(0, Map.of("X", List.of(2.0, 0.5)), List.of(), List.of(), 0, 1));
    return DataSimulator.simulate(graph(Level.NONE), new SimulationSpec(ROWS, eq), shiftX(), SEED)
        .table();
  }

  @ParameterizedTest(name = "level {0}")
  @EnumSource(value = Level.class, names = {"NONE", "LOCAL"})
  void theOneStepErrorIsTheFitsInnovation(Level level) {
    CausalGraph graph = graph(level);
    Analysis.Prepared prepared =
        Analysis.prepare(graph, table(), PRE_START, shiftX(), FitOptions.ols());
    int y = graph.indexOf("Y");
    FittedEquation e = prepared.model().equation(y);
    PrePeriodFit fit = PrePeriodFit.of(prepared.model(), prepared.observed(), y, PRE_START);
    assertEquals(PRE_START, fit.startRow());
    assertEquals(T0 - PRE_START, fit.rows());
    assertEquals(level != Level.NONE, !e.process().isStatic(), "the level model was fitted");
    double[] v = new double[e.observations()];
    for (int i = 0; i < v.length; i++) {
      v[i] = prepared.observed()[y][e.firstRow() + i] - fit.fitted(e.firstRow() - PRE_START + i);
    }
    double[] sqrtF =
        e.process().isStatic()
            ? null
            : e.process().whiten(new double[][] {v}, false).sqrtF();
    for (int i = 0; i < v.length; i++) {
      double scale = sqrtF == null ? 1 : sqrtF[i];
      assertEquals(e.residual(i) * scale, v[i], 1e-9 * (1 + Math.abs(v[i])), "row " + i);
    }
    for (int i = 0; i < fit.rows(); i++) {
      assertEquals(prepared.observed()[y][PRE_START + i], fit.actual(i));
    }
  }

  @Test
  void rowsThatOnlyServeAsLagsHaveNoPrediction() {
    CausalGraph graph = graph(Level.NONE);
    Analysis.Prepared prepared = Analysis.prepare(graph, table(), 0, shiftX(), FitOptions.ols());
    PrePeriodFit fit = PrePeriodFit.of(prepared.model(), prepared.observed(), 1, 0);
    assertTrue(Double.isNaN(fit.fitted(0)), "row 0 has no X[t-1]");
    assertFalse(Double.isNaN(fit.fitted(1)));
  }

  @Test
  void batchAndStreamCarryTheSameFitAndPlacebos() {
    CausalGraph graph = graph(Level.AUTO);
    TimeSeriesTable table = table();
    IntervalSettings settings = IntervalSettings.defaults().withReplicates(50).withSeed(SEED);
    ImpactAnalysis batch =
        ImpactAnalyzer.withDefaults()
            .withIntervals(settings)
            .analyze("m", graph, table.slice(0, T0 + 5), PRE_START, shiftX());
    StreamingAnalysis stream =
        StreamingAnalysis.start(
            "m", graph, table, PRE_START, shiftX(), FitOptions.ols(), settings, 10);
    for (int t = T0; t < T0 + 5; t++) {
      stream.advance(new double[] {table.value("X", t), table.value("Y", t)}, null);
    }
    assertEquals(1, batch.preFits().size());
    assertEquals(batch.preFits(), stream.summary().preFits());
    assertEquals(List.of(), batch.placebos(), "Y descends from X");
    // the fit follows the data: its one-step errors are smaller than Y's own spread
    PrePeriodFit f = batch.preFit("Y").orElseThrow();
    double err = 0;
    double spread = 0;
    double mean = 0;
    for (int i = 1; i < f.rows(); i++) {
      mean += f.actual(i) / (f.rows() - 1);
    }
    for (int i = 1; i < f.rows(); i++) {
      err += Math.pow(f.actual(i) - f.fitted(i), 2);
      spread += Math.pow(f.actual(i) - mean, 2);
    }
    assertTrue(err < 0.5 * spread, "one-step error " + err + " vs spread " + spread);
  }
}
