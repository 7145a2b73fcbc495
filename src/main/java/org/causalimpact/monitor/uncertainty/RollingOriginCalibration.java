package org.causalimpact.monitor.uncertainty;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.causalimpact.monitor.scm.EquationLayout;
import org.causalimpact.monitor.scm.FittedScm;
import org.causalimpact.monitor.scm.NoiseProcess;
import org.causalimpact.monitor.scm.WorldSimulator;

/**
 * Conformal calibration of the counterfactual by rolling origins, with scores normalised by the
 * model's own spread so that many origins and horizons calibrate one scale.
 *
 * <p>The last {@code f} share of the pre-period are calibration origins. For each origin {@code s}
 * the simulated nodes' equations are refitted on every pre-period row before {@code s} (expanding
 * window: generalised least squares on the whitened rows, by accumulated normal equations and
 * Cholesky; the error's state at {@code s} from the filter), and the counterfactual is simulated
 * from {@code s} exactly as it is after the intervention. Its error at horizon {@code h} ({@code s
 * + h <= T0}) and the error of its sum over steps {@code 1..h} are the raw scores of horizon
 * {@code h}.
 *
 * <p>Raw scores of different horizons are not comparable, and for a horizon near the calibration
 * span only a few origins reach it, whose windows overlap almost entirely: such scores are not
 * exchangeable with the post-period's, and a bound from them covers erratically. So each raw
 * score at horizon {@code h} is divided by the spread the model itself predicts for that horizon,
 * the half-width of the bootstrap's percentile interval of the counterfactual at step {@code h}
 * (pointwise) or of its sum over steps {@code 1..h} (cumulative), given by the caller ({@link
 * #addScores}); the
 * normalised scores of the ladder horizons {@code 1, 2, 3, 4, 6, 8, 11, 16, ...} (ratio about
 * {@code sqrt 2}, at most {@value #MAX_SCORES_PER_HORIZON} evenly spaced origins each) up to the
 * current step form one pool, and the bound at step {@code H} is the split-conformal quantile of
 * the pool ({@link Quantiles#conformal}) times the model's spread at {@code H} (normalised or
 * studentised conformal prediction: Lei et al. 2018, JASA 113:1094, sec. 5.2; for time series,
 * Chernozhukov, Wuthrich and Zhu 2018, COLT). Coverage holds to the extent the normalised scores
 * are exchangeable with the post-period's: the spread absorbs how errors grow with the horizon,
 * the pool checks the spread's scale against what the pre-period really did. Beyond the largest
 * calibrated horizon {@code min(horizon, span)} the pool stops growing and the bound follows the
 * model's spread: an extrapolation of the horizon scaling, which the report notes.
 *
 * <p>Batch and stream use the same object: {@link #advance} computes the raw scores of the next
 * horizon for every origin that reaches it, all origins at once; each simulated node's equation is
 * the sum of {@link WorldSimulator#run} ({@code 0 + c_0 x_0 + c_1 x_1 + ...}, in term order, nodes
 * in topological order, then the mean of the error), reading the origin's own simulated values for
 * the simulated nodes' rows from the origin on and observed values otherwise.
 *
 * <p>Memory, for {@code m} origins: {@code 8 m (P + d W + d M + 3 O + 1)} bytes with {@code P}
 * coefficients of the {@code d} simulated equations in all, history {@code W} ({@link
 * WorldSimulator#historyLength}), error states of {@code M <= 3} values and {@code O} outcomes,
 * plus the pools: {@code 16} bytes per normalised score of each outcome (at most {@value
 * #MAX_SCORES_PER_HORIZON} per ladder horizon). Not thread-safe.
 */
public final class RollingOriginCalibration {
  /**
   * Most origins used: beyond it origins are spaced evenly (every k-th row). Errors of origins a
   * few rows apart overlap almost entirely, so thinning costs little information and bounds the
   * work on long pre-periods.
   */
  static final int MAX_ORIGINS = 400;

  /** Most normalised scores a ladder horizon adds to a pool (evenly spaced origins). */
  static final int MAX_SCORES_PER_HORIZON = 200;

  private final double[][] observed;
  private final EquationLayout[] layouts;
  private final NoiseProcess[] processes;
  /** {@code [pos][k]}: position of the simulated node term k reads, else -1. */
  private final int[][] termPosition;
  private final int[] outcomes;
  private final int[] outcomeNodes;
  private final int[] rows;
  private final int maxH;
  private final int preEnd;
  /** {@code [pos][k][origin]}. */
  private final double[][][] coefficients;
  /** {@code [pos][s][origin]}: the mean state of each origin's error (stochastic positions). */
  private final double[][][] errorStates;
  /** {@code [pos][slot][origin]}: the origins' last {@code W} simulated rows. */
  private final double[][][] world;
  /** {@code [outcome][origin]}: absolute error of the current step. */
  private final double[][] pointwise;
  /** {@code [outcome][origin]}: running sum of the errors. */
  private final double[][] sums;
  private final ScorePool[] pointPools;
  private final ScorePool[] cumulativePools;
  private int horizon;
  private int reaching;

