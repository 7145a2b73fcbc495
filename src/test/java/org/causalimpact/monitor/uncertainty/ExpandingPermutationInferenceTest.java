package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.ScmFitter;
import org.junit.jupiter.api.Test;

/**
 * The expanding normal-equation refit gives the p-value of the batch's QR refit ({@code
 * ScmFitter.residuals} then {@link PermutationInference#pValue(double[], int)}) at every
 * post-period length 1..60, for OLS and ridge. The p-value is a count over cyclic shifts, so equal means equal
 * (tolerance 1e-12 only for the division), also once the arrays have grown. Seed 31.
 */
class ExpandingPermutationInferenceTest {
  private static final int PRE = 300;
  private static final int POST = 60;

  private static CausalGraph graph() {
    return CausalGraph.of(
        List.of(
            NodeDefinition.root("x"),
            new NodeDefinition("y", List.of(new Parent("x", 1)), 1, null, true, Aggregation.MEAN)));
  }

  private static double[][] data(long seed, double effect) {
    SplittableRandom rng = new SplittableRandom(seed);
    int n = PRE + POST;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int t = 1; t < n; t++) {
      x[t] = 0.7 * x[t - 1] + rng.nextDouble() - 0.5 + 5;
      y[t] = 1 + 0.8 * x[t] - 0.3 * x[t - 1] + 0.5 * y[t - 1] + (rng.nextDouble() - 0.5)
          + (t >= PRE ? effect : 0);
    }
    return new double[][] {x, y};
  }

  @Test
  void equalsTheBatchRefitAtEveryLength() {
    for (double ridge : new double[] {0.0, 0.2}) {
      double[][] values = data(31L, 0.4);
      CausalGraph g = graph();
      EquationLayout layout = EquationLayout.of(g, "y", 0, PRE);
      ScmFitter fitter = ScmFitter.with(new FitOptions(ridge));
      // room for one post-period row at first: the arrays grow while the rows are added
      var test = new ExpandingPermutationInference(layout, values, 0, PRE, 1, ridge);
      for (int k = 1; k <= POST; k++) {
        test.addRow(PRE + k - 1);
        double batch = PermutationInference.pValue(fitter.residuals(layout, values, 0, PRE + k), k);
        assertEquals(batch, test.pValue(), 1e-12, "ridge " + ridge + ", post rows " + k);
      }
    }
  }

  @Test
  void rowsComeInOrderAndACollinearTermFails() {
    double[][] values = data(32L, 0);
    EquationLayout layout = EquationLayout.of(graph(), "y", 0, PRE);
    var test = new ExpandingPermutationInference(layout, values, 0, PRE, 5, 0);
    assertThrows(IllegalArgumentException.class, () -> test.addRow(PRE + 1));

    double[][] constant = {new double[PRE + 5], values[1]};
    java.util.Arrays.fill(constant[0], 2.0);
    var flat = new ExpandingPermutationInference(layout, constant, 0, PRE, 5, 0);
    flat.addRow(PRE);
    assertThrows(InputException.class, flat::pValue);
  }
}
