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
   * The order statistics {@code k} and {@code k + 1} of {@code a[from..to)} ({@code k} counted from
   * the start of {@code a}), which must hold no NaN, into {@code out[0]} and {@code out[1]} (NaN if
   * {@code k + 1 = to}); reorders that part of {@code a} and of {@code scratch}. Quickselect with a
   * median-of-three pivot whose partition copies each part to the other array (and back at the
   * next level) instead of swapping: each value is written at both ends and the front end advances
   * by the comparison's result, without a branch on it, as the order of fresh values is
   * unpredictable. The last part whose values are all at least the current ones is kept aside for
   * {@code k + 1}; a part of at most 12 values is sorted. Up to which of two equal zeros it returns,
   * the values of {@link #select}.
   *
   * <p>What the branch-free partition pays, in the JMH step benchmark ({@code
   * StreamStepBenchmark.step}, {@code -f 1 -p mode=graphAuto,graph -p at=10}; 2-core AMD EPYC,
   * OpenJDK 17; builds alternated): 51.5-56.1 us a step ({@code graphAuto}) and 42.1-49.0 us
   * ({@code graph}) in four runs, against 62.7-66.8 us and 52.5-56.5 us in two with a copy of the
   * range and {@link #select} in its place, and 67.6-73.4 us and 57.7-65.3 us in two with {@code
   * Arrays.sort} of the range.
   */
  static void pairAmong(double[] a, double[] scratch, int from, int to, int k, double[] out) {
    double[] src = a;
    double[] dst = scratch;
    double[] above = null;
    int aboveFrom = 0;
    int aboveTo = 0;
    while (to - from > 12) {
      double x0 = src[from];
      double x1 = src[(from + to) >>> 1];
      double x2 = src[to - 1];
      double pivot = Math.max(Math.min(x0, x1), Math.min(Math.max(x0, x1), x2));
      int front = partition(src, dst, from, to, pivot);
      if (front == from) {
        // the pivot is the least value: split off the values equal to it, those less than the
        // next double (all of them if it is infinite)
        front =
            pivot == Double.POSITIVE_INFINITY
                ? to
                : partition(src, dst, from, to, Math.nextUp(pivot));
        if (k < front) {
          out[0] = pivot;
          if (k + 1 < front) {
            out[1] = pivot;
          } else {
            out[1] = front < to ? least(dst, front, to) : least(above, aboveFrom, aboveTo);
          }
          return;
        }
      }
      if (k < front) {
        above = dst;
        aboveFrom = front;
        aboveTo = to;
        to = front;
      } else {
        from = front;
      }
      double[] t = src;
      src = dst;
      dst = t;
    }
    for (int i = from + 1; i < to; i++) {
      double x = src[i];
      int j = i;
      while (j > from && src[j - 1] > x) {
        src[j] = src[j - 1];
        j--;
      }
      src[j] = x;
    }
    out[0] = src[k];
    out[1] = k + 1 < to ? src[k + 1] : least(above, aboveFrom, aboveTo);
  }

  /**
   * Copies {@code src[from..to)} to {@code dst[from..to)}, first the values less than {@code
   * pivot}, then the others; returns where the others start.
   */
  private static int partition(double[] src, double[] dst, int from, int to, double pivot) {
    int front = from;
    int back = to - 1;
    for (int i = from; i < to; i++) {
      double x = src[i];
      dst[front] = x;
      dst[back] = x;
      int first = x < pivot ? 1 : 0;
      front += first;
      back -= 1 - first;
    }
    return front;
  }

  /** The least of {@code a[from..to)}, or NaN if that is empty ({@code a} may then be null). */
  private static double least(double[] a, int from, int to) {
    if (from >= to) {
      return Double.NaN;
    }
    double m = a[from];
    for (int i = from + 1; i < to; i++) {
      m = a[i] < m ? a[i] : m;
    }
    return m;
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
  static double select(double[] a, int length, int k) {
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
