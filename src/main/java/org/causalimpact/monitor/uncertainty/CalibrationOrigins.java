package org.causalimpact.monitor.uncertainty;

import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.LeastSquares;

/**
 * The origins of a calibration: from the first row with the last {@code fraction} of the
 * pre-period and enough rows before it to fit every equation, every {@code stride}-th row up to
 * the last pre-period row (at most {@link RollingOriginCalibration#MAX_ORIGINS}), and the expanding-window refits.
 */
final class CalibrationOrigins {
  final int preEnd;
  final int first;
  final int stride;
  final int maxH;
  final int span;
  private final Accumulator[] accumulators;

  CalibrationOrigins(
      FittedScm model,
      int[] nodes,
      double[][] observed,
      int horizon,
      double ridge,
      double fraction) {
    preEnd = model.windowEnd();
    int preLength = preEnd - model.windowStart();
    int firstOrigin = preEnd - (int) Math.round(fraction * preLength);
    accumulators = new Accumulator[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      FittedEquation eq = model.equation(nodes[i]);
      accumulators[i] = new Accumulator(eq, observed[nodes[i]], ridge);
      firstOrigin = Math.max(firstOrigin, eq.firstRow() + eq.includedTerms() + 2);
    }
    span = Math.max(0, preEnd - firstOrigin);
    maxH = Math.min(horizon, span);
    stride = Math.max(1, (preEnd - firstOrigin + RollingOriginCalibration.MAX_ORIGINS - 1) / RollingOriginCalibration.MAX_ORIGINS);
    first = firstOrigin + Math.floorMod(preEnd - 1 - firstOrigin, stride);
  }

  /**
   * Refits the simulated equations on the rows before origin {@code s} into {@code coef} and
   * their errors' mean states at {@code s} into {@code state} (by position); {@code false} if one
   * has too few rows or is singular. Origins go in ascending order.
   */
  boolean refit(int s, double[][] coef, double[][] state) {
    for (int i = 0; i < accumulators.length; i++) {
      double[] c = accumulators[i].solveBefore(s);
      if (c == null) {
        return false;
      }
      coef[i] = c;
      state[i] = accumulators[i].stateAt(s, c);
    }
    return true;
  }

  /**
   * Normal equations of one equation's whitened rows accumulated row by row, in columns scaled by
   * the root mean square of the full window, so that the fit on the rows before any origin costs
   * {@code O(p^2)} per added row plus one {@code p x p} Cholesky solve.
   *
   * <p>What it pays, against the same sums rebuilt from the first row at every origin (the same
   * results bit for bit), measured with JMH on a 2-core AMD EPYC, OpenJDK 17, the two builds
   * alternated, twice each ({@code org.openjdk.jmh.Main 'EngineBenchmark.fullAnalysis$' -p
   * post=500 -f 1 -wi 3 -i 5 -w 1s -r 1s}, 5,000 rows): the whole warm analysis 70-74 ms
   * against 147-148 ms, the calibration alone ({@code stepCalibration}) 20 ms against 91-95 ms;
   * the setup of a streaming analysis ({@code StreamStepBenchmark.setup}) 7.2-7.3 ms against
   * 29.2-30.0 ms in CausalImpact mode, 14.5-16.9 ms against 34.0-37.7 ms in graph mode.
   * In a cold {@code analyze} process on the same file, where start-up and compilation dominate,
   * it pays 8% of the wall and CPU time (25 alternating pairs, {@code /usr/bin/time}).
   */
  private static final class Accumulator {
    /** Pivot at or below which a refit counts as singular (Commons Math's default). */
    private static final double SINGULAR_PIVOT = 1e-10;

    private final FittedEquation eq;
    private final double[] target;
    private final double[] scale;
    private final double[] penalty;
    private final double[][] gram;
    private final double[] moment;
    private int rowsIn;

    Accumulator(FittedEquation eq, double[] target, double ridge) {
      this.eq = eq;
      this.target = target;
      int p = eq.coefficients().length;
      int n = eq.observations();
      this.scale = new double[p];
      double[] mean = new double[p];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < p; k++) {
          double x = eq.regressor(i, k);
          scale[k] += x * x;
          mean[k] += x;
        }
      }
      this.penalty = new double[p];
      for (int k = 0; k < p; k++) {
        // a selected-away column may be constant zero; any positive scale leaves it out alike
        scale[k] = scale[k] > 0 ? Math.sqrt(scale[k] / n) : 1.0;
        mean[k] /= n;
        double var = scale[k] * scale[k] - mean[k] * mean[k];
        // a shrunk equation's own prior takes the ridge's place, as in its fit (per row, as the
        // ridge's: all of it on the full window)
        penalty[k] =
            eq.shrunk()
                ? eq.penalty(k) / n / (scale[k] * scale[k])
                : k == 0 ? 0 : ridge * Math.max(var, 0) / (scale[k] * scale[k]);
      }
      this.gram = new double[p][p];
      this.moment = new double[p];
    }

    /**
     * Coefficients fitted on the rows before {@code s} (the terms the equation includes; 0 for the
     * others), or {@code null} if too few or singular.
     */
    double[] solveBefore(int s) {
      int p = scale.length;
      while (eq.firstRow() + rowsIn < s && rowsIn < eq.observations()) {
        int i = rowsIn++;
        double y = eq.response(i, target);
        for (int a = 0; a < p; a++) {
          double xa = eq.regressor(i, a) / scale[a];
          moment[a] += xa * y;
          for (int b = 0; b <= a; b++) {
            gram[a][b] += xa * eq.regressor(i, b) / scale[b];
          }
        }
      }
      int[] in = new int[p];
      int q = 0;
      for (int k = 0; k < p; k++) {
        if (eq.includes(k)) {
          in[q++] = k;
        }
      }
      if (rowsIn < q + 2) {
        return null;
      }
      double[][] m = new double[q][q];
      double[] rhs = new double[q];
      for (int a = 0; a < q; a++) {
        for (int b = 0; b <= a; b++) {
          double v = in[a] >= in[b] ? gram[in[a]][in[b]] : gram[in[b]][in[a]];
          m[a][b] = v;
          m[b][a] = v;
        }
        m[a][a] += penalty[in[a]] * rowsIn;
        rhs[a] = moment[in[a]];
      }
      LeastSquares.Cholesky chol = LeastSquares.Cholesky.of(m, SINGULAR_PIVOT);
      if (chol.failedColumn() >= 0) {
        return null;
      }
      double[] z = chol.solve(rhs);
      double[] c = new double[p];
      for (int a = 0; a < q; a++) {
        c[in[a]] = z[a] / scale[in[a]];
      }
      return c;
    }

    /** The mean state of the error at origin row {@code s} under coefficients {@code c}. */
    double[] stateAt(int s, double[] c) {
      double[] out = new double[eq.process().stateSize()];
      if (out.length > 0) {
        eq.originState(s - eq.firstRow(), c, out);
      }
      return out;
    }
  }
}
