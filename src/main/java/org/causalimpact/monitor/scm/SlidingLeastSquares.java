package org.causalimpact.monitor.scm;

import java.util.Arrays;

/**
 * Sliding sufficient statistics of one structural equation, so that a window of rows can move by
 * one row and be refitted in time independent of its length: {@link #add} the row entering the
 * window, {@link #remove} the row leaving it (each {@code O(p^2)}), then {@link #solve}.
 *
 * <p><b>What is solved.</b> Exactly the objective of {@link LeastSquares#solve} and {@link
 * ScmFitter#fitEquation} on the rows currently held:
 *
 * <pre>
 *   minimise ||y - X b||^2 + lambda * n * sum_{k>=1} v_k b_k^2
 * </pre>
 *
 * with column 0 of {@code X} the intercept (every row must have {@code x[0] == 1}), {@code v_k} the
 * population variance of column {@code k} over the held rows and {@code lambda = options.ridge()}
 * ({@code 0}: ordinary least squares). Minimising over the unpenalised intercept centres the
 * problem, so the slopes {@code beta = (b_1..b_{p-1})} solve {@code (C + lambda n V) beta = c_xy}
 * with {@code C} the centred cross-product matrix of columns {@code 1..p-1}, {@code V = diag(v_k) =
 * diag(C)/n}, {@code c_xy} the centred cross-products with {@code y}, and {@code b_0 = mean(y) -
 * sum_k b_k mean(x_k)}. The system is standardised (the correlation matrix plus {@code lambda I},
 * i.e. centred columns scaled to unit root mean square, then column {@code k} divided by the square
 * root of its pivot floor below) and solved by the engine's Cholesky factorisation ({@link
 * LeastSquares.Cholesky}). Then, as
 * {@link ScmFitter#fitEquation} defines them, {@code RSS = S_yy - 2 beta' c_xy + beta' C beta}
 * (clamped at 0; the centred form of {@code y'y - 2 b'X'y + b'X'X b}), {@code sigma = sqrt(RSS /
 * max(1, n - p))} and {@code R^2 = 1 - RSS / TSS} with {@code TSS = S_yy} ({@code NaN} when {@code
 * y} is constant).
 *
 * <p><b>Cost.</b> {@link #add} and {@link #remove}: {@code O(p^2)} ({@code (p-1)p/2}
 * multiply-adds). {@link #solve}: {@code O(p^3)} for the factorisation, independent of the number
 * of rows; for the equations here ({@code p} up to about 20) that is what "{@code O(p^2)} per row
 * instead of {@code O(n p^2)}" means. A refit from scratch costs {@code O(n p^2)}. Measured with
 * JMH in one run ({@code SlidingFitBenchmark}, {@code -f 1 -wi 3 -i 5 -w 1s -r 1s}; 2-core AMD EPYC,
 * OpenJDK 17; an 8-coefficient equation): a slide and solve costs 1.29 us a row at a 1,440-row
 * window and 1.26 us at 10,080, the refit ({@link ScmFitter#fitEquation}) 240 us and 1,601 us. End
 * to end, the throughput harness's monitor spends about 40 us of CPU on a 4-node row (about 10 us a
 * point); refitting its 4 equations at every row would add about 960 us to it.
 *
 * <p><b>Collinearity</b> is reported as {@link LeastSquares} reports it, by the first offending
 * column in order: first an all-zero column (LeastSquares' zero scale; counted exactly here); then
 * a column whose Cholesky pivot {@code e_k} on the standardised system, which equals {@code R_kk^2
 * / (n v_k / rms_k^2)} for LeastSquares' QR factor {@code R} of the RMS-scaled matrix, is below
 * LeastSquares' rule {@code R_kk < }{@value LeastSquares#COLLINEAR}{@code * sqrt(n)}, i.e. {@code
 * e_k < COLLINEAR^2 (1 + mean_k^2 / v_k)}. Because the normal equations square the condition
 * number, a pivot below {@value #PIVOT_FLOOR} (the columns before it explain all but a fraction
 * 1e-10 of its variance) is also reported, as is a column whose centred sum of squares is at the
 * rounding level of its sums ({@value #CONSTANT} relative): a constant column. Such near-collinear
 * windows are reported here where LeastSquares' QR may still fit them.
 *
 * <p><b>Rounding.</b> Each sum holds values shifted by the first row added after the sums were
 * empty (Chan, Golub and LeVeque, "Algorithms for computing the sample variance", <i>Am. Stat.</i>
 * 37, 1983): the centred moments are then differences of numbers of the size of the deviations, not
 * of the means, so data around 1e6 with noise 1 loses no more digits than data around 0. Every
 * {@link #add} or {@link #remove} rounds each sum once, so after {@code K} updates since the sums
 * were exact a sum {@code S} is off by at most about {@code K u max|S|} ({@code u = 1.1e-16};
 * Higham, <i>Accuracy and Stability of Numerical Algorithms</i>, 2nd ed., §4.2; typically {@code
 * sqrt(K) u max|S|}), and a centred moment {@code n v_k} by a relative {@code K u max_i d_ik^2 /
 * v_k}, {@code d_ik} the deviation from the shift. Removing a row does not forget its rounding, and
 * a shift far from the current data (a drifting level) makes {@code d_ik} large: both are cured by
 * rebuilding, {@link #reset} and adding the window's rows again. Rebuild every {@code window} rows:
 * the amortised cost is one more {@link #add} per row and {@code K <= 3 window}, so for a
 * 10,080-row window of stationary data the relative error of the moments stays below about {@code
 * 3e4 * 1.1e-16 * 40 = 1.3e-10} ({@code max d^2 / v} about 40 for Gaussian data, the shift within
 * the data), and that of the coefficients below it times the condition number of the standardised
 * system. {@link #updatesSinceRebuild} counts {@code K}. When the last row is removed the sums are
 * cleared to exact zeros.
 *
 * <p><b>Keeping it in sync with a window.</b> The caller holds the rows (here, in the stream's row
 * store) and must remove exactly the row it added, bit for bit: build {@code x} with {@link
 * EquationLayout#regressors} (or use {@link #addRow} and {@link #removeRow}) at the same row index
 * from the same stored values, with one fixed layout. A layout reads lags from earlier rows, so the
 * row at index {@code t} can enter once rows {@code t - maxLag .. t} are stored, and rows before
 * the window may serve as lags. A trend term is {@code (t - trendOrigin) / trendScale}, fixed by
 * the layout: keep the layout's origin fixed while the window slides (rather than one layout per
 * window, as {@link ScmFitter#fit} builds); the fitted values, sigma and {@code R^2} do not depend
 * on the origin or scale, only the trend coefficient and the intercept do.
 *
 * <p><b>State.</b> {@link #toBytes} is a compact, versioned binary form of the sums (no rows), of
 * {@link #serializedSize} bytes; {@link #fromBytes} restores an object whose further updates and
 * solutions are bit for bit those of the original.
 *
 * <p>Mutable, on purpose: it is the state a stream processor keeps per equation between rows. Not
 * thread-safe; confine an instance to one thread. {@link Fit} results are immutable.
 */
