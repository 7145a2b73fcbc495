package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.graph.Aggregation;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.NodeDefinition;
import org.causalimpact.monitor.graph.Parent;
import org.junit.jupiter.api.Test;

/**
 * NIST StRD linear regression, Longley (1967): 16 observations, 6 strongly collinear regressors,
 * "higher difficulty". Data and certified values are those of {@code Longley.dat} (
 * https://www.itl.nist.gov/div898/strd/lls/data/Longley.shtml), certified to 15 digits.
 *
 * <p>Tolerance: relative 1e-7 (at least seven significant digits, NIST's usual bar for a double
 * precision solver on this problem: LRE >= 7) on coefficients, standard errors, residual SD and
 * R²; the scaled Householder QR here agrees to 5e-12 or better (observed).
 */
class LongleyTest {
  private static final double REL = 1e-7;

  /**
   * Columns: y = Employed, x1 GNP.deflator, x2 GNP, x3 Unemployed, x4 Armed.Forces, x5
   * Population, x6 Year.
   */
  private static final double[][] LONGLEY = {
    {60323, 83.0, 234289, 2356, 1590, 107608, 1947},
    {61122, 88.5, 259426, 2325, 1456, 108632, 1948},
    {60171, 88.2, 258054, 3682, 1616, 109773, 1949},
    {61187, 89.5, 284599, 3351, 1650, 110929, 1950},
    {63221, 96.2, 328975, 2099, 3099, 112075, 1951},
    {63639, 98.1, 346999, 1932, 3594, 113270, 1952},
    {64989, 99.0, 365385, 1870, 3547, 115094, 1953},
    {63761, 100.0, 363112, 3578, 3350, 116219, 1954},
    {66019, 101.2, 397469, 2904, 3048, 117388, 1955},
    {67857, 104.6, 419180, 2822, 2857, 118734, 1956},
    {68169, 108.4, 442769, 2936, 2798, 120445, 1957},
    {66513, 110.8, 444546, 4681, 2637, 121950, 1958},
    {68655, 112.6, 482704, 3813, 2552, 123366, 1959},
    {69564, 114.2, 502601, 3931, 2514, 125368, 1960},
    {69331, 115.7, 518173, 4806, 2572, 127852, 1961},
    {70551, 116.9, 554894, 4007, 2827, 130081, 1962},
  };

  private static final List<String> REGRESSORS =
      List.of("GNP.deflator", "GNP", "Unemployed", "Armed.Forces", "Population", "Year");

  /** Certified estimates b0 (intercept) .. b6, from Longley.dat. */
  private static final double[] CERTIFIED_COEFFICIENTS = {
    -3482258.63459582,
    15.0618722713733,
    -0.358191792925910E-01,
    -2.02022980381683,
    -1.03322686717359,
    -0.511041056535807E-01,
    1829.15146461355,
  };

  /** Certified standard deviations of the estimates, from Longley.dat. */
  private static final double[] CERTIFIED_STANDARD_ERRORS = {
    890420.383607373,
    84.9149257747669,
    0.334910077722432E-01,
    0.488399681651699,
    0.214274163161675,
    0.226073200069370,
    455.478499142212,
  };

  private static final double CERTIFIED_RESIDUAL_SD = 304.854073561965;
  private static final double CERTIFIED_R_SQUARED = 0.995479004577296;

  /**
   * Residuals of the certified fit as R gives them ({@code residuals(lm(y ~ ., data = longley))}
   * on the NIST table; also quoted by Commons Math's OLSMultipleLinearRegressionTest). Absolute
   * tolerance 1e-6 on values of order 100 (the certified fit itself has 15 digits).
   */
  private static final double[] R_RESIDUALS = {
    267.340029759711, -94.0139423988359, 46.28716775752924, -410.114621930906,
    309.7145907602313, -249.3112153297231, -164.0489563956039, -13.18035686637081,
    14.30477260005235, 455.394094551857, -17.26892711483297, -39.0550425226967,
    -155.5499735953195, -85.6713080421283, 341.9315139607727, -206.7578251937366,
  };

  private static CausalGraph graph() {
    List<NodeDefinition> nodes = new ArrayList<>();
    List<Parent> parents = new ArrayList<>();
    for (String r : REGRESSORS) {
      nodes.add(NodeDefinition.root(r));
      parents.add(new Parent(r, 0));
    }
    nodes.add(new NodeDefinition("Employed", parents, 0, null, false, Aggregation.MEAN));
    return CausalGraph.of(nodes);
  }

  private static TimeSeriesTable table() {
    List<String> columns = new ArrayList<>();
    columns.add("Employed");
    columns.addAll(REGRESSORS);
    double[][] values = new double[7][LONGLEY.length];
    for (int t = 0; t < LONGLEY.length; t++) {
      for (int c = 0; c < 7; c++) {
        values[c][t] = LONGLEY[t][c];
      }
    }
    return new TimeSeriesTable(columns, values, null);
  }

  private static FittedEquation fitEmployed() {
    return ScmFitter.with(FitOptions.ols())
        .fit(graph(), table(), 0, LONGLEY.length)
        .equation("Employed");
  }

  private static void assertRelative(double expected, double actual, double rel, String what) {
    assertEquals(
        expected,
        actual,
        Math.abs(expected) * rel,
        () -> what + ": expected " + expected + " got " + actual + " (relative " + rel + ")");
  }

