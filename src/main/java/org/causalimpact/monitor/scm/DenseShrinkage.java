package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;

/**
 * The dense alternative to selecting an equation's parent terms ({@link SubsetSearch}): every
 * parent term enters, each coefficient shrunk towards 0 by a normal prior, for the case that
 * selection gets wrong, many controls that each matter a little (a sparse subset leaves most of them
 * out, and what they carry becomes slow noise that the error model reads as fast).
 *
 * <p>Given the forced terms (flat) and {@code sigma^2} (prior {@code 1/sigma^2}), the parent
 * coefficients have the prior {@code b ~ N(0, sigma^2 Lambda^-1)}, {@code Lambda = lambda D}, where
 * {@code D} is the diagonal of the whitened parent columns' Gram matrix after the forced terms
 * are regressed out: each coefficient's prior is on the scale of its column, and {@code lambda}
 * sets the share of the response the parents are expected to carry, {@code K / (lambda (n -
 * p_F))} of the noise's sum of squares for {@code K} parent terms. That ratio is not plugged in:
 * it ranges over {@link #SIGNAL_TO_NOISE}, each value with the same prior. On the whitened rows of
 * grid point {@code theta} the log marginal likelihood is (the same constants as {@link
 * SubsetSearch}'s, which is this formula for Zellner's prior)
 *
 * <pre>
 *   -1/2 sum_t log F_t - 1/2 log det(W_F'W_F) - 1/2 log det(I + C / lambda)
 *     - (n - p_F)/2 log(R_F - r'(C + lambda I)^-1 r)
 * </pre>
 *
 * where {@code C} and {@code r} are the correlation matrix of the parent columns given the forced
 * ones and their correlations with the response, in units of {@code D}, and {@code R_F} the residual
 * sum of squares of the forced terms alone. The dense models together have the prior probability
 * {@value #PRIOR} (times that of no trend, where {@link SelectedFit} offers one: the dense models
 * take none); the subsets, the rest. Thread-safe (stateless).
 */
final class DenseShrinkage {
  /** Prior probability that the parent terms all enter, shrunk, rather than a subset of them. */
  static final double PRIOR = 0.5;

  /**
   * The ratios of the parents' sum of squares to the noise's that the prior ranges over: from a
   * hundredth (next to nothing) to a thousand (a synthetic control whose donors track the response
   * closely).
   */
  static final double[] SIGNAL_TO_NOISE = {
    0.01, 0.0316, 0.1, 0.316, 1, 3.16, 10, 31.6, 100, 316, 1000
  };

  /**
   * Fewest rows per parent term (beyond the forced terms) with which the dense models are offered.
   * With as many parent terms as rows, the parents' columns reproduce any response, the likelihood
   * no longer tells a weak prior from a strong one, and the weakest wins: on California's case (38
   * states, 19 years) the dense fit went through every point and its bootstrap interval of the
   * average effect spanned [-14,697, 208]. There the subsets alone are scored, as before.
   */
  static final double ROWS_PER_TERM = 1.5;

  private DenseShrinkage() {}

  /** A scored dense model: grid point, penalty factor {@code lambda}, log posterior. */
  record Model(int grid, double lambda, double logPosterior) {}

  /**
   * Every dense model, scored.
   *
   * @param grams per grid point, the Gram matrix of the whitened columns {@code [z, W]}
   * @param logDetF per grid point, {@code sum_t log F_t}
   * @param logPrior per grid point, its prior
   * @param forced the terms that enter unshrunk (flat prior)
   * @param shrunk the terms that enter shrunk, the parents'; a term neither forced nor shrunk is
   *     left out
   * @param n rows
   */
  static List<Model> score(
      double[][][] grams,
      double[] logDetF,
      double[] logPrior,
      boolean[] forced,
      boolean[] shrunk,
      int n) {
    List<Model> out = new ArrayList<>();
    int k = 0;
    int pf = 0;
    for (int j = 0; j < forced.length; j++) {
      k += shrunk[j] ? 1 : 0;
      pf += forced[j] ? 1 : 0;
    }
    int dof = n - pf;
    if (k == 0 || dof < ROWS_PER_TERM * k) {
      return out;
    }
    double logEach = Math.log(PRIOR) - Math.log(SIGNAL_TO_NOISE.length);
    for (int g = 0; g < grams.length; g++) {
      Given given = Given.of(grams[g], forced, shrunk);
      if (given == null) {
        continue;
      }
      for (double snr : SIGNAL_TO_NOISE) {
        double lambda = k / (snr * dof);
        double[][] m = new double[k][k];
        for (int a = 0; a < k; a++) {
          m[a] = given.correlation[a].clone();
          m[a][a] += lambda;
        }
        LeastSquares.Cholesky chol = LeastSquares.Cholesky.of(m, 0);
        if (chol.failedColumn() >= 0) {
          continue;
        }
        double[] w = chol.solve(given.response);
        double quad = 0;
        for (int a = 0; a < k; a++) {
          quad += w[a] * given.response[a];
        }
        double rss = given.forcedRss - quad;
        if (!(rss > 0)) {
          continue;
        }
        double lp =
            -0.5 * logDetF[g]
                - 0.5 * given.forcedLogDet
                - 0.5 * (chol.logDeterminant() - k * Math.log(lambda))
                - 0.5 * dof * Math.log(rss)
                + logPrior[g]
                + logEach;
        if (Double.isFinite(lp)) {
          out.add(new Model(g, lambda, lp));
        }
      }
    }
    return out;
  }

