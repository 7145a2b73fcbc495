package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.junit.jupiter.api.Test;

/**
 * Direct and total effects of a hand-built linear SCM against the chain rule worked out by hand.
 *
 * <pre>
 *   A = 10 + e_A                                  (sd 10)
 *   B = 1 + 2 A + e_B                             (sd 0.1)
 *   C = 5 + 3 B + 0.6 A(t) + 0.4 A(t-1) + 0.5 C(t-1)   (noise-free)
 *   D = 4 + 0.5 C                                 (noise-free)
 *   E = 7 + e_E                                   (unconnected root, sd 1)
 * </pre>
 *
 * Long-run direct effects (sum of lag coefficients over 1 - sum phi of the outcome):
 * A->B = 2; A->C = (0.6 + 0.4) / (1 - 0.5) = 2; B->C = 3 / 0.5 = 6; C->D = 0.5.
 * Total effects (sum over directed paths of products of direct effects):
 * A->C = 2 + 2 * 6 = 14 = (1 + 2 * 3) / (1 - 0.5); B->D = 6 * 0.5 = 3;
 * A->D = 14 * 0.5 = 7 (paths A-B-C-D and A-C-D: 2*6*0.5 + 2*0.5).
 *
 * <p>C and D are noise-free, so their equations are recovered to rounding; B's slope on A has
 * standard error about {@code sd(e_B) / (sd(A) sqrt(n)) = 0.1 / (10 * 63) = 1.6e-4}, so the
 * comparison with the true values uses tolerance 2e-3 (more than 10 standard errors). The
 * comparison with the chain rule applied to the fitted coefficients is exact up to 1e-12.
 */
class ExplanationsTest {
  private static final int ROWS = 4000;
  private static final long SEED = 20240611L;

  private static CausalGraph graph() {
    return CausalGraph.of(
        List.of(
            NodeDefinition.root("A"),
            new NodeDefinition("B", List.of(new Parent("A", 0)), 0, null, false, Aggregation.MEAN),
            new NodeDefinition(
                "C",
                List.of(new Parent("B", 0), new Parent("A", 1)),
                1,
                null,
                false,
                Aggregation.MEAN),
            new NodeDefinition("D", List.of(new Parent("C", 0)), 0, null, false, Aggregation.MEAN),
            NodeDefinition.root("E")));
  }

  private static SimulationSpec spec() {
    Map<String, TrueEquation> eq = new LinkedHashMap<>();
    eq.put("A", new TrueEquation(10, Map.of(), List.of(), List.of(), 0, 10));
    eq.put("B", new TrueEquation(1, Map.of("A", List.of(2.0)), List.of(), List.of(), 0, 0.1));
    eq.put(
        "C",
        new TrueEquation(
            5,
            Map.of("B", List.of(3.0), "A", List.of(0.6, 0.4)),
            List.of(0.5),
            List.of(),
            0,
            0));
    eq.put("D", new TrueEquation(4, Map.of("C", List.of(0.5)), List.of(), List.of(), 0, 0));
    eq.put("E", new TrueEquation(7, Map.of(), List.of(), List.of(), 0, 1));
    return new SimulationSpec(ROWS, eq);
  }

  private record Fit(FittedScm model, double[][] observed) {}

  private static Fit fit() {
    CausalGraph g = graph();
    TimeSeriesTable table = DataSimulator.simulate(g, spec(), null, SEED).table();
    FittedScm model = ScmFitter.with(FitOptions.ols()).fit(g, table, 0, ROWS);
    return new Fit(model, ScmFitter.columnsOf(g, table));
  }

  private static Map<String, CausalEffect> byPair(List<CausalEffect> effects) {
    Map<String, CausalEffect> out = new HashMap<>();
    for (CausalEffect e : effects) {
      assertTrue(out.put(e.cause() + "->" + e.outcome(), e) == null, "duplicate pair " + e);
    }
    return out;
  }

  @Test
  void directAndTotalEffectsMatchTheHandComputedChainRule() {
    Fit f = fit();
    Map<String, CausalEffect> e = byPair(Explanations.effects(f.model(), f.observed(), 0, ROWS));

    double tol = 2e-3;
    assertEquals(2.0, e.get("A->B").direct(), tol);
    assertEquals(2.0, e.get("A->B").total(), tol);
    assertEquals(2.0, e.get("A->C").direct(), tol, "(0.6 + 0.4) / (1 - 0.5)");
    assertEquals(6.0, e.get("B->C").direct(), tol, "3 / (1 - 0.5)");
    assertEquals(6.0, e.get("B->C").total(), tol);
    assertEquals(14.0, e.get("A->C").total(), 14 * tol, "(1 + 2 * 3) / (1 - 0.5)");
    assertEquals(0.5, e.get("C->D").direct(), tol);
    assertEquals(0.0, e.get("A->D").direct(), 0.0, "no edge A -> D");
    assertEquals(0.0, e.get("B->D").direct(), 0.0, "no edge B -> D");
    assertEquals(3.0, e.get("B->D").total(), 3 * tol, "6 * 0.5");
    assertEquals(7.0, e.get("A->D").total(), 7 * tol, "2 * 6 * 0.5 + 2 * 0.5");
  }

