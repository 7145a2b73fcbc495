package org.causalimpact.monitor.scm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/**
 * {@link LeastSquares} against the ridge normal equations {@code (X'X + Lambda) b = X'y}, with
 * {@code Lambda = diag(0, lambda n v_1, ..., lambda n v_p)} and {@code v_k} the (population)
 * variance of column {@code k}, solved by LU on a well-conditioned problem (condition number about
 * 10), so both routes agree to rounding: tolerance 1e-10 relative. Seed 17.
 */
class LeastSquaresTest {
  private static final int N = 60;

  private record Problem(double[][] x, double[] y) {}

  private static Problem problem() {
    Random rng = new Random(17);
    double[][] x = new double[N][4];
    double[] y = new double[N];
    for (int i = 0; i < N; i++) {
      x[i][0] = 1;
      x[i][1] = 3 + 2 * rng.nextGaussian();
      x[i][2] = -1 + 0.5 * rng.nextGaussian();
      x[i][3] = 100 + 10 * rng.nextGaussian();
      y[i] = 4 + 1.5 * x[i][1] - 2 * x[i][2] + 0.1 * x[i][3] + rng.nextGaussian();
    }
    return new Problem(x, y);
  }

  private static RealMatrix gram(double[][] x, double ridge) {
    int p = x[0].length;
    RealMatrix g = new Array2DRowRealMatrix(p, p);
    for (double[] row : x) {
      for (int a = 0; a < p; a++) {
        for (int b = 0; b < p; b++) {
          g.addToEntry(a, b, row[a] * row[b]);
        }
      }
    }
    for (int k = 1; k < p; k++) {
      double m = 0;
      double q = 0;
      for (double[] row : x) {
        m += row[k];
        q += row[k] * row[k];
      }
      double var = q / N - (m / N) * (m / N);
      g.addToEntry(k, k, ridge * N * var);
    }
    return g;
  }

  private static void check(double ridge) {
    Problem pr = problem();
    RealMatrix g = gram(pr.x(), ridge);
    double[] xty = new double[4];
    for (int i = 0; i < N; i++) {
      for (int k = 0; k < 4; k++) {
        xty[k] += pr.x()[i][k] * pr.y()[i];
      }
    }
    LUDecomposition lu = new LUDecomposition(g);
    double[] expected = lu.getSolver().solve(new ArrayRealVector(xty)).toArray();
    RealMatrix inverse = lu.getSolver().getInverse();

    LeastSquares.Solution s = LeastSquares.solve(pr.x(), pr.y(), ridge);

    assertEquals(-1, s.collinearColumn());
    for (int k = 0; k < 4; k++) {
      assertEquals(expected[k], s.coefficients()[k], 1e-10 * Math.abs(expected[k]), "b" + k);
      for (int j = 0; j < 4; j++) {
        double e = inverse.getEntry(k, j);
        double tol = 1e-9 * Math.abs(inverse.getEntry(k, k));
        assertEquals(e, s.inverseGram()[k][j], tol, "P" + k + j);
      }
    }
  }

  @Test
  void olsSolvesTheNormalEquations() {
    check(0);
  }

  @Test
  void ridgeSolvesThePenalisedNormalEquations() {
    check(0.3);
  }

  @Test
  void aConstantRegressorIsReportedAsCollinear() {
    Problem pr = problem();
    for (double[] row : pr.x()) {
      row[2] = 7;
    }
    assertEquals(2, LeastSquares.solve(pr.x(), pr.y(), 0).collinearColumn());
  }

  @Test
  void anAllZeroColumnIsReportedAsCollinear() {
    Problem pr = problem();
    for (double[] row : pr.x()) {
      row[3] = 0;
    }
    assertEquals(3, LeastSquares.solve(pr.x(), pr.y(), 0.5).collinearColumn());
  }

  @Test
  void theNormalEquationsFromTheirSumsGiveTheQrSolution() {
    Problem pr = problem();
    for (double ridge : new double[] {0, 0.3}) {
      LeastSquares.Solution qr = LeastSquares.solve(pr.x(), pr.y(), ridge);
      LeastSquares.Solution normal = LeastSquares.normalEquations(pr.x(), pr.y(), ridge);
      for (int k = 0; k < 4; k++) {
        double e = qr.coefficients()[k];
        assertEquals(e, normal.coefficients()[k], 1e-10 * Math.abs(e), "ridge " + ridge + ", b" + k);
        for (int j = 0; j < 4; j++) {
          double tol = 1e-9 * Math.abs(qr.inverseGram()[k][k]);
          assertEquals(qr.inverseGram()[k][j], normal.inverseGram()[k][j], tol, "P" + k + j);
        }
      }
    }
  }

  @Test
  void anAllZeroColumnOfTheNormalEquationsIsTheOneQrReports() {
    Problem pr = problem();
    for (double[] row : pr.x()) {
      row[2] = 0;
    }
    assertEquals(2, LeastSquares.solve(pr.x(), pr.y(), 0).collinearColumn());
    assertEquals(null, LeastSquares.normalEquations(pr.x(), pr.y(), 0));
    double[][] gram = new double[4][4];
    double[] moment = new double[4];
    double[] sums = new double[4];
    for (int i = 0; i < N; i++) {
      for (int a = 0; a < 4; a++) {
        sums[a] += pr.x()[i][a];
        moment[a] += pr.x()[i][a] * pr.y()[i];
        for (int b = 0; b <= a; b++) {
          gram[a][b] += pr.x()[i][a] * pr.x()[i][b];
        }
      }
    }
    assertEquals(2, LeastSquares.normalEquations(gram, moment, sums, N, 0).collinearColumn());
  }

  @Test
  void choleskyReportsTheFirstColumnAtOrBelowTheThresholdOrNotFinite() {
    double[][] a = {{4, 2, 0}, {2, 1, 0}, {0, 0, 9}};
    assertEquals(1, LeastSquares.Cholesky.of(a, 1e-12).failedColumn());
    assertEquals(0, LeastSquares.Cholesky.of(a, 4).failedColumn());
    double[][] nan = {{4, 0}, {0, Double.NaN}};
    assertEquals(1, LeastSquares.Cholesky.of(nan, 0).failedColumn());
    double[][] spd = {{4, 2}, {2, 5}};
    LeastSquares.Cholesky chol = LeastSquares.Cholesky.of(spd, 0);
    double[] x = chol.solve(new double[] {8, 13});
    assertEquals(0.875, x[0], 1e-15);
    assertEquals(2.25, x[1], 1e-15);
    assertEquals(Math.log(16), chol.logDeterminant(), 1e-15);
    assertEquals(0, LeastSquares.Cholesky.of(new double[0][0], 0).solve(new double[0]).length);
  }
}
