package org.causalimpact.monitor.scm;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

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
}