  private RollingOriginCalibration(
      WorldSimulator worlds,
      FittedScm model,
      double[][] observed,
      int[] outcomes,
      CalibrationOrigins origins,
      int[] rows,
      double[][][] coefficients,
      double[][][] errorStates) {
    this.observed = observed;
    this.outcomes = outcomes.clone();
    int[] nodes = worlds.simulatedNodes();
    this.outcomeNodes = new int[outcomes.length];
    for (int o = 0; o < outcomes.length; o++) {
      outcomeNodes[o] = nodes[outcomes[o]];
    }
    this.layouts = new EquationLayout[nodes.length];
    this.processes = new NoiseProcess[nodes.length];
    this.termPosition = new int[nodes.length][];
    for (int i = 0; i < nodes.length; i++) {
      layouts[i] = model.equation(nodes[i]).layout();
      processes[i] = model.equation(nodes[i]).process();
      termPosition[i] = new int[layouts[i].size()];
      for (int k = 0; k < termPosition[i].length; k++) {
        int src = layouts[i].sourceNode(k);
        termPosition[i][k] = src >= 0 ? worlds.positionOf(src) : -1;
      }
    }
    this.rows = rows;
    this.maxH = rows.length == 0 ? 0 : origins.maxH;
    this.preEnd = origins.preEnd;
    this.coefficients = coefficients;
    this.errorStates = errorStates;
    int m = rows.length;
    this.world = new double[nodes.length][worlds.historyLength()][m];
    this.pointwise = new double[outcomes.length][m];
    this.sums = new double[outcomes.length][m];
    this.pointPools = new ScorePool[outcomes.length];
    this.cumulativePools = new ScorePool[outcomes.length];
    for (int o = 0; o < outcomes.length; o++) {
      pointPools[o] = new ScorePool();
      cumulativePools[o] = new ScorePool();
    }
    this.reaching = m;
  }

  /**
   * Chooses the origins and refits every one.
   *
   * @param model the model fitted on the whole pre-period {@code [windowStart, windowEnd)}
   * @param worlds the simulator of the intervention (only the counterfactual is run)
   * @param observed observed values per graph index
   * @param outcomes positions of the outcome nodes in {@code worlds}
   * @param horizon the largest horizon that will be advanced to
   * @param ridge the ridge penalty of the model
   * @param fraction share of the pre-period used as origins
   */
  public static RollingOriginCalibration start(
      FittedScm model,
      WorldSimulator worlds,
      double[][] observed,
      int[] outcomes,
      int horizon,
      double ridge,
      double fraction) {
    int[] nodes = worlds.simulatedNodes();
    CalibrationOrigins origins = new CalibrationOrigins(model, nodes, observed, horizon, ridge, fraction);
    List<Integer> used = new ArrayList<>();
    List<double[][]> refits = new ArrayList<>();
    List<double[][]> states = new ArrayList<>();
    for (int s = origins.first; s < origins.preEnd && origins.maxH > 0; s += origins.stride) {
      double[][] coef = new double[nodes.length][];
      double[][] state = new double[nodes.length][];
      if (origins.refit(s, coef, state)) {
        used.add(s);
        refits.add(coef);
        states.add(state);
      }
    }
    int m = used.size();
    double[][][] byPosition = new double[nodes.length][][];
    double[][][] errorStates = new double[nodes.length][][];
    for (int i = 0; i < nodes.length; i++) {
      int p = model.equation(nodes[i]).coefficients().length;
      byPosition[i] = new double[p][m];
      int stateSize = model.equation(nodes[i]).process().stateSize();
      errorStates[i] = new double[stateSize][m];
      for (int b = 0; b < m; b++) {
        double[] c = refits.get(b)[i];
        for (int k = 0; k < p; k++) {
          byPosition[i][k][b] = c[k];
        }
        double[] state = states.get(b)[i];
        for (int k = 0; k < stateSize; k++) {
          errorStates[i][k][b] = state[k];
        }
      }
    }
    int[] rows = used.stream().mapToInt(Integer::intValue).toArray();
    return new RollingOriginCalibration(
        worlds, model, observed, outcomes, origins, rows, byPosition, errorStates);
  }

  /** Computes the raw scores of the next horizon. */
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
      for (int b = 0; b < reaching; b++) {
        double e = obs[rows[b] + step] - path[b];
        sum[b] += e;
        err[b] = Math.abs(e);
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
    if (!processes[i].isStatic()) {
      processes[i].addMeanSteps(errorStates[i], reaching, out);
    }
  }

