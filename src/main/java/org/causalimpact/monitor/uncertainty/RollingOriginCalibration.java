package org.causalimpact.monitor.uncertainty;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.NonSymmetricMatrixException;
import org.apache.commons.math3.linear.RealVector;
import org.causalimpact.monitor.scm.FittedEquation;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.WorldSimulator;

/**
 * Split-conformal calibration of the counterfactual simulation by rolling origins, per horizon.
 *
 * <p>The last {@code f} share of the pre-period are calibration origins. For each origin {@code s}
 * the simulated nodes' equations are refitted on every pre-period row before {@code s}
 * (expanding window, by accumulated normal equations and Cholesky), the counterfactual is
 * simulated from {@code s} exactly as it is after the intervention, and for each horizon {@code h}
 * (with {@code s + h <= T0}) the absolute error of the outcome at step {@code h} and of the sum of
 * steps {@code 1..h} are recorded. For horizon {@code h} the {@code m_h} scores give the split
 * conformal bound {@link Quantiles#conformal}; no finite bound exists when {@code m_h} is too small
 * for the level, and the caller must report that bound as unbounded. Coverage holds when the scores
 * at a horizon are exchangeable with the post-period score (stationary errors); scores of nearby
 * origins overlap, which leaves their exchangeability intact but makes the realised coverage of one
 * analysis noisier.
 */
public final class RollingOriginCalibration {
  /**
   * Most origins used: beyond it origins are spaced evenly (every k-th row). Errors of origins a
   * few rows apart overlap almost entirely, so thinning costs little information and bounds the
   * work on long pre-periods.
   */
  static final int MAX_ORIGINS = 400;

  private RollingOriginCalibration() {}

  /**
   * Calibration scores per outcome and horizon.
   *
   * @param pointwise {@code [outcome][h-1]} absolute errors at step h
   * @param cumulative {@code [outcome][h-1]} absolute errors of the sum of steps 1..h
   * @param origins number of origins used
   * @param span rows from the first origin to the end of the pre-period
   */
  public record Scores(double[][][] pointwise, double[][][] cumulative, int origins, int span) {
    /**
     * How many non-overlapping windows of {@code h} steps the calibration span holds: the number of
     * nearly independent scores behind the bound of an {@code h}-step sum.
     */
    public int independentWindows(int h) {
      return span / Math.max(1, h);
    }

    /** The conformal half-width at horizon {@code h} (1-based), or {@code null} if unbounded. */
    public Double pointwiseBound(int outcome, int h, double alpha) {
      return h - 1 < pointwise[outcome].length
          ? Quantiles.conformal(pointwise[outcome][h - 1], alpha)
          : null;
    }

    public Double cumulativeBound(int outcome, int h, double alpha) {
      return h - 1 < cumulative[outcome].length
          ? Quantiles.conformal(cumulative[outcome][h - 1], alpha)
          : null;
    }
  }

