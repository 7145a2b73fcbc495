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
    return type7InPlace(values.clone(), p);
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
   * for many samples of one size, when {@code p1} and {@code p2} are in the tails, as the bounds of
   * a percentile interval are. A quantile of type 7 needs only the order statistics {@code floor(h)}
   * and {@code floor(h) + 1}, {@code h = (n - 1) p}, and those lie among the {@code floor(h1) + 2}
   * smallest and the {@code n - floor(h2)} largest values. First try: cuts at the sample mean
   * {@code -+ z} standard deviations, {@code z} chosen so that a normal sample has about 1.5 times
   * as many values beyond each cut as needed (three standard deviations of that count above it); if at least the needed number (and not too many) fall
   * beyond each cut, they contain the order statistics, which selection among them finds (two
   * passes and a selection among a few dozen values). Otherwise one pass keeps the
   * smallest and largest values in small sorted buffers. Either way the result is exact whatever
   * the distribution; the cuts only decide how fast. Central probabilities, and samples with a NaN,
   * go to {@link #type7PairUnsorted}. The values are not modified. Not thread-safe (it reuses its
   * buffers).
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
    private final double zLow;
    private final double zHigh;
    /** Values beyond the cuts; more than these hold and selection among them costs too much. */
    private final double[] beyondLow;
    private final double[] beyondHigh;

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
      this.zLow = normalUpperQuantile((1.5 * keepLow + 8) / n);
      this.zHigh = normalUpperQuantile((1.5 * keepHigh + 8) / n);
      this.beyondLow = new double[inTails ? 4 * keepLow + 20 : 0];
      this.beyondHigh = new double[inTails ? 4 * keepHigh + 20 : 0];
    }

    /**
     * {@code z} with {@code P(Z > z) = q} for {@code q <= 0.5} by Abramowitz and Stegun 26.2.23
     * (error below 4.5e-4, ample for placing a cut); 0 for larger {@code q}.
     */
    private static double normalUpperQuantile(double q) {
      if (!(q < 0.5)) {
        return 0;
      }
      double t = Math.sqrt(-2 * Math.log(q));
      return t
          - (2.515517 + 0.802853 * t + 0.010328 * t * t)
              / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
    }

    /** Both quantiles of {@code values}, whose length must be {@code n}, into {@code out[0..1]}. */
    public void compute(double[] values, double[] out) {
      if (values.length != n) {
        throw new IllegalArgumentException(
            "sample of " + values.length + " values, expected " + n);
      }
      if (inTails && beyondCuts(values, out)) {
        return;
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

    /**
     * The quantiles from the values beyond the mean {@code -+ z} s.d. cuts, or false if a side has
     * fewer values than the order statistics need, or more than its buffer holds (a NaN or an
     * infinity makes the cuts NaN or infinite, and is caught by one of these or by the fallback).
     */
    private boolean beyondCuts(double[] values, double[] out) {
      // four running sums of each, so that the additions need not wait for each other
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      double q0 = 0;
      double q1 = 0;
      double q2 = 0;
      double q3 = 0;
      int i = 0;
      for (; i + 4 <= n; i += 4) {
        double x0 = values[i];
        double x1 = values[i + 1];
        double x2 = values[i + 2];
        double x3 = values[i + 3];
        s0 += x0;
        s1 += x1;
        s2 += x2;
        s3 += x3;
        q0 += x0 * x0;
        q1 += x1 * x1;
        q2 += x2 * x2;
        q3 += x3 * x3;
      }
      for (; i < n; i++) {
        s0 += values[i];
        q0 += values[i] * values[i];
      }
      double mean = (s0 + s1 + s2 + s3) / n;
      double meanSquare = (q0 + q1 + q2 + q3) / n;
      double sd = Math.sqrt(Math.max(0, meanSquare - mean * mean));
      double lowCut = mean - zLow * sd;
      double highCut = mean + zHigh * sd;
      int low = 0;
      int high = 0;
      for (double x : values) {
        if (x <= lowCut) {
          if (low == beyondLow.length) {
            return false;
          }
          beyondLow[low++] = x;
        }
        if (x >= highCut) {
          if (high == beyondHigh.length) {
            return false;
          }
          beyondHigh[high++] = x;
        }
      }
      if (low < smallest.length || high < largest.length) {
        return false;
      }
      // every value not kept is above lowCut (below highCut), so ranks among the kept values are
      // ranks in the sample: from the bottom on the low side, from the top on the high side
      out[0] = type7Among(beyondLow, low, lo1, h1, n);
      out[1] = type7Among(beyondHigh, high, lo2 - (n - high), h2, n);
      return true;
    }

    /**
     * Fills the buffers; false on a NaN. After the first values fill them, a value is compared
     * with the largest kept small value and the smallest kept large value, and most go no further.
     */
    private boolean keepTails(double[] values) {
      int kLow = smallest.length;
      int kHigh = largest.length;
      int fill = Math.max(kLow, kHigh);
      for (int i = 0; i < fill; i++) {
        double x = values[i];
        if (Double.isNaN(x)) {
          return false;
        }
        if (i < kLow) {
          insertAscending(smallest, i, x);
        } else if (x < smallest[kLow - 1]) {
          insertAscending(smallest, kLow - 1, x);
        }
        if (i < kHigh) {
          insertDescending(largest, i, x);
        } else if (x > largest[kHigh - 1]) {
          insertDescending(largest, kHigh - 1, x);
        }
      }
      double lowCut = smallest[kLow - 1];
      double highCut = largest[kHigh - 1];
      for (int i = fill; i < values.length; i++) {
        double x = values[i];
        // a NaN fails both comparisons and is caught here
        if (!(x >= lowCut)) {
          if (Double.isNaN(x)) {
            return false;
          }
          insertAscending(smallest, kLow - 1, x);
          lowCut = smallest[kLow - 1];
        }
        if (!(x <= highCut)) {
          insertDescending(largest, kHigh - 1, x);
          highCut = largest[kHigh - 1];
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
    return type7Among(a, a.length, (int) Math.floor(h), h, a.length);
  }

  /**
   * The type-7 quantile at {@code h} of a sample of {@code n} values whose order statistics {@code
   * floor(h)} and {@code floor(h) + 1} are the order statistics {@code rank} and {@code rank + 1}
   * of {@code a[0..count)}; reorders that part of {@code a}.
   */
  private static double type7Among(double[] a, int count, int rank, double h, int n) {
    int lo = (int) Math.floor(h);
    double low = select(a, count, rank);
    if (lo + 1 >= n || h == lo) {
      return low;
    }
    double next = Double.POSITIVE_INFINITY;
    for (int i = rank + 1; i < count; i++) {
      next = Math.min(next, a[i]);
    }
    return low + (h - lo) * (next - low);
  }

  /**
   * The {@code k}-th smallest value (0-based) by Hoare's quickselect with a median-of-three pivot;
   * reorders {@code a} so that every element after index {@code k} is at least the result.
   */
  static double select(double[] a, int k) {
    return select(a, a.length, k);
  }

  /** {@link #select(double[], int)} among {@code a[0..length)}. */
  private static double select(double[] a, int length, int k) {
    if (k < 0 || k >= length) {
      throw new IllegalArgumentException("rank " + k + " outside 0.." + (length - 1));
    }
    for (int i = 0; i < length; i++) {
      if (Double.isNaN(a[i])) {
        Arrays.sort(a, 0, length);
        return a[k];
      }
    }
    int left = 0;
    int right = length - 1;
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
