package org.causalimpact.monitor.scm;

/**
 * The Cholesky factorisation {@code A + lambda I = L L'} of a symmetric {@code m x m} matrix
 * {@code A}, row by row, and the solution of {@code L L' z = r} by forward and back substitution
 * (Golub and Van Loan, <i>Matrix Computations</i>, 4th ed., §4.2 and §3.1), for the standardised
 * system of {@link SlidingLeastSquares#solve}. The factorisation stops at the first column that is
 * marked constant or whose pivot falls below its floor, so that the caller can report that column
 * as collinear.
 *
 * <p>Matrices are flat, row-major ({@code (k, l)} at {@code k m + l}): a system is solved for every
 * node and row, and a flat array is a single allocation. Stateless; thread-safe.
 */
final class RidgeCholesky {
  private RidgeCholesky() {}

  /**
   * Factors {@code a + ridge I} into the lower triangle of {@code chol}, row {@code k} from rows
   * {@code 0..k-1}: {@code L_kl = (a_kl - sum_{i<l} L_ki L_li) / L_ll} for {@code l < k}, then the
   * pivot {@code e_k = a_kk + ridge - sum_{i<k} L_ki^2} and {@code L_kk = sqrt(e_k)}. Reads only the
   * lower triangle and diagonal of {@code a}.
   *
   * @param a the matrix, flat, {@code m = constant.length}
   * @param constant per column, whether to stop there before factoring it
   * @param pivotFloor per column, the least pivot accepted; a pivot below it, or NaN, stops there
   * @param chol receives {@code L}, {@code m x m}, flat; its upper triangle is not written, and only
   *     rows before the column returned are complete if one is
   * @return the first column {@code k} (from 0) that is constant or whose pivot is not {@code >=
   *     pivotFloor[k]}; {@code -1} if every column was factored
   */
  static int factor(
      double[] a, double ridge, boolean[] constant, double[] pivotFloor, double[] chol) {
    int m = constant.length;
    for (int k = 0; k < m; k++) {
      if (constant[k]) {
        return k;
      }
      for (int l = 0; l < k; l++) {
        double s = a[k * m + l];
        for (int i = 0; i < l; i++) {
          s -= chol[k * m + i] * chol[l * m + i];
        }
        chol[k * m + l] = s / chol[l * m + l];
      }
      double pivot = a[k * m + k] + ridge;
      for (int i = 0; i < k; i++) {
        pivot -= chol[k * m + i] * chol[k * m + i];
      }
      if (!(pivot >= pivotFloor[k])) {
        return k;
      }
      chol[k * m + k] = Math.sqrt(pivot);
    }
    return -1;
  }

  /** Solves {@code L L' z = r} for lower-triangular {@code L} ({@code chol}, flat, row-major). */
  static double[] solve(double[] chol, double[] r) {
    int m = r.length;
    double[] z = new double[m];
    for (int k = 0; k < m; k++) {
      double s = r[k];
      for (int i = 0; i < k; i++) {
        s -= chol[k * m + i] * z[i];
      }
      z[k] = s / chol[k * m + k];
    }
    for (int k = m - 1; k >= 0; k--) {
      double s = z[k];
      for (int i = k + 1; i < m; i++) {
        s -= chol[i * m + k] * z[i];
      }
      z[k] = s / chol[k * m + k];
    }
    return z;
  }
}
