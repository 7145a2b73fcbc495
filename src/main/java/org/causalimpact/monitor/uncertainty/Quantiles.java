package org.causalimpact.monitor.uncertainty;

import java.util.Arrays;

/** Empirical quantiles. Stateless and thread-safe. */
public final class Quantiles {
  private Quantiles() {}

  /**
   * The sample quantile of type 7 of Hyndman and Fan (1996), R's default: linear interpolation
   * between order statistics {@code x[floor(h)]} and {@code x[ceil(h)]}, {@code h = (n - 1) p}.
   *
   * @param sorted ascending values, not empty
   * @param p probability in [0, 1]
   */
  public static double type7(double[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("quantile of an empty sample");
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
    }
    double h = (sorted.length - 1) * p;
    int lo = (int) Math.floor(h);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
  }

  /**
   * The split-conformal quantile of absolute scores: the {@code k}-th smallest score with {@code k
   * = ceil((m + 1)(1 - alpha))} (Vovk et al. 2005; Lei et al. 2018, JASA 113:1094), which gives
   * coverage at least {@code 1 - alpha} for an exchangeable new score. {@code null} when {@code k >
   * m}: with so few scores no finite bound has that coverage.
   *
   * @param scores calibration scores (not modified)
   * @param alpha miscoverage in (0, 1)
   */
  public static Double conformal(double[] scores, double alpha) {
    int m = scores.length;
    int k = conformalRank(m, alpha);
    if (k > m) {
      return null;
    }
    double[] s = scores.clone();
    Arrays.sort(s);
    return s[k - 1];
  }

  /** {@code ceil((m + 1)(1 - alpha))}, guarded against rounding just above an integer. */
  public static int conformalRank(int m, double alpha) {
    double x = (m + 1) * (1 - alpha);
    return (int) Math.ceil(x - 1e-9);
  }

  /** Smallest number of calibration scores that gives a finite conformal bound at {@code alpha}. */
  public static int minimumCalibration(double alpha) {
    int m = 1;
    while (conformalRank(m, alpha) > m) {
      m++;
    }
    return m;
  }
}
