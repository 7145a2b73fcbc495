package org.causalimpact.monitor.uncertainty;

/**
 * Two type-7 quantiles {@code p1 <= p2} of unsorted values, equal to {@link Quantiles#type7PairUnsorted},
 * for many samples of one size, when {@code p1} and {@code p2} are in the tails, as the bounds of
 * a percentile interval are. A quantile of type 7 needs only the order statistics {@code floor(h)}
 * and {@code floor(h) + 1}, {@code h = (n - 1) p}, and those lie among the {@code floor(h1) + 2}
 * smallest and the {@code n - floor(h2)} largest values. So one pass keeps the values below a low
 * cut and above a high cut, and if at least that many (and not too many) fall beyond each cut, a
 * selection among them (a few dozen values) finds the order statistics. The cuts come from the
 * {@link Series} of the sample when it has them (placed in the last sample of the series about
 * 1.5 times as many ranks from each end, and moved with the center the caller gives); otherwise,
 * or if those fail, from the sample mean {@code -+ z} standard deviations, {@code z} chosen so
 * that a normal sample has about 1.5 times as many values beyond each cut as needed (three
 * standard deviations of that count above it), at the cost of one more pass. If those fail too,
 * one pass keeps the smallest and largest values in small sorted buffers. Either way the result
 * is exact whatever the distribution; the cuts only decide how fast. Central probabilities, and
 * samples with a NaN, go to {@link Quantiles#type7PairUnsorted}. The values are not modified. Not
 * thread-safe (it reuses its buffers).
 *
 * <p>The pass and the selection do not branch on how a value compares with a cut or a pivot:
 * which values of a fresh sample lie beyond is unpredictable, and the mispredicted branches cost
 * more than the comparisons. Every value is written to the buffer, and the count of kept values
 * grows by the sign bit of a difference ({@link #collect}, {@link Quantiles#pairAmong}).
 *
 * <p>What it pays, end to end: the JMH step benchmark ({@code StreamStepBenchmark.step}, row 10,
 * two alternating runs on an idle 2-core machine, 2026-12-07) took 49.7-52.2 us a step in the
 * {@code graphAuto} workload and 39.8-41.0 us in {@code graph} with this class, against
 * 204.5-204.9 us and 185.3-197.0 us with {@link Quantiles#type7PairUnsorted} (a copy and two
 * quickselects per interval) in its place. The branch-free selection inside ({@link
 * Quantiles#pairAmong}) pays on its own too: its Javadoc gives the step against a copy and a plain
 * quickselect, and against a sort.
 */
public final class TailPair {
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
  /** Values beyond either cut, as {@link #collect} finds them (room for every value). */
  private final double[] beyond;
  /**
   * The values beyond the low cut first, then those beyond the high cut; more than these hold
   * and selection among them costs too much.
   */
  private final double[] partitioned;
  /** Ranks from each end at which a {@link Series} places its next cuts. */
  private final int targetLow;
  private final int targetHigh;
  /** The cuts of the last {@link #collect} and the values it kept beyond each. */
  private double lowCut;
  private double highCut;
  private int low;
  private int high;
  /** The order statistics {@code k} and {@code k + 1} that {@link Quantiles#pairAmong} found. */
  private final double[] pair = new double[2];

