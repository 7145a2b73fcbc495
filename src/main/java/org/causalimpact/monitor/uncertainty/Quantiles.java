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
    return select(scores.clone(), k - 1);
  }

  /**
   * The type-7 quantile of unsorted values, by selection in {@code O(n)} expected time instead of
   * sorting. The values are not modified.
   */
  public static double type7Unsorted(double[] values, double p) {
    if (values.length == 0) {
      throw new IllegalArgumentException("quantile of an empty sample");
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("probability must be in [0, 1], got " + p);
    }
    double[] a = values.clone();
    double h = (a.length - 1) * p;
    int lo = (int) Math.floor(h);
    double low = select(a, lo);
    if (lo + 1 >= a.length || h == lo) {
      return low;
    }
    double next = Double.POSITIVE_INFINITY;
    for (int i = lo + 1; i < a.length; i++) {
      next = Math.min(next, a[i]);
    }
    return low + (h - lo) * (next - low);
  }

  /**
   * Two type-7 quantiles {@code p1 <= p2} of unsorted values with one copy of the data: the
   * selection for {@code p1} leaves every larger value to its right, which the selection for
   * {@code p2} then reuses.
   */
  public static double[] type7PairUnsorted(double[] values, double p1, double p2) {
    if (!(p1 >= 0 && p1 <= p2 && p2 <= 1)) {
      throw new IllegalArgumentException("need 0 <= p1 <= p2 <= 1, got " + p1 + ", " + p2);
    }
    if (values.length == 0) {
      throw new IllegalArgumentException("quantile of an empty sample");
    }
    double[] a = values.clone();
    return new double[] {type7InPlace(a, p1), type7InPlace(a, p2)};
  }

  private static double type7InPlace(double[] a, double p) {
    double h = (a.length - 1) * p;
    int lo = (int) Math.floor(h);
    double low = select(a, lo);
    if (lo + 1 >= a.length || h == lo) {
      return low;
    }
    double next = Double.POSITIVE_INFINITY;
    for (int i = lo + 1; i < a.length; i++) {
      next = Math.min(next, a[i]);
    }
    return low + (h - lo) * (next - low);
  }

  /**
   * The {@code k}-th smallest value (0-based) by Hoare's quickselect with a median-of-three pivot;
   * reorders {@code a} so that every element after index {@code k} is at least the result.
   */
  static double select(double[] a, int k) {
    if (k < 0 || k >= a.length) {
      throw new IllegalArgumentException("rank " + k + " outside 0.." + (a.length - 1));
    }
    for (double x : a) {
      if (Double.isNaN(x)) {
        double[] s = a.clone();
        Arrays.sort(s);
        System.arraycopy(s, 0, a, 0, s.length);
        return a[k];
      }
    }
    int left = 0;
    int right = a.length - 1;
    while (right > left) {
      int mid = (left + right) >>> 1;
      if (a[mid] < a[left]) {
        swap(a, mid, left);
      }
      if (a[right] < a[left]) {
        swap(a, right, left);
      }
      if (a[right] < a[mid]) {
        swap(a, right, mid);
      }
      double pivot = a[mid];
      int i = left;
      int j = right;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(a, i, j);
          i++;
          j--;
        }
      }
      if (k <= j) {
        right = j;
      } else if (k >= i) {
        left = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  private static void swap(double[] a, int i, int j) {
    double t = a[i];
    a[i] = a[j];
    a[j] = t;
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