  @Test
  void scmFitterReproducesTheCertifiedCoefficients() {
    FittedScm model = ScmFitter.with(FitOptions.ols()).fit(graph(), table(), 0, LONGLEY.length);
    FittedEquation eq = model.equation("Employed");

    List<String> expectedTerms = new ArrayList<>();
    expectedTerms.add("(intercept)");
    REGRESSORS.forEach(r -> expectedTerms.add(r + "[t]"));
    assertEquals(expectedTerms, eq.layout().termNames());
    assertEquals(16, eq.observations());
    for (int k = 0; k < CERTIFIED_COEFFICIENTS.length; k++) {
      assertRelative(CERTIFIED_COEFFICIENTS[k], eq.coefficient(k), REL, "b" + k);
    }
  }

  @Test
  void scmFitterReproducesTheCertifiedResidualSdAndRSquared() {
    FittedEquation eq = fitEmployed();

    assertRelative(CERTIFIED_RESIDUAL_SD, eq.sigma(), REL, "residual SD");
    assertRelative(CERTIFIED_R_SQUARED, eq.rSquared(), REL, "R squared");
    assertEquals(eq.sigma(), eq.summary().sigma(), 0.0);
    assertEquals(7, eq.summary().coefficients().size());
  }

  @Test
  void residualsMatchR() {
    FittedEquation eq = fitEmployed();

    double[] residuals = eq.residuals();
    assertEquals(R_RESIDUALS.length, residuals.length);
    for (int i = 0; i < residuals.length; i++) {
      assertEquals(R_RESIDUALS[i], residuals[i], 1e-6, "residual " + i);
    }
  }

  @Test
  void leastSquaresGivesCertifiedCoefficientsAndStandardErrors() {
    double[][] x = new double[LONGLEY.length][7];
    double[] y = new double[LONGLEY.length];
    for (int t = 0; t < LONGLEY.length; t++) {
      y[t] = LONGLEY[t][0];
      x[t][0] = 1;
      System.arraycopy(LONGLEY[t], 1, x[t], 1, 6);
    }

    LeastSquares.Solution s = LeastSquares.solve(x, y, 0);

    assertEquals(-1, s.collinearColumn());
    for (int k = 0; k < 7; k++) {
      assertRelative(CERTIFIED_COEFFICIENTS[k], s.coefficients()[k], REL, "b" + k);
      // se_k = sigma * sqrt([(X'X)^-1]_kk)
      double se = CERTIFIED_RESIDUAL_SD * Math.sqrt(s.inverseGram()[k][k]);
      assertRelative(CERTIFIED_STANDARD_ERRORS[k], se, REL, "se(b" + k + ")");
    }
    for (int i = 0; i < 7; i++) {
      for (int j = 0; j < i; j++) {
        assertRelative(s.inverseGram()[i][j], s.inverseGram()[j][i], 1e-9, "symmetry " + i + j);
      }
    }
  }

  @Test
  void ridgeShrinksTheSlopesAndLeavesTheInterceptUnpenalised() {
    double[][] x = new double[LONGLEY.length][7];
    double[] y = new double[LONGLEY.length];
    for (int t = 0; t < LONGLEY.length; t++) {
      y[t] = LONGLEY[t][0];
      x[t][0] = 1;
      System.arraycopy(LONGLEY[t], 1, x[t], 1, 6);
    }
    LeastSquares.Solution ols = LeastSquares.solve(x, y, 0);
    LeastSquares.Solution ridge = LeastSquares.solve(x, y, 0.1);

    // The penalty lambda n sum v_k b_k^2 on standardised slopes must make their (variance-weighted)
    // squared norm smaller than OLS's, the defining property of ridge.
    assertTrue(weightedNorm(x, ridge.coefficients()) < weightedNorm(x, ols.coefficients()));
    // With the intercept unpenalised, the fit passes through the means: sum of residuals = 0.
    double sum = 0;
    for (int t = 0; t < y.length; t++) {
      double fitted = 0;
      for (int k = 0; k < 7; k++) {
        fitted += ridge.coefficients()[k] * x[t][k];
      }
      sum += y[t] - fitted;
    }
    assertEquals(0, sum, 1e-6 * 65000, "ridge residuals sum to zero (intercept unpenalised)");
  }

  private static double weightedNorm(double[][] x, double[] b) {
    int n = x.length;
    double s = 0;
    for (int k = 1; k < b.length; k++) {
      double m = 0;
      double q = 0;
      for (double[] row : x) {
        m += row[k];
        q += row[k] * row[k];
      }
      double var = q / n - (m / n) * (m / n);
      s += var * b[k] * b[k];
    }
    return s;
  }

  @Test
  void anExactlyCollinearColumnIsReportedByName() {
    // Year and Year shifted by a constant are collinear with the intercept column.
    List<NodeDefinition> nodes = new ArrayList<>();
    nodes.add(NodeDefinition.root("Year"));
    nodes.add(NodeDefinition.root("Year2"));
    nodes.add(
        new NodeDefinition(
            "Employed",
            List.of(new Parent("Year", 0), new Parent("Year2", 0)),
            0,
            null,
            false,
            Aggregation.MEAN));
    double[][] values = new double[3][LONGLEY.length];
    for (int t = 0; t < LONGLEY.length; t++) {
      values[0][t] = LONGLEY[t][6];
      values[1][t] = LONGLEY[t][6] + 10;
      values[2][t] = LONGLEY[t][0];
    }
    TimeSeriesTable table = new TimeSeriesTable(List.of("Year", "Year2", "Employed"), values, null);

    InputException e =
        assertThrows(
            InputException.class,
            () -> ScmFitter.with(FitOptions.ols()).fit(CausalGraph.of(nodes), table, 0, 16));
    assertTrue(e.getMessage().contains("Year2[t]"), e.getMessage());
  }
}
