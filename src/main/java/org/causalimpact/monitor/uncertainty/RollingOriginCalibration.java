package org.causalimpact.monitor.uncertainty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.NonSymmetricMatrixException;
import org.apache.commons.math3.linear.RealVector;
import org.causalimpact.monitor.scm.EquationLayout;
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

    /**
     * The split-conformal p-value ({@link RollingOriginCalibration#splitPValue}) of the absolute
     * error {@code score} of an {@code h}-step sum against the cumulative scores at {@code h},
     * which must exist ({@code h <=} the calibrated horizons).
     */
    public double splitPValue(int outcome, int h, double score) {
      double[] c = cumulative[outcome][h - 1];
      return RollingOriginCalibration.splitPValue(c, c.length, score);
    }
  }

  /**
   * The split-conformal p-value of a new score: {@code (1 + #{calibration scores >= s}) / (m + 1)}
   * over the first {@code m} scores.
   */
  static double splitPValue(double[] scores, int m, double s) {
    int atLeast = 0;
    for (int i = 0; i < m; i++) {
      atLeast += scores[i] >= s ? 1 : 0;
    }
    return (1.0 + atLeast) / (m + 1.0);
  }

  /**
   * {@link #run} advanced one horizon at a time, for an analysis whose post-period grows row by
   * row: after {@code h} calls of {@link #advance}, {@link #pointwiseBound}, {@link
   * #cumulativeBound} and {@link #splitPValue} equal those of the {@link Scores} of {@code run} at
   * horizon {@code h} bit for bit.
   *
   * <p>{@link #start} refits every origin once, as {@code run} does. {@link #advance} then simulates
   * step {@code h} of the counterfactual of every origin that reaches it ({@code s + h <= T0}), all
   * origins at once: each simulated node's equation is the sum of {@link WorldSimulator#run}
   * ({@code 0 + c_0 x_0 + c_1 x_1 + ...}, in term order, nodes in topological order), reading the
   * origin's own simulated values for the simulated nodes' rows from the origin on and observed
   * values otherwise. The errors update each origin's running sum, and the bounds are selected
   * from the {@code m_h} scores of the step, {@code O(m_h)}. Beyond the calibrated horizons
   * ({@code min(horizon, span)}) {@code advance} costs nothing and the bounds are unbounded.
   *
   * <p>Memory, for {@code m} origins: {@code 8 m (P + d W + 3 O + 1)} bytes with {@code P}
   * coefficients of the {@code d} simulated equations in all, history {@code W} ({@link
   * WorldSimulator#historyLength}) and {@code O} outcomes, plus the normal equations, no score is
   * kept past its step. Not thread-safe.
   */
  public static final class Streaming {
    /** Most scores above the bound that {@link #bound} keeps in one pass (20 of 400 at 95%). */
    private static final int LARGEST = 64;

    private final double[][] observed;
    private final EquationLayout[] layouts;
    /** {@code [pos][k]}: position of the simulated node term k reads, else -1. */
    private final int[][] termPosition;
    private final int[] outcomes;
    private final int[] outcomeNodes;
    private final int[] rows;
    private final int maxH;
    private final int preEnd;
    /** {@code [pos][k][origin]}. */
    private final double[][][] coefficients;
    /** {@code [pos][slot][origin]}: the origins' last {@code W} simulated rows. */
    private final double[][][] world;
    /** {@code [outcome][origin]}: error of the current step, then its absolute value. */
    private final double[][] pointwise;
    /** {@code [outcome][origin]}: running sum of the errors. */
    private final double[][] sums;
    /** {@code [outcome][origin]}: absolute running sums of the current step. */
    private final double[][] cumulative;
    /** Scratch of {@link #largest}, ascending. */
    private final double[] largest = new double[LARGEST];
    /**
     * {@code [outcome]}: where {@link #bound} cuts the pointwise and cumulative scores of the next
     * horizon, from the scores of this one ({@code -Infinity}: no cut yet).
     */
    private final double[] pointwiseCuts;
    private final double[] cumulativeCuts;
    /** Scratch of {@link #bound}: the scores at least the cut, the other half of its selection. */
    private final double[] aboveCut;
    private final double[] selection;
    private final double[] pair = new double[2];
    private int horizon;
    private int reaching;

    private Streaming(
        WorldSimulator worlds,
        FittedScm model,
        double[][] observed,
        int[] outcomes,
        Origins origins,
        int[] rows,
        double[][][] coefficients) {
      this.observed = observed;
      this.outcomes = outcomes.clone();
      int[] nodes = worlds.simulatedNodes();
      this.outcomeNodes = new int[outcomes.length];
      for (int o = 0; o < outcomes.length; o++) {
        outcomeNodes[o] = nodes[outcomes[o]];
      }
      this.layouts = new EquationLayout[nodes.length];
      this.termPosition = new int[nodes.length][];
      for (int i = 0; i < nodes.length; i++) {
        layouts[i] = model.equation(nodes[i]).layout();
        termPosition[i] = new int[layouts[i].size()];
        for (int k = 0; k < termPosition[i].length; k++) {
          int src = layouts[i].sourceNode(k);
          termPosition[i][k] = src >= 0 ? worlds.positionOf(src) : -1;
        }
      }
      this.rows = rows;
      this.maxH = origins.maxH;
      this.preEnd = origins.preEnd;
      this.coefficients = coefficients;
      int m = rows.length;
      this.world = new double[nodes.length][worlds.historyLength()][m];
      this.pointwise = new double[outcomes.length][m];
      this.sums = new double[outcomes.length][m];
      this.cumulative = new double[outcomes.length][m];
      this.pointwiseCuts = new double[outcomes.length];
      this.cumulativeCuts = new double[outcomes.length];
      Arrays.fill(pointwiseCuts, Double.NEGATIVE_INFINITY);
      Arrays.fill(cumulativeCuts, Double.NEGATIVE_INFINITY);
      this.aboveCut = new double[m];
      this.selection = new double[m];
      this.reaching = m;
    }

    /**
     * Chooses the origins and refits every one (the arguments as {@link #run}'s, {@code horizon}
     * the largest that will be advanced to).
     */
    public static Streaming start(
        FittedScm model,
        WorldSimulator worlds,
        double[][] observed,
        int[] outcomes,
        int horizon,
        double ridge,
        double fraction) {
      int[] nodes = worlds.simulatedNodes();
      Origins origins = new Origins(model, nodes, observed, horizon, ridge, fraction);
      List<Integer> used = new ArrayList<>();
      List<double[][]> refits = new ArrayList<>();
      for (int s = origins.first; s < origins.preEnd && origins.maxH > 0; s += origins.stride) {
        double[][] coef = new double[model.graph().size()][];
        if (origins.refit(s, coef)) {
          used.add(s);
          refits.add(coef);
        }
      }
      int m = used.size();
      double[][][] byPosition = new double[nodes.length][][];
      for (int i = 0; i < nodes.length; i++) {
        int p = model.equation(nodes[i]).coefficients().length;
        byPosition[i] = new double[p][m];
        for (int b = 0; b < m; b++) {
          double[] c = refits.get(b)[nodes[i]];
          for (int k = 0; k < p; k++) {
            byPosition[i][k][b] = c[k];
          }
        }
      }
      int[] rows = used.stream().mapToInt(Integer::intValue).toArray();
      return new Streaming(worlds, model, observed, outcomes, origins, rows, byPosition);
    }

    /** Computes the scores of the next horizon. */
    public void advance() {
      horizon++;
      if (horizon > maxH) {
        reaching = 0;
        return;
      }
      while (reaching > 0 && rows[reaching - 1] + horizon > preEnd) {
        reaching--;
      }
      int step = horizon - 1;
      int slot = step % world[0].length;
      for (int i = 0; i < layouts.length; i++) {
        simulate(i, step, world[i][slot]);
      }
      for (int o = 0; o < outcomes.length; o++) {
        double[] obs = observed[outcomeNodes[o]];
        double[] path = world[outcomes[o]][slot];
        double[] err = pointwise[o];
        double[] sum = sums[o];
        double[] cum = cumulative[o];
        for (int b = 0; b < reaching; b++) {
          double e = obs[rows[b] + step] - path[b];
          sum[b] += e;
          err[b] = Math.abs(e);
          cum[b] = Math.abs(sum[b]);
        }
      }
    }

    /** Step {@code step} (0-based) of simulated node {@code i} for every origin reaching it. */
    private void simulate(int i, int step, double[] out) {
      EquationLayout layout = layouts[i];
      double[][] coef = coefficients[i];
      int window = world[0].length;
      for (int k = 0; k < coef.length; k++) {
        double[] c = coef[k];
        int src = layout.sourceNode(k);
        int lag = src >= 0 ? layout.sourceLag(k) : 0;
        int pos = termPosition[i][k];
        boolean first = k == 0;
        if (pos >= 0 && step >= lag) {
          double[] x = world[pos][(step - lag) % window];
          for (int b = 0; b < reaching; b++) {
            out[b] = first ? 0.0 + c[b] * x[b] : out[b] + c[b] * x[b];
          }
        } else if (src >= 0) {
          double[] x = observed[src];
          int shift = step - lag;
          for (int b = 0; b < reaching; b++) {
            double v = c[b] * x[rows[b] + shift];
            out[b] = first ? 0.0 + v : out[b] + v;
          }
        } else {
          for (int b = 0; b < reaching; b++) {
            double v = c[b] * layout.deterministic(k, rows[b] + step);
            out[b] = first ? 0.0 + v : out[b] + v;
          }
        }
      }
    }

    /** Horizons advanced so far. */
    public int horizon() {
      return horizon;
    }

    /** Scores at the current horizon: the origins that reach it, 0 beyond the calibrated ones. */
    public int scores() {
      return reaching;
    }

    /**
     * Whether every horizon through {@code h} gets finite bounds at {@code alpha} (enough origins
     * reach {@code h}); known from the start, before any {@link #advance}.
     */
    public boolean boundedThrough(int h, double alpha) {
      if (h > maxH) {
        return false;
      }
      int m = 0;
      while (m < rows.length && rows[m] + h <= preEnd) {
        m++;
      }
      return Quantiles.conformalRank(m, alpha) <= m;
    }

    /** {@link Scores#pointwiseBound} at the current horizon. */
    public Double pointwiseBound(int outcome, double alpha) {
      return bound(pointwise[outcome], pointwiseCuts, outcome, alpha);
    }

    /** {@link Scores#cumulativeBound} at the current horizon. */
    public Double cumulativeBound(int outcome, double alpha) {
      return bound(cumulative[outcome], cumulativeCuts, outcome, alpha);
    }

    /**
     * {@link Quantiles#conformal} of {@code scores[0..m)}: its {@code k}-th smallest is the {@code
     * r = m - k + 1}-th largest, a few for a small {@code alpha}. The scores of one kind move
     * little from one horizon to the next, so the cut {@code cuts[outcome]} that the last horizon
     * placed about {@code 1.5 r} scores from the top keeps at least {@code r} of them as a rule,
     * and a selection among those finds the bound ({@link Quantiles#pairAmong}); if it keeps fewer
     * (or a score is NaN, or there is no cut yet), one pass that keeps the {@code r} largest seen,
     * or for a larger {@code r} the selection of {@code Quantiles}. The next cut is interpolated in
     * rank between the bound and the cut (or the largest score). The scores are absolute values,
     * so no {@code -0.0} orders differently under {@code <} and {@link Double#compare}.
     */
    private Double bound(double[] scores, double[] cuts, int outcome, double alpha) {
      int m = reaching;
      if (horizon < 1 || horizon > maxH || Quantiles.conformalRank(m, alpha) > m) {
        return null;
      }
      int r = m - Quantiles.conformalRank(m, alpha) + 1;
      double cut = cuts[outcome];
      int count = cut == Double.NEGATIVE_INFINITY ? -1 : keepAbove(scores, m, cut);
      int target = r + r / 2 + 8;
      double bound;
      double next;
      if (count >= r) {
        // every score not kept is below the cut, so the r-th largest kept is the r-th largest
        Quantiles.pairAmong(aboveCut, selection, 0, count, count - r, pair);
        bound = pair[0];
        next = bound - (bound - cut) * (target - r) / Math.max(1, count - r);
      } else if (r <= largest.length) {
        bound = largest(scores, m, r);
        double top = largest[r - 1];
        next = bound + (bound - top) * (target - r) / Math.max(1, r - 1);
      } else {
        return Quantiles.conformal(Arrays.copyOf(scores, m), alpha);
      }
      cuts[outcome] = Double.isFinite(next) ? next : Double.NEGATIVE_INFINITY;
      return bound;
    }

    /**
     * Copies the scores at least {@code cut} (the sign bit of {@code x - cut}, not a branch: which
     * scores pass is unpredictable) to {@link #aboveCut}; how many, or -1 on a NaN.
     */
    private int keepAbove(double[] scores, int m, double cut) {
      double[] kept = aboveCut;
      int count = 0;
      for (int i = 0; i < m; i++) {
        double x = scores[i];
        if (x != x) {
          return -1;
        }
        kept[count] = x;
        count += (int) ((Double.doubleToRawLongBits(x - cut) >>> 63) ^ 1);
      }
      return count;
    }

    /**
     * The {@code r}-th largest of {@code scores[0..m)} in the order of {@link Double#compare}: the
     * order of the sort {@code Quantiles} selects by when there is a NaN, and otherwise (the scores
     * are absolute values, so no {@code -0.0}) the order of its comparisons.
     */
    private double largest(double[] scores, int m, int r) {
      double[] top = largest;
      for (int i = 0; i < r; i++) {
        insert(top, i, scores[i]);
      }
      double least = top[0];
      for (int i = r; i < m; i++) {
        double x = scores[i];
        // most scores fail the first test; a NaN fails it too and is ordered by the second
        if (x > least || (x != x && Double.compare(x, least) > 0)) {
          int j = 1;
          while (j < r && Double.compare(top[j], x) < 0) {
            top[j - 1] = top[j];
            j++;
          }
          top[j - 1] = x;
          least = top[0];
        }
      }
      return least;
    }

    /** Inserts {@code x} into the ascending {@code top[0..n)}. */
    private static void insert(double[] top, int n, double x) {
      int j = n;
      while (j > 0 && Double.compare(top[j - 1], x) > 0) {
        top[j] = top[j - 1];
        j--;
      }
      top[j] = x;
    }

    /** {@link Scores#splitPValue} at the current horizon, which must be calibrated. */
    public double splitPValue(int outcome, double score) {
      return RollingOriginCalibration.splitPValue(cumulative[outcome], reaching, score);
    }

    /** Approximate bytes held. */
    public long bytes() {
      long perOrigin = 4 + 8 + 8L * 3 * outcomes.length;
      for (int i = 0; i < coefficients.length; i++) {
        perOrigin += 8L * (coefficients[i].length + world[i].length);
      }
      return perOrigin * rows.length;
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
    Origins origins = new Origins(model, nodes, observed, horizon, ridge, fraction);
    int maxH = origins.maxH;
    int preEnd = origins.preEnd;
    List<List<double[]>> pointwise = new ArrayList<>();
    List<List<double[]>> cumulative = new ArrayList<>();
    for (int o = 0; o < outcomes.length; o++) {
      pointwise.add(new ArrayList<>());
      cumulative.add(new ArrayList<>());
    }
    double[][] coef = new double[model.graph().size()][];
    double[][] path = new double[d][maxH];
    int used = 0;
    for (int s = origins.first; s < preEnd && maxH > 0; s += origins.stride) {
      if (!origins.refit(s, coef)) {
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
    return new Scores(pw, cu, used, origins.span);
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
   * The origins of a calibration: from the first row with the last {@code fraction} of the
   * pre-period and enough rows before it to fit every equation, every {@code stride}-th row up to
   * the last pre-period row (at most {@link #MAX_ORIGINS}), and the expanding-window refits.
   */
  private static final class Origins {
    final int preEnd;
    final int first;
    final int stride;
    final int maxH;
    final int span;
    private final int[] nodes;
    private final Accumulator[] accumulators;

    Origins(
        FittedScm model,
        int[] nodes,
        double[][] observed,
        int horizon,
        double ridge,
        double fraction) {
      this.nodes = nodes;
      preEnd = model.windowEnd();
      int preLength = preEnd - model.windowStart();
      int firstOrigin = preEnd - (int) Math.round(fraction * preLength);
      accumulators = new Accumulator[nodes.length];
      for (int i = 0; i < nodes.length; i++) {
        FittedEquation eq = model.equation(nodes[i]);
        accumulators[i] = new Accumulator(eq, observed[nodes[i]], ridge);
        firstOrigin = Math.max(firstOrigin, eq.firstRow() + eq.coefficients().length + 2);
      }
      span = Math.max(0, preEnd - firstOrigin);
      maxH = Math.min(horizon, span);
      stride = Math.max(1, (preEnd - firstOrigin + MAX_ORIGINS - 1) / MAX_ORIGINS);
      first = firstOrigin + Math.floorMod(preEnd - 1 - firstOrigin, stride);
    }

    /**
     * Refits the simulated equations on the rows before origin {@code s} into {@code coef} (by
     * graph index); {@code false} if one has too few rows or is singular. Origins go in ascending
     * order.
     */
    boolean refit(int s, double[][] coef) {
      for (int i = 0; i < nodes.length; i++) {
        double[] c = accumulators[i].solveBefore(s);
        if (c == null) {
          return false;
        }
        coef[nodes[i]] = c;
      }
      return true;
    }
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