public final class SlidingLeastSquares {
  /** Standardised Cholesky pivot below which a column counts as collinear in any case. */
  static final double PIVOT_FLOOR = 1e-10;

  /** Centred sum of squares, relative to the shifted one, below which a column is constant. */
  static final double CONSTANT = 1e-10;

  // The sums are package-private for SlidingLeastSquaresFormat, which writes and restores them.
  final int terms;
  final int slopes;
  int n;
  long updates;
  double shiftY;
  double sumY;
  double sumYY;
  final double[] shift;
  final double[] sumX;
  final double[] sumXY;

  /** Lower triangle of the shifted cross-products; {@code (k, l)} at {@code k(k+1)/2 + l}. */
  final double[] sumXX;

  /** Rows with a non-zero value, per column, for LeastSquares' zero-scale rule. */
  final int[] nonZero;

  private final double[] deviation;
  private final double[] row;

  /** Empty statistics, {@code terms} unchecked: {@link #empty} and the format's reader check it. */
  SlidingLeastSquares(int terms) {
    this.terms = terms;
    this.slopes = terms - 1;
    this.shift = new double[slopes];
    this.sumX = new double[slopes];
    this.sumXY = new double[slopes];
    this.sumXX = new double[slopes * (slopes + 1) / 2];
    this.nonZero = new int[slopes];
    this.deviation = new double[slopes];
    this.row = new double[terms];
  }

  /**
   * Empty statistics for an equation of {@code terms} coefficients ({@link EquationLayout#size}),
   * term 0 the intercept.
   *
   * @throws IllegalArgumentException if {@code terms < 1}
   */
  public static SlidingLeastSquares empty(int terms) {
    if (terms < 1) {
      throw new IllegalArgumentException("an equation has at least 1 term, got " + terms);
    }
    return new SlidingLeastSquares(terms);
  }

