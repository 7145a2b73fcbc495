package org.causalimpact.monitor.uncertainty;

import java.util.Arrays;
import org.causalimpact.monitor.InputException;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.LeastSquares;

/**
 * The permutation p-value of "no effect" ({@link PermutationInference#pValue(double)} at {@code
 * theta = 0}) for a post-period that grows one row at a time: the equation is refitted on all rows (pre
 * and post) by normal equations accumulated row by row, {@code O(p^2)} per added row, instead of a
 * QR decomposition of the whole design for each new row.
 *
 * <p>What it pays, measured with JMH in one run ({@code StreamStepBenchmark.permutation*}, {@code
 * -f 1 -wi 3 -i 5 -w 1s -r 1s}; 2-core AMD EPYC, OpenJDK 17): the p-value from the accumulated
 * sums takes 19.9 us at 300 post rows and 48.0 us at 3,000, the QR refit of the batch 300 us and
 * 744 us, where a whole streaming step takes 40-55 us.
 *
 * <p>The fit is the (ridge) least squares of {@code ScmFitter}, solved from the accumulated sums by
 * {@link LeastSquares#normalEquations(double[][], double[], double[], int, double)}. In exact
 * arithmetic that is the batch's QR solution; in floating point the coefficients differ by about
 * {@code cond(X D^-1)^2} units in the last place, so the residuals agree with the batch refit to
 * about 1e-12 relative and the p-value, a count of cyclic shifts whose statistic reaches the
 * observed one, is the same unless two window sums tie to that precision. A collinear column fails
 * as the batch fit does.
 *
 * <p>Memory: the design and the response of every row added, {@code 8 (p + 1)} bytes per row; the
 * post-period part of the arrays doubles as rows are added. Not thread-safe.
 */
public final class ExpandingPermutationInference {
  private static final int FIRST_POST_CAPACITY = 64;

  private final EquationLayout layout;
  private final double[][] values;
  private final int first;
  private final int postStart;
  private final int p;
  private final double ridge;
  private final int preRows;
  private double[] design;
  private double[] response;
  private final double[][] gram;
  private final double[] moment;
  private final double[] columnSum;
  private int rows;

  /**
   * Accumulates the rows from {@code max(from, layout.maxLag())} to {@code postStart}.
   *
   * @param layout the outcome's equation
   * @param values node values by graph index, filled at least through row {@code postStart - 1};
   *     later rows are read when {@link #addRow} adds them (not copied)
   * @param from first row of the fit (the pre-period start)
   * @param postStart first post-period row
   * @param capacity post-period rows to make room for at first (at most 64; more grow the arrays)
   * @param ridge the ridge penalty
   */
  public ExpandingPermutationInference(
      EquationLayout layout,
      double[][] values,
      int from,
      int postStart,
      int capacity,
      double ridge) {
    this.layout = layout;
    this.values = values;
    this.first = Math.max(from, layout.maxLag());
    this.postStart = postStart;
    this.p = layout.size();
    this.ridge = ridge;
    this.preRows = Math.max(0, postStart - first);
    int length = preRows + Math.min(capacity, FIRST_POST_CAPACITY);
    this.design = new double[length * p];
    this.response = new double[length];
    this.gram = new double[p][p];
    this.moment = new double[p];
    this.columnSum = new double[p];
    for (int t = first; t < postStart; t++) {
      add(t);
    }
  }

  /** Adds post-period row {@code t}, the row after the last one added. */
  public void addRow(int t) {
    if (t != first + rows || t < postStart) {
      throw new IllegalArgumentException(
          "row " + t + " added, expected post-period row " + (first + rows));
    }
    add(t);
  }

  private void add(int t) {
    if (rows == response.length) {
      int length = rows + Math.max(FIRST_POST_CAPACITY, rows - preRows);
      response = Arrays.copyOf(response, length);
      design = Arrays.copyOf(design, length * p);
    }
    int offset = rows * p;
    double[] x = new double[p];
    layout.regressors((node, at) -> values[node][at], t, x);
    System.arraycopy(x, 0, design, offset, p);
    double y = values[layout.node()][t];
    response[rows] = y;
    for (int a = 0; a < p; a++) {
      moment[a] += x[a] * y;
      columnSum[a] += x[a];
      for (int b = 0; b <= a; b++) {
        gram[a][b] += x[a] * x[b];
      }
    }
    rows++;
  }

  /** Post-period rows added so far. */
  public int postRows() {
    return first + rows - postStart;
  }

  /**
   * The permutation p-value of no effect over the post-period rows added so far.
   *
   * @throws InputException if a term is constant or collinear over the rows, as the batch fit would
   */
  public double pValue() {
    double[] coef = solve();
    double[] u = new double[rows];
    for (int i = 0; i < rows; i++) {
      double fitted = 0;
      int offset = i * p;
      for (int k = 0; k < p; k++) {
        fitted += coef[k] * design[offset + k];
      }
      u[i] = response[i] - fitted;
    }
    return PermutationInference.pValue(u, postRows());
  }

  private double[] solve() {
    LeastSquares.Solution s = LeastSquares.normalEquations(gram, moment, columnSum, rows, ridge);
    if (s.collinearColumn() >= 0) {
      throw collinear(s.collinearColumn());
    }
    return s.coefficients();
  }

  private InputException collinear(int k) {
    return new InputException(
        "cannot fit node '"
            + layout.nodeName()
            + "' for the permutation test: term '"
            + layout.termNames().get(k)
            + "' is constant or a linear combination of other terms (rows "
            + first
            + ".."
            + (first + rows - 1)
            + "); drop that column or term, or set a ridge penalty");
  }

  /** Bytes of the stored design and response. */
  public long bytes() {
    return 8L * (design.length + response.length) + 8L * p * (p + 2);
  }
}
