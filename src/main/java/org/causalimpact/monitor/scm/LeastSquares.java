package org.causalimpact.monitor.scm;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
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
 * <p>The one least-squares core of the engine. Besides {@link #solve} for a design matrix: the same
 * problem from the sums of its normal equations ({@link #normalEquations}), much cheaper for
 * thousands of rows and a few columns and the form in which sums are accumulated row by row (the
 * whitened rows of a level model in {@link StateSpaceFitter}, the expanding refit of the
 * permutation test); the restricted likelihood of a Gram matrix ({@link
 * #restrictedLogLikelihood}); and the Cholesky factorisation ({@link Cholesky}) through which every
 * symmetric system of the engine is solved (those two, the sliding fit of {@link
 * SlidingLeastSquares}, the calibration's refits).
 *
 * <p>Thread-safe (stateless).
 */
public final class LeastSquares {
  /**
   * Relative size of a diagonal element of R below which a column counts as collinear; {@link
   * SlidingLeastSquares} applies the same rule to its Cholesky pivots.
   */
  static final double COLLINEAR = 1e-9;

  private LeastSquares() {}

  /** Pivot at or below which {@link #restrictedLogLikelihood} counts a Gram matrix as singular. */
  private static final double SINGULAR_PIVOT = 1e-14;

  /**
   * The solution, and {@code (X'X + Lambda)^{-1}}; {@code collinearColumn} is -1 when fine, else
   * the first collinear column and no coefficients.
   */
  public record Solution(double[] coefficients, double[][] inverseGram, int collinearColumn) {}

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
   * (Ridge) least squares of {@code z} on {@code x} by the normal equations ({@link
   * #normalEquations(double[][], double[], double[], int, double)}): the solution {@link #solve}
   * gives by QR, to rounding. A component's design has a few columns and thousands of rows, where QR
   * costs many times more; {@code null} when a column is collinear.
   */
  static Solution normalEquations(double[][] x, double[] z, double ridge) {
    return normalEquations(x, z, ridge, null);
  }

  /**
   * As {@link #normalEquations(double[][], double[], double)}, with {@code penalty} (when not
   * {@code null}) added to the diagonal of {@code X'X} as it is, one value a column, in place of the
   * ridge: a normal prior of precision {@code penalty_k / sigma^2} on coefficient {@code k}.
   */
  static Solution normalEquations(double[][] x, double[] z, double ridge, double[] penalty) {
    int n = x.length;
    int p = x[0].length;
    double[] columnSum = new double[p];
    double[][] gram = new double[p][p];
    double[] moment = new double[p];
    for (int i = 0; i < n; i++) {
      double[] row = x[i];
      for (int a = 0; a < p; a++) {
        double xa = row[a];
        columnSum[a] += xa;
        moment[a] += xa * z[i];
        for (int b = 0; b <= a; b++) {
          gram[a][b] += xa * row[b];
        }
      }
    }
    Solution s = normalEquations(gram, moment, columnSum, n, ridge, penalty);
    return s.collinearColumn() < 0 ? s : null;
  }

  /**
   * This class's (ridge) least squares from the sums of its normal equations, solved by the
   * Cholesky factorisation ({@link Cholesky}) of the system in columns scaled to unit root mean
   * square: {@code (D^-1 X'X D^-1 + Lambda) w = D^-1 X'y}, {@code b = D^-1 w}, {@code D = diag(rms_k)},
   * {@code Lambda = diag(0, lambda n v_k / rms_k^2)}. In exact arithmetic that is the solution of
   * {@link #solve}; in floating point the coefficients differ by about {@code cond(X D^-1)^2} units
   * in the last place. A column is collinear, as {@link #solve} reports it, when its scale is 0 or
   * its pivot is at most {@code (}{@value #COLLINEAR}{@code sqrt(n))^2}, the square of the QR rule.
   *
   * @param gram {@code X'X}; only the lower triangle ({@code gram[a][b]}, {@code b <= a}) is read
   * @param moment {@code X'y}
   * @param columnSum the sum of each column of {@code X}, for the variances of the penalty
   * @param n the number of rows
   * @param ridge {@code lambda}; column 0, the intercept, is not penalised
   */
  public static Solution normalEquations(
      double[][] gram, double[] moment, double[] columnSum, int n, double ridge) {
    return normalEquations(gram, moment, columnSum, n, ridge, null);
  }

  private static Solution normalEquations(
      double[][] gram, double[] moment, double[] columnSum, int n, double ridge, double[] penalty) {
    int p = moment.length;
    double[] scale = new double[p];
    for (int a = 0; a < p; a++) {
      scale[a] = Math.sqrt(gram[a][a] / n);
      if (!(scale[a] > 0)) {
        return new Solution(null, null, a);
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
      if (penalty != null) {
        scaled[a][a] += penalty[a] / (scale[a] * scale[a]);
      } else if (a > 0 && ridge > 0) {
        double mean = columnSum[a] / n;
        double var = scale[a] * scale[a] - mean * mean;
        scaled[a][a] += ridge * n * Math.max(var, 0) / (scale[a] * scale[a]);
      }
    }
    Cholesky chol = Cholesky.of(scaled, COLLINEAR * COLLINEAR * n);
    if (chol.failedColumn() >= 0) {
      return new Solution(null, null, chol.failedColumn());
    }
    double[] w = chol.solve(rhs);
    double[][] inv = chol.inverse();
    double[] coef = new double[p];
    double[][] inverseGram = new double[p][p];
    for (int a = 0; a < p; a++) {
      coef[a] = w[a] / scale[a];
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
    Cholesky chol = Cholesky.of(gram, SINGULAR_PIVOT);
    if (chol.failedColumn() >= 0) {
      return Double.NEGATIVE_INFINITY;
    }
    double[] b = chol.solve(moment);
    double logDet = chol.logDeterminant();
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
  /**
   * The Cholesky factorisation {@code A = L L'} of a symmetric matrix by Commons Math ({@link
   * CholeskyDecomposition}, Golub and Van Loan, <i>Matrix Computations</i>, 4th ed., §4.2), or the
   * first column whose pivot is at most the threshold or not finite (the columns before it are
   * positive definite, the rest unknown). A {@code 0 x 0} matrix is factored (nothing to solve).
   * Immutable; thread-safe.
   */
  public static final class Cholesky {
    /** Largest relative difference of {@code a_kl} and {@code a_lk} accepted as symmetric. */
    private static final double SYMMETRY = 1e-12;

    private final CholeskyDecomposition decomposition;
    private final int failedColumn;

    private Cholesky(CholeskyDecomposition decomposition, int failedColumn) {
      this.decomposition = decomposition;
      this.failedColumn = failedColumn;
    }

    /**
     * Factors {@code a} (not modified; its upper triangle and diagonal are read), column by column.
     *
     * @param a a symmetric matrix
     * @param pivotThreshold the pivot {@code a_kk - sum_{i<k} L_ki^2} of column {@code k} must
     *     exceed it
     * @throws org.apache.commons.math3.linear.NonSymmetricMatrixException if {@code a} is not
     *     symmetric to a relative 1e-12 (a caller's error)
     */
    public static Cholesky of(double[][] a, double pivotThreshold) {
      if (a.length == 0) {
        return new Cholesky(null, -1);
      }
      for (int k = 0; k < a.length; k++) {
        for (int l = k; l < a.length; l++) {
          if (!Double.isFinite(a[k][l])) {
            return new Cholesky(null, k);
          }
        }
      }
      try {
        return new Cholesky(
            new CholeskyDecomposition(
                new Array2DRowRealMatrix(a, false), SYMMETRY, pivotThreshold),
            -1);
      } catch (NonPositiveDefiniteMatrixException e) {
        return new Cholesky(null, e.getRow());
      }
    }

    /** The first column that failed, from 0; -1 if {@code a} was factored. */
    public int failedColumn() {
      return failedColumn;
    }

    /** Solves {@code A x = b}. */
    public double[] solve(double[] b) {
      if (b.length == 0 && failedColumn < 0) {
        return new double[0];
      }
      return decomposition().getSolver().solve(new ArrayRealVector(b, false)).toArray();
    }

    /** {@code A^-1}. */
    public double[][] inverse() {
      return decomposition().getSolver().getInverse().getData();
    }

    /** The lower triangular factor {@code L}. */
    public double[][] lower() {
      return decomposition().getL().getData();
    }

    /** {@code log det A = 2 sum_k log L_kk}. */
    public double logDeterminant() {
      RealMatrix l = decomposition().getL();
      double logDet = 0;
      for (int k = 0; k < l.getRowDimension(); k++) {
        logDet += 2 * Math.log(l.getEntry(k, k));
      }
      return logDet;
    }

    private CholeskyDecomposition decomposition() {
      if (decomposition == null) {
        throw new IllegalStateException(
            "the matrix is not positive definite from column " + failedColumn + ": nothing to solve");
      }
      return decomposition;
    }
  }
}