  /**
   * A fit of the rows held: coefficients in the layout's term order, {@code sigma}, {@code R^2} and
   * the number of rows; or, if {@code collinearColumn >= 0}, the first term that is constant or
   * collinear (no coefficients; {@code sigma} and {@code rSquared} are NaN).
   */
  public record Fit(
      double[] coefficients, double sigma, double rSquared, int observations, int collinearColumn) {
    public Fit {
      if ((coefficients == null) == (collinearColumn < 0)) {
        throw new IllegalArgumentException(
            "a fit has coefficients exactly when no column is collinear (column "
                + collinearColumn
                + ")");
      }
      coefficients = coefficients == null ? null : coefficients.clone();
    }

    static Fit collinear(int column, int observations) {
      return new Fit(null, Double.NaN, Double.NaN, observations, column);
    }

    /**
     * A copy of the coefficients.
     *
     * @throws IllegalStateException if a column is collinear
     */
    @Override
    public double[] coefficients() {
      if (coefficients == null) {
        throw new IllegalStateException(
            "no coefficients: column " + collinearColumn + " is constant or collinear");
      }
      return coefficients.clone();
    }
  }

  /** Number of coefficients {@code p}. */
  public int terms() {
    return terms;
  }

  /** Number of rows held {@code n}. */
  public int observations() {
    return n;
  }

  /** {@link #add} and {@link #remove} calls since the sums were last exact (empty). */
  public long updatesSinceRebuild() {
    return updates;
  }

  /**
   * Adds a row. {@code O(p^2)}.
   *
   * @param x the regressors, {@code x[0] == 1} (the intercept); not kept
   * @throws IllegalArgumentException if {@code x} has not {@link #terms} values, {@code x[0] != 1},
   *     or a value is not finite (it would poison the sums until the next rebuild)
   */
  public void add(double[] x, double y) {
    check(x, y);
    if (n == 0) {
      System.arraycopy(x, 1, shift, 0, slopes);
      shiftY = y;
    }
    update(x, y, 1);
  }

  /**
   * Removes a row added before, with bit-identical values. {@code O(p^2)}. Removing a row that was
   * not added is not detected and corrupts the sums until the next rebuild.
   *
   * @throws IllegalArgumentException as {@link #add}
   * @throws IllegalStateException if no row is held
   */
  public void remove(double[] x, double y) {
    check(x, y);
    if (n == 0) {
      throw new IllegalStateException("cannot remove a row: no row is held");
    }
    update(x, y, -1);
    if (n == 0) {
      reset();
    }
  }

  /** {@link #add} of row {@code t} of {@code layout}'s equation, regressors built by the layout. */
  public void addRow(EquationLayout layout, EquationLayout.NodeValues values, int t) {
    layout.regressors(values, t, row);
    add(row, values.value(layout.node(), t));
  }

  /** {@link #remove} of row {@code t}, built as {@link #addRow} built it. */
  public void removeRow(EquationLayout layout, EquationLayout.NodeValues values, int t) {
    layout.regressors(values, t, row);
    remove(row, values.value(layout.node(), t));
  }

  /** Empties the statistics (exact zeros); the next {@link #add} sets a new shift. */
  public void reset() {
    n = 0;
    updates = 0;
    shiftY = 0;
    sumY = 0;
    sumYY = 0;
    Arrays.fill(shift, 0);
    Arrays.fill(sumX, 0);
    Arrays.fill(sumXY, 0);
    Arrays.fill(sumXX, 0);
    Arrays.fill(nonZero, 0);
  }

  private void check(double[] x, double y) {
    if (x.length != terms) {
      throw new IllegalArgumentException(
          "a row of this equation has " + terms + " regressors, got " + x.length);
    }
    if (x[0] != 1) {
      throw new IllegalArgumentException("regressor 0 is the intercept and must be 1, got " + x[0]);
    }
    for (int k = 1; k < terms; k++) {
      if (!Double.isFinite(x[k])) {
        throw new IllegalArgumentException("regressor " + k + " is not finite: " + x[k]);
      }
    }
    if (!Double.isFinite(y)) {
      throw new IllegalArgumentException("the response is not finite: " + y);
    }
  }

  private void update(double[] x, double y, int sign) {
    double dy = y - shiftY;
    for (int k = 0; k < slopes; k++) {
      deviation[k] = x[k + 1] - shift[k];
      if (x[k + 1] != 0) {
        nonZero[k] += sign;
      }
    }
    int idx = 0;
    for (int k = 0; k < slopes; k++) {
      double dk = sign * deviation[k];
      sumX[k] += dk;
      sumXY[k] += dk * dy;
      for (int l = 0; l <= k; l++) {
        sumXX[idx++] += dk * deviation[l];
      }
    }
    sumY += sign * dy;
    sumYY += sign * dy * dy;
    n += sign;
    updates++;
  }

