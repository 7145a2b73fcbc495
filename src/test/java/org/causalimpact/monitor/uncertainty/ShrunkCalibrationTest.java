package org.causalimpact.monitor.uncertainty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.causalimpact.monitor.graph.CausalGraph;
import org.causalimpact.monitor.graph.Level;
import org.causalimpact.monitor.impact.CausalImpactModel;
import org.causalimpact.monitor.scm.FitOptions;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.ScmFitter;
import org.causalimpact.monitor.scm.TimeSeriesTable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The calibration's expanding refit of an equation whose controls are all shrunk ({@code
 * scm.DenseShrinkage}) solves the equation's own penalised problem on the rows it holds: the
 * penalty scaled to those rows and, with a ridge option, in the ridge's place, as in the fit. 30 controls that each matter a
 * little on 120 rows, where the shrunk model wins.
 */
class ShrunkCalibrationTest {
  private static final int CONTROLS = 30;
  private static final int ROWS = 120;

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 0.5})
  void refitOnEveryRowIsTheFit(double ridge) {
    Random rnd = new Random(4);
    double[][] values = new double[CONTROLS + 1][ROWS];
    double[] x = new double[CONTROLS];
    double e = 0;
    for (int t = 0; t < ROWS; t++) {
      double sum = 0;
      for (int k = 0; k < CONTROLS; k++) {
        x[k] = 0.9 * x[k] + rnd.nextGaussian();
        values[k + 1][t] = 100 + x[k];
        sum += 0.1 * values[k + 1][t];
      }
      e = 0.3 * e + rnd.nextGaussian();
      values[0][t] = sum + e;
    }
    List<String> names = new ArrayList<>(List.of("y"));
    for (int k = 0; k < CONTROLS; k++) {
      names.add("x" + k);
    }
    TimeSeriesTable table = new TimeSeriesTable(names, values, null);
    CausalGraph graph =
        CausalImpactModel.graph("y", names.subList(1, names.size()), 0, 0, null, false, Level.AUTO);
    FittedScm model = ScmFitter.with(new FitOptions(ridge)).fit(graph, table, 0, ROWS);
    int y = graph.indexOf("y");
    FittedEquation eq = model.equation(y);
    assertTrue(eq.shrunk(), "the shrunk model is the best component");

    double[][] observed = new double[graph.nodeNames().size()][];
    for (String node : graph.nodeNames()) {
      observed[graph.indexOf(node)] = table.column(node);
    }
    CalibrationOrigins origins =
        new CalibrationOrigins(model, new int[] {y}, observed, 10, ridge, 0.5);
    double[][] coef = new double[1][];
    double[][] state = new double[1][];
    int last = ROWS - 1; // the last origin: the refit holds every fit row before it
    assertTrue(origins.refit(last, coef, state));

    // independently: (X'X + Lambda m / n) b = X'z on the m whitened rows before it, Lambda the
    // equation's own penalty and nothing of the ridge's
    int m = last - eq.firstRow();
    int p = eq.coefficients().length;
    double[][] a = new double[p][p];
    double[] b = new double[p];
    for (int i = 0; i < m; i++) {
      double z = eq.response(i, observed[y]);
      for (int j = 0; j < p; j++) {
        b[j] += eq.regressor(i, j) * z;
        for (int k = 0; k < p; k++) {
          a[j][k] += eq.regressor(i, j) * eq.regressor(i, k);
        }
      }
    }
    for (int k = 0; k < p; k++) {
      a[k][k] += eq.penalty(k) * m / eq.observations();
    }
    double[] expected =
        new CholeskyDecomposition(new Array2DRowRealMatrix(a), 1e-9, 1e-12)
            .getSolver()
            .solve(new ArrayRealVector(b))
            .toArray();
    for (int k = 0; k < p; k++) {
      assertEquals(expected[k], coef[0][k], 1e-7 * (1 + Math.abs(expected[k])), "term " + k);
    }
  }
}
