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

  /**
   * Two type-7 quantiles {@code p1 <= p2} of unsorted values, equal to {@link #type7PairUnsorted},
   * for many samples of one size: a quantile of type 7 needs only the order statistics {@code
   * floor(h)} and {@code floor(h) + 1}, {@code h = (n - 1) p}, so one pass that keeps the {@code
   * floor(h1) + 2} smallest and the {@code n - floor(h2)} largest values in small sorted buffers
   * finds both, reading each value once and writing few when {@code p1} and {@code p2} are in the
   * tails, as the bounds of a percentile interval are. Central probabilities, and samples with a
   * NaN, go to {@link #type7PairUnsorted}. The values are not modified. Not thread-safe (it reuses
   * its buffers).
   */
  public static final class TailPair {
    private final int n;
    private final double p1;
    private final double p2;
    private final double h1;
    private final double h2;
    private final int lo1;
    private final int lo2;
    private final double[] smallest;
    private final double[] largest;
    private final boolean inTails;

    /**
     * @param n sample size, at least 1
     * @param p1 lower probability
     * @param p2 upper probability, {@code p1 <= p2}
     */
    public TailPair(int n, double p1, double p2) {
      if (!(p1 >= 0 && p1 <= p2 && p2 <= 1)) {
        throw new IllegalArgumentException("need 0 <= p1 <= p2 <= 1, got " + p1 + ", " + p2);
      }
      if (n < 1) {
        throw new IllegalArgumentException("quantile of an empty sample");
      }
      this.n = n;
      this.p1 = p1;
      this.p2 = p2;
      this.h1 = (n - 1) * p1;
      this.h2 = (n - 1) * p2;
      this.lo1 = (int) Math.floor(h1);
      this.lo2 = (int) Math.floor(h2);
      int keepLow = Math.min(n, lo1 + 2);
      int keepHigh = n - lo2;
      this.inTails = 8L * (keepLow + keepHigh) <= n;
      this.smallest = new double[inTails ? keepLow : 0];
      this.largest = new double[inTails ? keepHigh : 0];
    }

    /** Both quantiles of {@code values}, whose length must be {@code n}, into {@code out[0..1]}. */
    public void compute(double[] values, double[] out) {
      if (values.length != n) {
        throw new IllegalArgumentException(
            "sample of " + values.length + " values, expected " + n);
      }
      if (!inTails || !keepTails(values)) {
        double[] q = type7PairUnsorted(values, p1, p2);
        out[0] = q[0];
        out[1] = q[1];
        return;
      }
      out[0] = interpolate(smallest[lo1], lo1 + 1 < n ? smallest[lo1 + 1] : 0, h1, lo1);
      int top = largest.length - 1;
      out[1] = interpolate(largest[top], lo2 + 1 < n ? largest[top - 1] : 0, h2, lo2);
    }

    /** Fills the buffers; false on a NaN. */
    private boolean keepTails(double[] values) {
      int kLow = smallest.length;
      int kHigh = largest.length;
      int inLow = 0;
      int inHigh = 0;
      for (double x : values) {
        if (Double.isNaN(x)) {
          return false;
        }
        if (inLow < kLow) {
          insertAscending(smallest, inLow++, x);
        } else if (x < smallest[kLow - 1]) {
          insertAscending(smallest, kLow - 1, x);
        }
        if (inHigh < kHigh) {
          insertDescending(largest, inHigh++, x);
        } else if (x > largest[kHigh - 1]) {
          insertDescending(largest, kHigh - 1, x);
        }
      }
      return true;
    }

    private double interpolate(double low, double next, double h, int lo) {
      if (lo + 1 >= n || h == lo) {
        return low;
      }
      return low + (h - lo) * (next - low);
    }

    /** Inserts {@code x} into ascending {@code buf[0..at)}, dropping {@code buf[at]}. */
    private static void insertAscending(double[] buf, int at, double x) {
      int i = at;
      while (i > 0 && buf[i - 1] > x) {
        buf[i] = buf[i - 1];
        i--;
      }
      buf[i] = x;
    }

    private static void insertDescending(double[] buf, int at, double x) {
      int i = at;
      while (i > 0 && buf[i - 1] < x) {
        buf[i] = buf[i - 1];
        i--;
      }
      buf[i] = x;
    }
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