  /**
   * The penalty of each term on the diagonal of {@code W'W}: {@code lambda D_kk} for a shrunk term,
   * 0 for the others ({@code gram}, {@code forced} and {@code shrunk} as in {@link #score}).
   */
  static double[] penalty(double[][] gram, boolean[] forced, boolean[] shrunk, double lambda) {
    Given given = Given.of(gram, forced, shrunk);
    double[] out = new double[forced.length];
    if (given == null) {
      return out;
    }
    int a = 0;
    for (int j = 0; j < forced.length; j++) {
      if (shrunk[j]) {
        out[j] = lambda * given.scale[a] * given.scale[a];
        a++;
      }
    }
    return out;
  }

  /**
   * {@code shrunk} without the terms whose column the forced ones reproduce (a constant control
   * beside the intercept): their coefficient is not identified, and a penalty on the scale of
   * what is left of the column would not shrink it. Such a term is left out of the dense model.
   */
  static boolean[] identifiable(double[][] gram, boolean[] forced, boolean[] shrunk) {
    boolean[] out = shrunk.clone();
    for (int j = 0; j < shrunk.length; j++) {
      if (shrunk[j]) {
        boolean[] one = new boolean[shrunk.length];
        one[j] = true;
        out[j] = Given.of(gram, forced, one) != null;
      }
    }
    return out;
  }

  /**
   * The shrunk columns given the forced ones: correlations, correlations with the response, the
   * scale {@code sqrt(D_kk)}, {@code log det(W_F'W_F)} and {@code R_F}.
   */
  private record Given(
      double[][] correlation,
      double[] response,
      double[] scale,
      double forcedLogDet,
      double forcedRss) {

    /** {@code null} when the forced terms are singular or a parent column is one of them. */
    static Given of(double[][] gram, boolean[] forced, boolean[] shrunk) {
      int p = forced.length;
      int[] f = new int[p];
      int[] c = new int[p];
      int pf = 0;
      int k = 0;
      for (int j = 0; j < p; j++) {
        if (forced[j]) {
          f[pf++] = j + 1;
        } else if (shrunk[j]) {
          c[k++] = j + 1;
        }
      }
      double[][] ff = new double[pf][pf];
      double[][] fc = new double[pf][k + 1]; // the parents' columns, then the response
      for (int a = 0; a < pf; a++) {
        for (int b = 0; b < pf; b++) {
          ff[a][b] = gram[f[a]][f[b]];
        }
        for (int b = 0; b < k; b++) {
          fc[a][b] = gram[f[a]][c[b]];
        }
        fc[a][k] = gram[f[a]][0];
      }
      LeastSquares.Cholesky chol = LeastSquares.Cholesky.of(ff, 1e-14);
      if (chol.failedColumn() >= 0) {
        return null;
      }
      // A = (W_F'W_F)^-1 W_F'[W_C, z], one column at a time
      double[][] solved = new double[k + 1][];
      for (int b = 0; b <= k; b++) {
        double[] col = new double[pf];
        for (int a = 0; a < pf; a++) {
          col[a] = fc[a][b];
        }
        solved[b] = chol.solve(col);
      }
      double[][] s = new double[k][k];
      double[] sz = new double[k];
      for (int a = 0; a < k; a++) {
        for (int b = 0; b <= a; b++) {
          double v = gram[c[a]][c[b]] - dot(fc, b, solved[a], pf);
          s[a][b] = v;
          s[b][a] = v;
        }
        sz[a] = gram[c[a]][0] - dot(fc, k, solved[a], pf);
      }
      double rf = gram[0][0] - dot(fc, k, solved[k], pf);
      double[] scale = new double[k];
      for (int a = 0; a < k; a++) {
        if (!(s[a][a] > 1e-12 * gram[c[a]][c[a]])) {
          return null;
        }
        scale[a] = Math.sqrt(s[a][a]);
      }
      double[][] corr = new double[k][k];
      double[] r = new double[k];
      for (int a = 0; a < k; a++) {
        for (int b = 0; b < k; b++) {
          corr[a][b] = s[a][b] / (scale[a] * scale[b]);
        }
        r[a] = sz[a] / scale[a];
      }
      return new Given(corr, r, scale, chol.logDeterminant(), rf);
    }

    /** {@code sum_a fc[a][column] * v[a]}. */
    private static double dot(double[][] fc, int column, double[] v, int pf) {
      double s = 0;
      for (int a = 0; a < pf; a++) {
        s += fc[a][column] * v[a];
      }
      return s;
    }
  }
}