  /**
   * The cuts that one series of samples carries from one {@link #compute(double[], Series,
   * double, double[])} to the next, as distances from a center the caller knows for each sample
   * (the point estimate the draws scatter around): for samples whose spread about that center
   * changes little from one to the next, as the bootstrap draws of one quantity at consecutive
   * steps do, the cuts hold the needed order statistics with a few dozen values to spare. They
   * only decide how fast the quantiles are found, never what they are. Belongs to one series; not
   * thread-safe.
   */
  public static final class Series {
    private double lowCut = Double.NaN;
    private double highCut = Double.NaN;
  }

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
    this.beyond = new double[inTails ? n : 0];
    this.partitioned = new double[inTails ? 4 * (keepLow + keepHigh) + 40 : 0];
    this.targetLow = keepLow + keepLow / 2 + 8;
    this.targetHigh = keepHigh + keepHigh / 2 + 8;
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
    compute(values, null, 0, out);
  }

  /**
   * {@link #compute(double[], double[])} of the next sample of {@code series}, trying its cuts
   * first and leaving it the cuts for the sample after; the result depends on neither the series
   * nor the center.
   *
   * @param series the series the sample belongs to, or {@code null} for none
   * @param center a value the sample scatters around (the point estimate of the quantity the
   *     values are draws of), to which the series' cuts are relative
   */
  public void compute(double[] values, Series series, double center, double[] out) {
    if (values.length != n) {
      throw new IllegalArgumentException(
          "sample of " + values.length + " values, expected " + n);
    }
    boolean found = false;
    if (inTails) {
      boolean hasCuts = series != null && !Double.isNaN(series.lowCut);
      found = hasCuts && collect(values, center + series.lowCut, center + series.highCut);
      found = found || collectAtMoments(values);
    }
    if (found) {
      // every value not kept is at least lowCut (at most highCut), so ranks among the kept values
      // are ranks in the sample: from the bottom on the low side, from the top on the high side
      Quantiles.pairAmong(partitioned, beyond, 0, low, lo1, pair);
      out[0] = interpolate(pair[0], pair[1], h1, lo1);
      double atLow = pair[0];
      Quantiles.pairAmong(partitioned, beyond, low, low + high, low + high - largest.length, pair);
      out[1] = interpolate(pair[0], pair[1], h2, lo2);
      if (series != null) {
        follow(series, center, atLow, pair[0]);
      }
      return;
    }
    if (series != null) {
      series.lowCut = Double.NaN;
      series.highCut = Double.NaN;
    }
    if (inTails && keepTails(values)) {
      out[0] = interpolate(smallest[lo1], lo1 + 1 < n ? smallest[lo1 + 1] : 0, h1, lo1);
      int top = largest.length - 1;
      out[1] = interpolate(largest[top], lo2 + 1 < n ? largest[top - 1] : 0, h2, lo2);
    } else {
      double[] q = Quantiles.type7PairUnsorted(values, p1, p2);
      out[0] = q[0];
      out[1] = q[1];
    }
  }

  /**
   * Leaves {@code series} the cuts for its next sample, relative to {@code center}: where this
   * sample has {@link #targetLow} and {@link #targetHigh} values beyond, by linear interpolation
   * (or extrapolation) in rank between the order statistic {@code lo1} ({@code atLow}, rank
   * {@code lo1 + 1} from the bottom) and the cut ({@code low} values below it), and likewise on
   * the high side.
   */
  private void follow(Series series, double center, double atLow, double atHigh) {
    int keepHigh = largest.length;
    double nextLow = atLow + (lowCut - atLow) * (targetLow - lo1 - 1) / (low - lo1 - 1);
    double nextHigh =
        atHigh - (atHigh - highCut) * (targetHigh - keepHigh) / Math.max(1, high - keepHigh);
    series.lowCut = nextLow - center;
    series.highCut = nextHigh - center;
    if (!Double.isFinite(series.lowCut) || !Double.isFinite(series.highCut)) {
      series.lowCut = Double.NaN;
      series.highCut = Double.NaN;
    }
  }

  /**
   * {@link #collect} at the sample mean {@code -+ z} s.d. (not finite if a value is NaN or
   * infinite, which it refuses).
   */
  private boolean collectAtMoments(double[] values) {
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
    return collect(values, mean - zLow * sd, mean + zHigh * sd);
  }

  /**
   * Keeps the values below {@code lowCut} and those above {@code highCut} in {@link
   * #partitioned}, the low ones first; false if a side has fewer values than the order statistics
   * need or more than that buffer holds, on a NaN, or if a cut is not finite.
   *
   * <p>One pass keeps in {@link #beyond} every value whose distance from the midpoint {@code m}
   * of the cuts is at least their half-distance {@code w}: the sign bit of {@code |x - m| - w},
   * which a NaN fails as well (to be caught among the few kept), says whether the count grows
   * past it. A second pass over those splits them by the sign of {@code x - m}. As {@code x - m}
   * rounds monotonically in {@code x}, the low values kept are the smallest of the sample and the
   * high ones the largest, whatever the rounding and even if the cuts cross.
   */
  private boolean collect(double[] values, double lowCut, double highCut) {
    double mid = 0.5 * (lowCut + highCut);
    double half = 0.5 * (highCut - lowCut);
    if (!Double.isFinite(mid) || !Double.isFinite(half)) {
      return false;
    }
    this.lowCut = lowCut;
    this.highCut = highCut;
    double[] kept = beyond;
    int count = 0;
    for (int i = 0; i < values.length; i++) {
      double x = values[i];
      kept[count] = x;
      count += (int) ((Double.doubleToRawLongBits(Math.abs(x - mid) - half) >>> 63) ^ 1);
    }
    double[] sides = partitioned;
    if (count > sides.length) {
      return false;
    }
    int front = 0;
    int back = count - 1;
    for (int i = 0; i < count; i++) {
      double x = kept[i];
      if (x != x) {
        return false;
      }
      sides[front] = x;
      sides[back] = x;
      int below = (int) (Double.doubleToRawLongBits(x - mid) >>> 63);
      front += below;
      back -= 1 - below;
    }
    low = front;
    high = count - front;
    return low >= smallest.length && high >= largest.length;
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