  @Test
  void totalEffectsEqualTheChainRuleOnTheFittedCoefficients() {
    Fit f = fit();
    FittedScm m = f.model();
    CausalGraph g = m.graph();
    Map<String, CausalEffect> e = byPair(Explanations.effects(m, f.observed(), 0, ROWS));

    // Terms: B = [1, A]; C = [1, B, A(t), A(t-1), C(t-1)]; D = [1, C].
    double ab = m.equation("B").coefficient(1);
    double[] c = m.equation("C").coefficients();
    double phi = c[4];
    double bc = c[1] / (1 - phi);
    double ac = (c[2] + c[3]) / (1 - phi);
    double cd = m.equation("D").coefficient(1);
    assertEquals(List.of("(intercept)", "B[t]", "A[t]", "A[t-1]", "C[t-1]"),
        m.equation("C").layout().termNames());
    assertEquals(phi, m.equation("C").ownLagSum(), 0.0);
    assertEquals(c[2] + c[3], m.equation("C").parentCoefficientSum(g.indexOf("A")), 1e-15);

    assertEquals(ac + ab * bc, e.get("A->C").total(), 1e-12 * 14);
    assertEquals(bc * cd, e.get("B->D").total(), 1e-12 * 3);
    assertEquals((ac + ab * bc) * cd, e.get("A->D").total(), 1e-12 * 7);
  }

  @Test
  void onlyPairsJoinedByADirectedPathAreReported() {
    Fit f = fit();
    Map<String, CausalEffect> e = byPair(Explanations.effects(f.model(), f.observed(), 0, ROWS));

    // Pairs: A->B; A->C, B->C; A->D, B->D, C->D. E is unconnected, nothing reaches a root.
    assertEquals(6, e.size(), e.keySet().toString());
    for (String key : e.keySet()) {
      assertFalse(key.contains("E"), key);
      assertFalse(key.endsWith("->A"), key);
    }
    assertFalse(e.containsKey("D->C"), "effects flow downstream only");
  }

  @Test
  void contributionsSumToOnePerOutcomeAndFollowTheirDefinition() {
    Fit f = fit();
    double[][] obs = f.observed();
    CausalGraph g = f.model().graph();
    List<CausalEffect> effects = Explanations.effects(f.model(), obs, 0, ROWS);

    Map<String, Double> sums = new HashMap<>();
    for (CausalEffect e : effects) {
      assertTrue(e.contribution() >= 0 && e.contribution() <= 1, e.toString());
      sums.merge(e.outcome(), e.contribution(), Double::sum);
    }
    assertEquals(List.of("B", "C", "D"), sums.keySet().stream().sorted().toList());
    sums.forEach((outcome, sum) -> assertEquals(1.0, sum, 1e-12, outcome));

    // c(A -> C) = |T_AC| MAD(A) / (|T_AC| MAD(A) + |T_BC| MAD(B)), MAD = mean absolute deviation.
    Map<String, CausalEffect> e = byPair(effects);
    double madA = meanAbsoluteDeviation(obs[g.indexOf("A")]);
    double madB = meanAbsoluteDeviation(obs[g.indexOf("B")]);
    double wa = Math.abs(e.get("A->C").total()) * madA;
    double wb = Math.abs(e.get("B->C").total()) * madB;
    assertEquals(wa / (wa + wb), e.get("A->C").contribution(), 1e-12);
    assertEquals(1.0, e.get("A->B").contribution(), 1e-12, "A is B's only cause");
    // B ~ 2 A, so MAD(B) ~ 2 MAD(A): c(A -> C) ~ 14 / (14 + 6 * 2) = 0.538 (tolerance 0.01).
    assertEquals(14.0 / 26.0, e.get("A->C").contribution(), 0.01);
  }

  private static double meanAbsoluteDeviation(double[] v) {
    double m = 0;
    for (double x : v) {
      m += x;
    }
    m /= v.length;
    double s = 0;
    for (double x : v) {
      s += Math.abs(x - m);
    }
    return s / v.length;
  }
}
