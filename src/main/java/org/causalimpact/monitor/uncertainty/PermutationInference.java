package org.causalimpact.monitor.uncertainty;

import java.util.function.DoubleFunction;

/**
 * The conformal inference of Chernozhukov, Wuthrich and Zhu (2021, JASA 116:1849, "An exact and
 * robust conformal inference method for counterfactual and synthetic controls") for a constant
 * effect {@code theta} on the post-period.
 *
 * <p>Under {@code H0: effect = theta} the post-period outcome minus {@code theta} is the
 * counterfactual; the model is fitted on all {@code T} rows (pre and adjusted post) and gives
 * residuals {@code u_1..u_T}, of which the last {@code T*} are the post-period. The statistic is
 * {@code S(u) = |sum_{t > T - T*} u_t| / sqrt(T*)}; the p-value compares it with its values under
 * all {@code T} cyclic shifts of the residuals (the moving-block permutations, which keep serial
 * dependence): {@code p(theta) = (1/T) #{j : S(u shifted by j) >= S(u)}}. The confidence set for the
 * average effect is {@code {theta : p(theta) > alpha}}, found here by expanding and bisecting from
 * the point estimate on each side. With {@code T} rows no p-value is below {@code 1/T}, so for
 * {@code alpha < 1/T} the set is unbounded.
 *
 * <p>Thread-safe if the residual function is.
 */
public final class PermutationInference {
  private static final int BISECTIONS = 30;
  private static final int EXPANSIONS = 60;

  private final DoubleFunction<double[]> residualsUnderNull;
  private final int postRows;

  /**
   * @param residualsUnderNull residuals of all {@code T} rows of the model fitted under {@code
   *     H0: effect = theta}
   * @param postRows {@code T*}, the number of post-period rows (the last ones)
   */
  public PermutationInference(DoubleFunction<double[]> residualsUnderNull, int postRows) {
    if (postRows < 1) {
      throw new IllegalArgumentException("the post-period needs at least one row");
    }
    this.residualsUnderNull = residualsUnderNull;
    this.postRows = postRows;
  }

  /** The permutation p-value of {@code H0: effect = theta}. */
  public double pValue(double theta) {
    return pValue(residualsUnderNull.apply(theta), postRows);
  }

  /** The p-value of the cyclic-shift permutation test on given residuals. */
  public static double pValue(double[] u, int postRows) {
    int n = u.length;
    if (postRows >= n) {
      throw new IllegalArgumentException(
          "the post-period (" + postRows + " rows) must be shorter than the series (" + n + ")");
    }
    double[] prefix = new double[2 * n + 1];
    for (int i = 0; i < 2 * n; i++) {
      prefix[i + 1] = prefix[i] + u[i % n];
    }
    int first = n - postRows;
    double observed = Math.abs(prefix[n] - prefix[first]);
    int atLeast = 0;
    for (int j = 0; j < n; j++) {
      int from = first + j;
      double s = Math.abs(prefix[from + postRows] - prefix[from]);
      if (s >= observed * (1 - 1e-12)) {
        atLeast++;
      }
    }
    return (double) atLeast / n;
  }

  /**
   * The confidence set {@code {theta : p(theta) > alpha}} as an interval around {@code estimate}.
   *
   * @param estimate a point inside the set (the point estimate of the average effect)
   * @param scale a typical size of the effect's uncertainty (e.g. the residual s.d.), > 0
   * @param alpha miscoverage
   * @return {@code {lower, upper}}, each {@code null} when the set is unbounded on that side
   */
  public Double[] confidenceSet(double estimate, double scale, double alpha) {
    double centre = estimate;
    if (!(pValue(centre) > alpha)) {
      centre = bestNear(estimate, scale, alpha);
      if (Double.isNaN(centre)) {
        return new Double[] {estimate, estimate};
      }
    }
    return new Double[] {edge(centre, -scale, alpha), edge(centre, scale, alpha)};
  }

  private double bestNear(double estimate, double scale, double alpha) {
    double best = Double.NaN;
    double bestP = alpha;
    for (int i = -200; i <= 200; i++) {
      double theta = estimate + i * scale / 20;
      double p = pValue(theta);
      if (p > bestP) {
        bestP = p;
        best = theta;
      }
    }
    return best;
  }

  private Double edge(double inside, double step, double alpha) {
    double in = inside;
    double out = Double.NaN;
    double delta = step;
    for (int i = 0; i < EXPANSIONS; i++) {
      double candidate = inside + delta;
      if (pValue(candidate) > alpha) {
        in = candidate;
        delta *= 2;
      } else {
        out = candidate;
        break;
      }
    }
    if (Double.isNaN(out)) {
      return null;
    }
    for (int i = 0; i < BISECTIONS; i++) {
      double mid = 0.5 * (in + out);
      if (pValue(mid) > alpha) {
        in = mid;
      } else {
        out = mid;
      }
    }
    return in;
  }
}