  /**
   * Fits the rows held. {@code O(p^3)}, independent of their number.
   *
   * @throws IllegalStateException if no row is held
   */
  public Fit solve(FitOptions options) {
    if (n == 0) {
      throw new IllegalStateException("no rows to fit: add rows first");
    }
    for (int k = 0; k < slopes; k++) {
      if (nonZero[k] == 0) {
        return Fit.collinear(k + 1, n);
      }
    }
    double ridge = options.ridge();
    double[] mean = new double[slopes];
    double[] scale = new double[slopes];
    int constant = slopes;
    for (int k = slopes - 1; k >= 0; k--) {
      int kk = k * (k + 1) / 2 + k;
      double centred = sumXX[kk] - sumX[k] * sumX[k] / n;
      mean[k] = shift[k] + sumX[k] / n;
      if (!(centred > CONSTANT * sumXX[kk])) {
        constant = k;
        centred = n;
      }
      double variance = centred / n;
      double leastSquaresRule =
          LeastSquares.COLLINEAR * LeastSquares.COLLINEAR * (1 + mean[k] * mean[k] / variance);
      scale[k] = Math.sqrt(centred * Math.max(leastSquaresRule, PIVOT_FLOOR));
    }
    // The standardised system (correlations plus lambda I), column k divided by sqrt(floor_k) so
    // that every column's pivot floor is 1: the pivots of D A D are d_k^2 times those of A.
    double[][] a = new double[slopes][slopes];
    double[][] penalised = new double[slopes][slopes];
    double[] r = new double[slopes];
    for (int k = 0; k < slopes; k++) {
      int base = k * (k + 1) / 2;
      for (int l = 0; l <= k; l++) {
        double c = sumXX[base + l] - sumX[k] * sumX[l] / n;
        a[k][l] = c / (scale[k] * scale[l]);
        a[l][k] = a[k][l];
        penalised[k][l] = a[k][l];
        penalised[l][k] = a[k][l];
      }
      penalised[k][k] += ridge * a[k][k];
      r[k] = (sumXY[k] - sumX[k] * sumY / n) / scale[k];
    }
    LeastSquares.Cholesky chol = LeastSquares.Cholesky.of(penalised, 1);
    int collinear = chol.failedColumn() >= 0 ? Math.min(constant, chol.failedColumn()) : constant;
    if (collinear < slopes) {
      return Fit.collinear(collinear + 1, n);
    }
    double[] z = chol.solve(r);
    double fitted = 0;
    for (int k = 0; k < slopes; k++) {
      double az = 0;
      for (int l = 0; l < slopes; l++) {
        az += a[k][l] * z[l];
      }
      fitted += z[k] * (az - 2 * r[k]);
    }
    double syy = sumYY - sumY * sumY / n;
    double tss = syy > CONSTANT * sumYY ? syy : 0;
    double rss = Math.max(0, syy + fitted);
    double[] coefficients = new double[terms];
    coefficients[0] = shiftY + sumY / n;
    for (int k = 0; k < slopes; k++) {
      coefficients[k + 1] = z[k] / scale[k];
      coefficients[0] -= coefficients[k + 1] * mean[k];
    }
    double sigma = Math.sqrt(rss / Math.max(1, n - terms));
    double rSquared = tss > 0 ? 1 - rss / tss : Double.NaN;
    return new Fit(coefficients, sigma, rSquared, n, -1);
  }

  /**
   * Bytes of {@link #toBytes} for {@code p} terms, {@code m = p - 1}: {@code 17 + 8 (3 + 3m +
   * m(m+1)/2) + 4m} (version byte, {@code p}, {@code n}, update count; three sums of {@code y};
   * shift, sum, cross-product with {@code y} and zero count per column; the triangle of
   * cross-products). 461 bytes for {@code p = 8}.
   */
  public int serializedSize() {
    return SlidingLeastSquaresFormat.size(this);
  }

  /**
   * The statistics in version 1 of the binary form, big-endian: byte {@code 1}, int {@code p}, int
   * {@code n}, long updates since rebuild, doubles shift, sum and sum of squares of {@code y}, then
   * per column the shift, then the sums, then the cross-products with {@code y}, then the
   * cross-product triangle row by row, then int zero counts.
   */
  public byte[] toBytes() {
    return SlidingLeastSquaresFormat.write(this);
  }

  /**
   * Restores statistics written by {@link #toBytes}.
   *
   * @throws IllegalArgumentException if the bytes are not version 1 of the form, or their length or
   *     counts do not fit it
   */
  public static SlidingLeastSquares fromBytes(byte[] bytes) {
    return SlidingLeastSquaresFormat.read(bytes);
  }
}
