package org.causalimpact.monitor.impact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.scm.DataSimulator;
import org.causalimpact.monitor.scm.DoSpec;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.Intervention;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.SimulationSpec;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.causalimpact.monitor.scm.TrueEquation;
import org.causalimpact.monitor.scm.WorldSimulator;
import org.causalimpact.monitor.uncertainty.IntervalSettings;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 4 of issue 2: a confounder. The true SCM, all edges at lag 0:
 *
 * <pre>
 *   C = 5 + 0.5 C(t-1) + e_C,   sd(e_C) = sqrt(0.75)   (stationary mean 10, var(C) = 1)
 *   Z = 1.0 C + e_Z,            sd 1                    (var(Z) = 2, cov(C, Z) = 1)
 *   Y = 2.0 Z + 3.0 C + e_Y,    sd 1
 * </pre>
 *
 * and the intervention do(Z := natural Z + 5) from row 800 of 1000. The causal effect on Y is 2 * 5
 * = 10 in every post row. A regression of Y on Z alone absorbs the back-door path Z <- C -> Y: its
 * slope is cov(Y, Z) / var(Z) = (2 var Z + 3 cov(C, Z)) / var Z = 2 + 3 * 1 / 2 = 3.5, so it
 * predicts 3.5 * 5 = 17.5.
 *
 * <p>Tolerances, from standard errors on the 800-row pre-period: the slope of Z in the right
 * equation has se = sd(e_Y) / (sqrt(n) sd(Z | C)) = 1 / sqrt(800) = 0.035, so 0.1 is about 3 se
 * and the predicted effect 5 * slope gets 0.5. The average observed effect over the 200 post rows
 * has se about sqrt((1 + 4) / 200) = 0.16 plus the fit's error; tolerance 0.6. The confounded slope
 * (autocorrelated C, se about 0.08) gets 0.3, its prediction 1.5. Seed 4242.
 */
class ConfoundedGraphTest {
  private static final int ROWS = 1000;
  private static final int T0 = 800;
  private static final double SHIFT = 5;
  private static final long SEED = 4242L;

  private static NodeDefinition node(String name, List<Parent> parents, int ar) {
    return new NodeDefinition(name, parents, ar, null, false, Aggregation.MEAN);
  }

  /** The right graph: C -> Z, C -> Y, Z -> Y; C has one own lag. */
  private static CausalGraph rightGraph() {
    return CausalGraph.of(
        List.of(
            node("C", List.of(), 1),
            node("Z", List.of(new Parent("C", 0)), 0),
            node("Y", List.of(new Parent("Z", 0), new Parent("C", 0)), 0)));
  }

  /** A graph that ignores the confounder: Z -> Y only. */
  private static CausalGraph naiveGraph() {
    return CausalGraph.of(
        List.of(NodeDefinition.root("Z"), node("Y", List.of(new Parent("Z", 0)), 0)));
  }

  private static SimulationSpec spec() {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("C", new TrueEquation(5, Map.of(), List.of(0.5), List.of(), 0, Math.sqrt(0.75)));
    eq.put("Z", new TrueEquation(0, Map.of("C", List.of(1.0)), List.of(), List.of(), 0, 1));
    eq.put(
        "Y",
        new TrueEquation(
            0, Map.of("Z", List.of(2.0), "C", List.of(3.0)), List.of(), List.of(), 0, 1));
    return new SimulationSpec(ROWS, eq);
  }

  private static Intervention shiftZ() {
    return new Intervention("shift-z", Map.of("Z", new DoSpec.Shift(SHIFT)), List.of(), T0, -1);
  }

  private static DataSimulator.SimulatedData data() {
    return DataSimulator.simulate(rightGraph(), spec(), shiftZ(), SEED);
  }

  private static IntervalSettings settings() {
    return IntervalSettings.defaults().withReplicates(400).withSeed(SEED);
  }

  @Test
  void theSimulatedTruthIsTenInEveryPostRow() {
    DataSimulator.SimulatedData d = data();
    for (int t = T0; t < ROWS; t++) {
      assertEquals(SHIFT, d.trueEffect("Z", t), 1e-12);
      assertEquals(2 * SHIFT, d.trueEffect("Y", t), 1e-12, "row " + t);
    }
    assertEquals(0, d.trueEffect("Y", T0 - 1), 0.0);
    assertEquals(0, d.trueEffect("C", T0), 0.0, "C is upstream of Z: untouched");
  }

  @Test
  void theRightGraphRecoversTheStructuralCoefficientAndTheEffect() {
    DataSimulator.SimulatedData d = data();
    TimeSeriesTable table = d.table();
    FittedScm model = ScmFitter.with(FitOptions.ols()).fit(rightGraph(), table, 0, T0);
    FittedEquation y = model.equation("Y");
    assertEquals(List.of("(intercept)", "Z[t]", "C[t]"), y.layout().termNames());
    assertEquals(2.0, y.coefficient(1), 0.1, "structural slope of Z");
    assertEquals(3.0, y.coefficient(2), 0.1, "structural slope of C");

    ImpactAnalysis a =
        ImpactAnalyzer.withDefaults()
            .withIntervals(settings())
            .analyze("confounded", rightGraph(), table, 0, shiftZ());
    OutcomeImpact outcome = a.outcome("Y");
    assertEquals(List.of("Y"), a.outcomes().stream().map(OutcomeImpact::node).toList());
    PeriodSummary average = outcome.summary().average();

    // The model's expected effect of do(Z + 5) is its slope times 5 in every step.
    assertEquals(2 * SHIFT, average.expectedEffect().mean(), 0.5, "predicted effect");
    assertEquals(5 * y.coefficient(1), average.expectedEffect().mean(), 1e-9);
    assertTrue(average.expectedEffect().bootstrap().contains(2 * SHIFT),
        "expected-effect interval " + average.expectedEffect().bootstrap());
    // The observed effect, actual minus counterfactual.
    assertEquals(2 * SHIFT, average.effect().mean(), 0.6, "observed effect");
    assertTrue(average.effect().bootstrap().contains(2 * SHIFT),
        "bootstrap interval " + average.effect().bootstrap());
    assertTrue(average.effect().bootstrap().excludesZero());
  }