  /**
   * @param model the model fitted on the whole pre-period {@code [windowStart, windowEnd)}
   * @param worlds the simulator of the intervention (only the counterfactual is run)
   * @param observed observed values per graph index
   * @param outcomes positions of the outcome nodes in {@code worlds}
   * @param horizon number of post-period steps
   * @param ridge the ridge penalty of the model
   * @param fraction share of the pre-period used as origins
   */
  public static Scores run(
      FittedScm model,
      WorldSimulator worlds,
      double[][] observed,
      int[] outcomes,
      int horizon,
      double ridge,
      double fraction) {
    int[] nodes = worlds.simulatedNodes();
    int d = nodes.length;
    int preEnd = model.windowEnd();
    int preLength = preEnd - model.windowStart();
    int firstOrigin = preEnd - (int) Math.round(fraction * preLength);
    List<Accumulator> acc = new ArrayList<>();
    for (int node : nodes) {
      FittedEquation eq = model.equation(node);
      Accumulator a = new Accumulator(eq, observed[node], ridge);
      firstOrigin = Math.max(firstOrigin, eq.firstRow() + eq.coefficients().length + 2);
      acc.add(a);
    }
    int maxH = Math.min(horizon, Math.max(0, preEnd - firstOrigin));
    List<List<double[]>> pointwise = new ArrayList<>();
    List<List<double[]>> cumulative = new ArrayList<>();
    for (int o = 0; o < outcomes.length; o++) {
      pointwise.add(new ArrayList<>());
      cumulative.add(new ArrayList<>());
    }
    double[][] coef = new double[model.graph().size()][];
    double[][] path = new double[d][maxH];
    int used = 0;
    int stride = Math.max(1, (preEnd - firstOrigin + MAX_ORIGINS - 1) / MAX_ORIGINS);
    int origin0 = firstOrigin + Math.floorMod(preEnd - 1 - firstOrigin, stride);
    for (int s = origin0; s < preEnd && maxH > 0; s += stride) {
      boolean ok = true;
      for (int i = 0; i < d; i++) {
        double[] c = acc.get(i).solveBefore(s);
        if (c == null) {
          ok = false;
          break;
        }
        coef[nodes[i]] = c;
      }
      if (!ok) {
        continue;
      }
      int steps = Math.min(maxH, preEnd - s);
      worlds.run(coef, s, s + steps, null, path, null);
      used++;
      for (int o = 0; o < outcomes.length; o++) {
        double[] obs = observed[nodes[outcomes[o]]];
        double[] err = new double[steps];
        double[] cum = new double[steps];
        double sum = 0;
        for (int h = 0; h < steps; h++) {
          err[h] = obs[s + h] - path[outcomes[o]][h];
          sum += err[h];
          cum[h] = sum;
        }
        pointwise.get(o).add(err);
        cumulative.get(o).add(cum);
      }
    }
    double[][][] pw = new double[outcomes.length][][];
    double[][][] cu = new double[outcomes.length][][];
    for (int o = 0; o < outcomes.length; o++) {
      pw[o] = byHorizon(pointwise.get(o), maxH);
      cu[o] = byHorizon(cumulative.get(o), maxH);
    }
    return new Scores(pw, cu, used, Math.max(0, preEnd - firstOrigin));
  }

  private static double[][] byHorizon(List<double[]> perOrigin, int maxH) {
    double[][] out = new double[maxH][];
    for (int h = 0; h < maxH; h++) {
      int count = 0;
      for (double[] e : perOrigin) {
        if (e.length > h) {
          count++;
        }
      }
      double[] scores = new double[count];
      int i = 0;
      for (double[] e : perOrigin) {
        if (e.length > h) {
          scores[i++] = Math.abs(e[h]);
        }
      }
      out[h] = scores;
    }
    return out;
  }

  /**
   * Normal equations of one equation accumulated row by row, in columns scaled by the root mean
   * square of the full window, so that the fit on the rows before any origin costs {@code O(p^2)}
   * per added row plus one {@code p x p} Cholesky solve.
   */
  private static final class Accumulator {
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
        scale[k] = Math.sqrt(scale[k] / n);
        mean[k] /= n;
        double var = scale[k] * scale[k] - mean[k] * mean[k];
        penalty[k] = k == 0 ? 0 : ridge * Math.max(var, 0) / (scale[k] * scale[k]);
      }
      this.gram = new double[p][p];
      this.moment = new double[p];
    }

    /** Coefficients fitted on the rows before {@code s}, or {@code null} if too few or singular. */
    double[] solveBefore(int s) {
      int p = scale.length;
      while (eq.firstRow() + rowsIn < s && rowsIn < eq.observations()) {
        int i = rowsIn++;
        double y = target[eq.firstRow() + i];
        for (int a = 0; a < p; a++) {
          double xa = eq.regressor(i, a) / scale[a];
          moment[a] += xa * y;
          for (int b = 0; b <= a; b++) {
            gram[a][b] += xa * eq.regressor(i, b) / scale[b];
          }
        }
      }
      if (rowsIn < p + 2) {
        return null;
      }
      double[][] m = new double[p][p];
      for (int a = 0; a < p; a++) {
        for (int b = 0; b <= a; b++) {
          m[a][b] = gram[a][b];
          m[b][a] = gram[a][b];
        }
        m[a][a] += penalty[a] * rowsIn;
      }
      try {
        CholeskyDecomposition chol = new CholeskyDecomposition(new Array2DRowRealMatrix(m, false));
        RealVector z = chol.getSolver().solve(new ArrayRealVector(moment, true));
        double[] c = new double[p];
        for (int k = 0; k < p; k++) {
          c[k] = z.getEntry(k) / scale[k];
        }
        return c;
      } catch (NonPositiveDefiniteMatrixException | NonSymmetricMatrixException e) {
        return null;
      }
    }
  }
}
