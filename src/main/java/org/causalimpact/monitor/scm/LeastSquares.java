package org.causalimpact.monitor.scm;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularMatrixException;

/**
 * (Ridge) least squares by Householder QR (Commons Math), on columns scaled to unit root mean
 * square for conditioning.
 *
 * <p>Minimises {@code ||y - X b||^2 + lambda * n * sum_{k>=1} v_k b_k^2}, where {@code v_k} is the
 * variance of column {@code k} and column 0 is the unpenalised intercept: ridge on standardised
 * regressors with a penalty that does not depend on the scale of the data. {@code lambda = 0} is
 * ordinary least squares. The ridge problem is solved as the least-squares problem of the
 * augmented matrix {@code [X; sqrt(lambda n V)]}.
 *
 * <p>Also, for the whitened rows of a level model ({@link StateSpaceFitter}): the same problem by
 * the normal equations ({@link #normalEquations}), much cheaper for thousands of rows and a few
 * columns, and the restricted likelihood of a Gram matrix ({@link #restrictedLogLikelihood}).
 *
 * <p>Thread-safe (stateless).
 */
final class LeastSquares {
  /**
   * Relative size of a diagonal element of R below which a column counts as collinear; {@link
   * SlidingLeastSquares} applies the same rule to its Cholesky pivots.
   */
  static final double COLLINEAR = 1e-9;

  private LeastSquares() {}

  /** The solution, and {@code (X'X + Lambda)^{-1}}; {@code collinearColumn} is -1 when fine. */
  record Solution(double[] coefficients, double[][] inverseGram, int collinearColumn) {}