  @Test
  void aRegressionOfYOnZAloneAbsorbsTheConfounderAndOverpredicts() {
    DataSimulator.SimulatedData d = data();
    TimeSeriesTable table = d.table().select(List.of("Z", "Y"));
    FittedScm naive = ScmFitter.with(FitOptions.ols()).fit(naiveGraph(), table, 0, T0);
    double slope = naive.equation("Y").coefficient(1);

    // 2 + 3 cov(C, Z) / var(Z) = 2 + 3 * 1 / 2 = 3.5, far from the structural 2.
    assertEquals(3.5, slope, 0.3, "confounded slope");
    assertTrue(Math.abs(slope - 2.0) > 1.0);

    ImpactAnalysis a =
        ImpactAnalyzer.withDefaults()
            .withIntervals(settings())
            .analyze("naive", naiveGraph(), table, 0, shiftZ());
    PeriodSummary average = a.outcome("Y").summary().average();
    double predicted = average.expectedEffect().mean();
    assertEquals(3.5 * SHIFT, predicted, 1.5, "the naive model's do(Z + 5) prediction");
    assertFalse(
        average.expectedEffect().bootstrap().contains(2 * SHIFT),
        "the naive interval " + average.expectedEffect().bootstrap() + " misses the true 10");
    // The truth it should have predicted:
    assertEquals(2 * SHIFT, d.trueEffect("Y", T0), 1e-12);
  }

  @Test
  void zeroingZInAModelThatIgnoresCIsNotTheInterventionDoZEqualsZero() {
    // "What would Y be with Z := 0?" Truth: Y changes by 2 (0 - Z_natural), on average -2 E[Z] =
    // -20. Zeroing the input of the regression of Y on Z alone answers -3.5 E[Z] = -35; the do()
    // on the right fitted graph answers about -20 (tolerance 1.5: slope error 0.035 * 10 and the
    // post-period mean of Z, se about 0.13, times 2).
    Intervention zero =
        new Intervention("zero-z", Map.of("Z", new DoSpec.Set(0)), List.of(), T0, -1);
    DataSimulator.SimulatedData truthData =
        DataSimulator.simulate(rightGraph(), spec(), zero, SEED);
    double truth = 0;
    for (int t = T0; t < ROWS; t++) {
      truth += truthData.trueEffect("Y", t);
    }
    truth /= ROWS - T0;
    assertEquals(-20, truth, 1.0, "-2 E[Z], E[Z] = E[C] = 10");

    // The natural (no-intervention) data of the same seed: the first 800 rows are shared.
    TimeSeriesTable natural = DataSimulator.simulate(rightGraph(), spec(), null, SEED).table();
    assertEquals(natural.value("Y", T0 - 1), truthData.table().value("Y", T0 - 1), 0.0);

    double right = meanEffect(rightGraph(), natural, zero);
    double zeroed = zeroedInput(natural);
    assertEquals(-20, right, 1.5, "do(Z := 0) on the right graph");
    assertEquals(truth, right, 1.5);
    assertEquals(-35, zeroed, 3.0, "zeroed input of the confounded regression");
    assertTrue(Math.abs(zeroed - truth) > 10, "zeroing is off by " + (zeroed - truth));
  }

  /** Mean over the post rows of interventional minus counterfactual Y, from a pre-period fit. */
  private static double meanEffect(CausalGraph g, TimeSeriesTable table, Intervention iv) {
    FittedScm model = ScmFitter.with(FitOptions.ols()).fit(g, table, 0, T0);
    List<EquationLayout> layouts = model.equations().stream().map(FittedEquation::layout).toList();
    Set<String> simulated = Set.of("Z", "Y");
    WorldSimulator worlds =
        new WorldSimulator(g, layouts, ScmFitter.columnsOf(g, table), simulated, iv.actions());
    double[][] coef = new double[g.size()][];
    for (int j = 0; j < g.size(); j++) {
      coef[j] = model.equation(j).coefficients();
    }
    int h = ROWS - T0;
    double[][] cf = new double[2][h];
    double[][] ivw = new double[2][h];
    worlds.run(coef, T0, ROWS, null, cf, ivw);
    int y = worlds.positionOf(g.indexOf("Y"));
    double s = 0;
    for (int k = 0; k < h; k++) {
      s += ivw[y][k] - cf[y][k];
    }
    return s / h;
  }

  /** Prediction of Y ~ Z at Z := 0 minus at the observed Z, averaged over the post rows. */
  private static double zeroedInput(TimeSeriesTable natural) {
    TimeSeriesTable zy = natural.select(List.of("Z", "Y"));
    FittedEquation eq =
        ScmFitter.with(FitOptions.ols()).fit(naiveGraph(), zy, 0, T0).equation("Y");
    double s = 0;
    for (int t = T0; t < ROWS; t++) {
      double z = zy.value("Z", t);
      double withZ = eq.coefficient(0) + eq.coefficient(1) * z;
      double zeroed = eq.coefficient(0);
      s += zeroed - withZ;
    }
    return s / (ROWS - T0);
  }
}
