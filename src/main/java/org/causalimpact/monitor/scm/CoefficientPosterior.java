package org.causalimpact.monitor.scm;

import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;

/**
 * The Gaussian posterior of an equation's coefficients given its error process and innovation
 * standard deviation {@code s}: {@code N(b, s^2 P)} on the terms that enter, with {@code P} the
 * fit's {@code (W'W + Lambda)^-1}; with {@code s} drawn from its own posterior, the
 * normal-inverse-gamma posterior. Immutable; thread-safe.
 */
final class CoefficientPosterior {
  /** {@code [k][l]}: the Cholesky factor of {@code P} on the entering terms, indexed by term. */
  private final double[][] factor;

  /**
   * @param inverseGram {@code P}, {@code p x p}
   * @param enters which terms enter (the others keep their coefficient)
   */
  CoefficientPosterior(double[][] inverseGram, IntPredicate enters) {
    int p = inverseGram.length;
    int[] terms = IntStream.range(0, p).filter(enters).toArray();
    double[][] sub = new double[terms.length][terms.length];
    for (int a = 0; a < terms.length; a++) {
      for (int b = 0; b < terms.length; b++) {
        sub[a][b] = 0.5 * (inverseGram[terms[a]][terms[b]] + inverseGram[terms[b]][terms[a]]);
      }
    }
    LeastSquares.Cholesky chol = LeastSquares.Cholesky.of(sub, 0);
    double[][] l = chol.failedColumn() < 0 ? chol.lower() : diagonalRoot(sub);
    factor = new double[p][p];
    for (int a = 0; a < terms.length; a++) {
      for (int b = 0; b <= a; b++) {
        factor[terms[a]][terms[b]] = l[a][b];
      }
    }
  }

  /**
   * The square roots of the diagonal, for a {@code P} that rounding left not quite positive
   * definite (a regular fit's is): each coefficient keeps its variance, not its correlations.
   */
  private static double[][] diagonalRoot(double[][] a) {
    double[][] l = new double[a.length][a.length];
    for (int k = 0; k < a.length; k++) {
      l[k][k] = Math.sqrt(Math.max(a[k][k], Double.MIN_NORMAL));
    }
    return l;
  }

  /**
   * {@code b + s C z} into {@code out}, {@code C C' = P}: {@code z} standard normals from {@code
   * rng}, one per entering term in term order; a term that does not enter keeps {@code b}'s value.
   */
  void draw(double[] b, double s, RandomGenerator rng, double[] out) {
    int p = b.length;
    double[] z = new double[p];
    System.arraycopy(b, 0, out, 0, p);
    for (int a = 0; a < p; a++) {
      if (factor[a][a] != 0) {
        z[a] = rng.nextGaussian();
        double shift = 0;
        for (int c = 0; c <= a; c++) {
          shift += factor[a][c] * z[c];
        }
        out[a] += s * shift;
      }
    }
  }
}