  /**
   * Adds the current horizon's scores of outcome {@code outcome}, divided by the model's spreads at
   * this horizon, to its pools, if the horizon is a calibrated ladder horizon; otherwise nothing.
   * Call once per outcome after each {@link #advance}.
   *
   * @param pointSpread the model's standard deviation of the counterfactual at this step
   * @param cumulativeSpread the model's standard deviation of its sum over steps {@code 1..h}
   */
  public void addScores(int outcome, double pointSpread, double cumulativeSpread) {
    if (horizon < 1 || horizon > maxH || !ScorePool.onLadder(horizon) || reaching == 0) {
      return;
    }
    int stride = Math.max(1, (reaching + MAX_SCORES_PER_HORIZON - 1) / MAX_SCORES_PER_HORIZON);
    double ps = positive(pointSpread);
    double cs = positive(cumulativeSpread);
    double[] err = pointwise[outcome];
    double[] sum = sums[outcome];
    for (int b = reaching - 1; b >= 0; b -= stride) {
      pointPools[outcome].add(err[b] / ps);
      cumulativePools[outcome].add(Math.abs(sum[b]) / cs);
    }
    pointPools[outcome].flush();
    cumulativePools[outcome].flush();
  }

  /** A spread too small to divide by (a noise-free model) counts as the smallest normal double. */
  private static double positive(double spread) {
    return spread > Double.MIN_NORMAL ? spread : Double.MIN_NORMAL;
  }

  /**
   * The conformal half-width of the counterfactual at the current step, {@code q * pointSpread},
   * or {@code null} when the pool is too small for a finite bound at {@code alpha}.
   */
  public Double pointwiseBound(int outcome, double alpha, double pointSpread) {
    Double q = pointPools[outcome].quantile(alpha);
    return q == null ? null : q * positive(pointSpread);
  }

  /** The conformal half-width of the sum over steps {@code 1..h}, as {@link #pointwiseBound}. */
  public Double cumulativeBound(int outcome, double alpha, double cumulativeSpread) {
    Double q = cumulativePools[outcome].quantile(alpha);
    return q == null ? null : q * positive(cumulativeSpread);
  }

  /**
   * The conformal p-value of an observed cumulative error: {@code (1 + #{pool >= s}) / (N + 1)}
   * with {@code s = |error| / cumulativeSpread} against the outcome's cumulative pool of {@code N}
   * scores; {@code null} with an empty pool. Two-sided (scores are absolute), and consistent with
   * {@link #cumulativeBound}: the bound excludes the error exactly when the p-value is at most
   * {@code alpha} (up to ties).
   */
  public Double pValue(int outcome, double error, double cumulativeSpread) {
    ScorePool pool = cumulativePools[outcome];
    if (pool.size == 0) {
      return null;
    }
    double s = Math.abs(error) / positive(cumulativeSpread);
    return (1.0 + pool.atLeast(s)) / (pool.size + 1.0);
  }

  /**
   * The model's spread of a quantity from its bootstrap percentile interval {@code [lower, upper]}
   * at the analysis's level: its half-width. Any measure of the bootstrap's spread serves to
   * normalise the scores (the pool's quantile calibrates its scale); this one costs nothing in a
   * stream, which computes the interval anyway, and is not moved by a few wild replicates.
   */
  public static double halfWidth(double lower, double upper) {
    return (upper - lower) / 2;
  }

  /** The absolute errors at the current horizon of the origins that reach it (for tests). */
  double[] currentErrors(int outcome) {
    return Arrays.copyOf(pointwise[outcome], reaching);
  }

  /** The origin rows (for tests). */
  int[] originRows() {
    return rows.clone();
  }

  /** Horizons advanced so far. */
  public int horizon() {
    return horizon;
  }

  /** The largest calibrated horizon, {@code min(horizon, span)}; 0 without origins. */
  public int calibratedHorizons() {
    return maxH;
  }

  /** Origins used. */
  public int origins() {
    return rows.length;
  }

  /**
   * Whether the pools will give finite bounds at {@code alpha} at step {@code h}, and so at every
   * later step (pools only grow), which is known from the start: the number of scores of the
   * ladder horizons through {@code min(h, maxH)}.
   */
  public boolean boundedFrom(int h, double alpha) {
    int n = 0;
    for (int l = 1; l <= Math.min(h, maxH); l++) {
      if (ScorePool.onLadder(l)) {
        int m = 0;
        while (m < rows.length && rows[m] + l <= preEnd) {
          m++;
        }
        int stride = Math.max(1, (m + MAX_SCORES_PER_HORIZON - 1) / MAX_SCORES_PER_HORIZON);
        n += m == 0 ? 0 : (m - 1) / stride + 1;
      }
    }
    return Quantiles.conformalRank(n, alpha) <= n;
  }

  /** Approximate bytes held. */
  public long bytes() {
    long perOrigin = 4 + 8L * 2 * outcomes.length;
    for (int i = 0; i < coefficients.length; i++) {
      perOrigin += 8L * (coefficients[i].length + world[i].length + processes[i].stateSize());
    }
    long pools = 0;
    for (int o = 0; o < outcomes.length; o++) {
      pools += 8L * (pointPools[o].sorted.length + cumulativePools[o].sorted.length);
    }
    return perOrigin * rows.length + pools;
  }

}