  static Solution solve(double[][] x, double[] y, double ridge) {
    int n = x.length;
    int p = x[0].length;
    double[] scale = new double[p];
    double[] mean = new double[p];
    for (double[] row : x) {
      for (int k = 0; k < p; k++) {
        scale[k] += row[k] * row[k];
        mean[k] += row[k];
      }
    }
    for (int k = 0; k < p; k++) {
      scale[k] = Math.sqrt(scale[k] / n);
      mean[k] /= n;
      if (scale[k] == 0) {
        return new Solution(null, null, k);
      }
    }
    int extra = ridge > 0 ? p - 1 : 0;
    double[][] a = new double[n + extra][p];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < p; k++) {
        a[i][k] = x[i][k] / scale[k];
      }
    }
    double[] b = new double[n + extra];
    System.arraycopy(y, 0, b, 0, n);
    for (int k = 1; k <= extra; k++) {
      double var = scale[k] * scale[k] - mean[k] * mean[k];
      a[n + k - 1][k] = Math.sqrt(ridge * n * Math.max(var, 0)) / scale[k];
    }
    RealMatrix am = new Array2DRowRealMatrix(a, false);
    QRDecomposition qr = new QRDecomposition(am);
    RealMatrix r = qr.getR();
    double threshold = COLLINEAR * Math.sqrt(n);
    for (int k = 0; k < p; k++) {
      if (Math.abs(r.getEntry(k, k)) < threshold) {
        return new Solution(null, null, k);
      }
    }
    double[] z = qr.getSolver().solve(new ArrayRealVector(b, false)).toArray();
    double[] coef = new double[p];
    for (int k = 0; k < p; k++) {
      coef[k] = z[k] / scale[k];
    }
    double[][] rinv = upperInverse(r, p);
    double[][] inv = new double[p][p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j < p; j++) {
        double s = 0;
        for (int k = Math.max(i, j); k < p; k++) {
          s += rinv[i][k] * rinv[j][k];
        }
        inv[i][j] = s / (scale[i] * scale[j]);
      }
    }
    return new Solution(coef, inv, -1);
  }

  private static double[][] upperInverse(RealMatrix r, int p) {
    double[][] inv = new double[p][p];
    for (int j = p - 1; j >= 0; j--) {
      inv[j][j] = 1.0 / r.getEntry(j, j);
      for (int i = j - 1; i >= 0; i--) {
        double s = 0;
        for (int k = i + 1; k <= j; k++) {
          s += r.getEntry(i, k) * inv[k][j];
        }
        inv[i][j] = -s / r.getEntry(i, i);
      }
    }
    return inv;
  }

  /**
   * (Ridge) least squares of {@code z} on {@code x} by the Cholesky decomposition of the normal
   * equations in columns scaled to unit root mean square, with this class's penalty
   * {@code lambda n v_k} on every column but the first (the intercept): the solution {@link
   * #solve} gives by QR, to rounding. A component's design has a few columns and
   * thousands of rows, where QR costs many times more; {@code null} when a pivot falls below
   * {@link LeastSquares#COLLINEAR}{@code ^2} (relative), as a QR would report a collinear column.
   */
  static Solution normalEquations(double[][] x, double[] z, double ridge) {
    int n = x.length;
    int p = x[0].length;
    double[] scale = new double[p];
    double[] mean = new double[p];
    double[][] gram = new double[p][p];
    double[] moment = new double[p];
    for (int i = 0; i < n; i++) {
      double[] row = x[i];
      for (int a = 0; a < p; a++) {
        double xa = row[a];
        scale[a] += xa * xa;
        mean[a] += xa;
        moment[a] += xa * z[i];
        for (int b = 0; b <= a; b++) {
          gram[a][b] += xa * row[b];
        }
      }
    }
    for (int a = 0; a < p; a++) {
      scale[a] = Math.sqrt(scale[a] / n);
      mean[a] /= n;
      if (!(scale[a] > 0)) {
        return null;
      }
    }
    double[][] scaled = new double[p][p];
    double[] rhs = new double[p];
    for (int a = 0; a < p; a++) {
      rhs[a] = moment[a] / scale[a];
      for (int b = 0; b <= a; b++) {
        double v = gram[a][b] / (scale[a] * scale[b]);
        scaled[a][b] = v;
        scaled[b][a] = v;
      }
      if (a > 0 && ridge > 0) {
        double var = scale[a] * scale[a] - mean[a] * mean[a];
        scaled[a][a] += ridge * n * Math.max(var, 0) / (scale[a] * scale[a]);
      }
    }
    CholeskyDecomposition chol;
    try {
      chol =
          new CholeskyDecomposition(
              new Array2DRowRealMatrix(scaled, false),
              1e-12,
              COLLINEAR * COLLINEAR * n);
    } catch (NonPositiveDefiniteMatrixException e) {
      return null;
    }
    double[] b = chol.getSolver().solve(new ArrayRealVector(rhs, false)).toArray();
    double[][] inv = chol.getSolver().getInverse().getData();
    double[] coef = new double[p];
    double[][] inverseGram = new double[p][p];
    for (int a = 0; a < p; a++) {
      coef[a] = b[a] / scale[a];
      for (int c = 0; c < p; c++) {
        inverseGram[a][c] = inv[a][c] / (scale[a] * scale[c]);
      }
    }
    return new Solution(coef, inverseGram, -1);
  }

  /**
   * The restricted log-likelihood of the whitened problem with {@code sigma^2} and the
   * coefficients profiled out; {@code -Infinity} when the whitened design is singular.
   */
  static double restrictedLogLikelihood(
      double[][] whitenedGram, double logDetF, int n, double[][] columns, double ridge) {
    int p = whitenedGram.length - 1;
    double[][] gram = new double[p][p];
    double[] moment = new double[p];
    double zz = whitenedGram[0][0];
    for (int a = 0; a < p; a++) {
      moment[a] = whitenedGram[a + 1][0];
      for (int b = 0; b < p; b++) {
        gram[a][b] = whitenedGram[a + 1][b + 1];
      }
    }
    if (ridge > 0) {
      for (int k = 1; k < p; k++) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
          mean += columns[k + 1][i];
        }
        mean /= n;
        double var = gram[k][k] / n - mean * mean;
        gram[k][k] += ridge * n * Math.max(var, 0);
      }
    }
    double[] b;
    double logDet = 0;
    try {
      CholeskyDecomposition chol =
          new CholeskyDecomposition(new Array2DRowRealMatrix(gram, false), 1e-12, 1e-14);
      b = chol.getSolver().solve(new ArrayRealVector(moment))
          .toArray();
      double[][] l = chol.getL().getData();
      for (int k = 0; k < p; k++) {
        logDet += 2 * Math.log(l[k][k]);
      }
    } catch (NonPositiveDefiniteMatrixException
        | SingularMatrixException e) {
      return Double.NEGATIVE_INFINITY;
    }
    double rss = zz;
    for (int k = 0; k < p; k++) {
      rss -= b[k] * moment[k];
    }
    int dof = n - p;
    if (!(rss > 0) || dof < 1) {
      return Double.NEGATIVE_INFINITY;
    }
    return -0.5 * (dof * Math.log(rss / dof) + logDetF + logDet);
  }
}
