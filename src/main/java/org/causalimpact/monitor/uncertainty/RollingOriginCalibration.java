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
  private final int span;
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
  private final Pool[] pointPools;
  private final Pool[] cumulativePools;
  private int horizon;
  private int reaching;

  private RollingOriginCalibration(
      WorldSimulator worlds,
      FittedScm model,
      double[][] observed,
      int[] outcomes,
      Origins origins,
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
    this.span = origins.span;
    this.coefficients = coefficients;
    this.errorStates = errorStates;
    int m = rows.length;
    this.world = new double[nodes.length][worlds.historyLength()][m];
    this.pointwise = new double[outcomes.length][m];
    this.sums = new double[outcomes.length][m];
    this.pointPools = new Pool[outcomes.length];
    this.cumulativePools = new Pool[outcomes.length];
    for (int o = 0; o < outcomes.length; o++) {
      pointPools[o] = new Pool();
      cumulativePools[o] = new Pool();
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
    Origins origins = new Origins(model, nodes, observed, horizon, ridge, fraction);
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

  /** Whether {@code h} is a ladder horizon: {@code 1, 2, 3, 4, 6, 8, 11, 16, 23, 32, ...}. */
  static boolean onLadder(int h) {
    return h >= 1 && ladderValue(ladderIndex(h)) == h;
  }

  private static int ladderIndex(int h) {
    int i = (int) Math.floor(2 * Math.log(h) / Math.log(2) + 1e-9);
    while (ladderValue(i + 1) <= h) {
      i++;
    }
    while (i > 0 && ladderValue(i) > h) {
      i--;
    }
    return i;
  }

  private static int ladderValue(int i) {
    return (int) Math.round(Math.pow(2, i / 2.0));
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
    if (horizon < 1 || horizon > maxH || !onLadder(horizon) || reaching == 0) {
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
    Pool pool = cumulativePools[outcome];
    if (pool.size == 0) {
      return null;
    }
    double s = Math.abs(error) / positive(cumulativeSpread);
    return (1.0 + pool.atLeast(s)) / (pool.size + 1.0);
  }

  /**
   * The model's spread of a quantity from its bootstrap draws: their standard deviation {@code
   * sqrt(sum (x - mean)^2 / (B - 1))}, two passes in index order (so a stream and a batch that
   * hold the same draws get the same number).
   */
  public static double spread(double[] draws) {
    double m = 0;
    for (double x : draws) {
      m += x;
    }
    m /= draws.length;
    double s = 0;
    for (double x : draws) {
      s += (x - m) * (x - m);
    }
    return Math.sqrt(s / Math.max(1, draws.length - 1));
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

  /**
   * One outcome's conformal results of a batch analysis.
   *
   * @param pointwise {@code [h-1]}: half-width of the counterfactual at step {@code h}, or {@code
   *     null} where unbounded
   * @param cumulative {@code [h-1]}: half-width of the sum over steps {@code 1..h}, or {@code null}
   * @param pValue the p-value of the cumulative error at the last step, or {@code null}
   */
  public record Bounds(Double[] pointwise, Double[] cumulative, Double pValue) {}

  /**
   * The bootstrap's percentile intervals of one outcome's counterfactual at every step and of its
   * running sum, as a batch analysis reports them and as a stream computes them step by step:
   * {@code [h][0..1]} lower and upper for steps {@code 1..H}.
   *
   * @param counterfactual {@code [replicate][outcome][h]}
   * @param outcome the outcome
   * @param alpha miscoverage
   */
  public record Bands(double[][] point, double[][] cumulative) {
    public static Bands of(double[][][] counterfactual, int outcome, double alpha) {
      int horizon = counterfactual[0][outcome].length;
      int replicates = counterfactual.length;
      double[] draws = new double[replicates];
      double[] sums = new double[replicates];
      double[][] point = new double[horizon][];
      double[][] cumulative = new double[horizon][];
      for (int h = 0; h < horizon; h++) {
        for (int b = 0; b < replicates; b++) {
          double c = counterfactual[b][outcome][h];
          draws[b] = c;
          sums[b] += c;
        }
        point[h] = Quantiles.type7PairUnsorted(draws, alpha / 2, 1 - alpha / 2);
        cumulative[h] = Quantiles.type7PairUnsorted(sums, alpha / 2, 1 - alpha / 2);
      }
      return new Bands(point, cumulative);
    }
  }

  /**
   * Advances this calibration through every step of a batch analysis's post-period, with the
   * spreads of the bootstrap intervals, as a stream does one row at a time.
   *
   * @param bands per outcome, the bootstrap's intervals at every step ({@link Bands#of})
   * @param finalErrors {@code [outcome]}: actual minus point counterfactual, summed over the
   *     post-period, whose p-value is wanted
   * @param alpha miscoverage
   */
  public Bounds[] runBatch(Bands[] bands, double[] finalErrors, double alpha) {
    int o = outcomes.length;
    int horizon = bands[0].point().length;
    Double[][] point = new Double[o][horizon];
    Double[][] cum = new Double[o][horizon];
    double[] pointSpread = new double[o];
    double[] cumSpread = new double[o];
    for (int h = 0; h < horizon; h++) {
      advance();
      for (int j = 0; j < o; j++) {
        double[] p = bands[j].point()[h];
        double[] c = bands[j].cumulative()[h];
        pointSpread[j] = halfWidth(p[0], p[1]);
        cumSpread[j] = halfWidth(c[0], c[1]);
        addScores(j, pointSpread[j], cumSpread[j]);
        point[j][h] = pointwiseBound(j, alpha, pointSpread[j]);
        cum[j][h] = cumulativeBound(j, alpha, cumSpread[j]);
      }
    }
    Bounds[] out = new Bounds[o];
    for (int j = 0; j < o; j++) {
      out[j] = new Bounds(point[j], cum[j], pValue(j, finalErrors[j], cumSpread[j]));
    }
    return out;
  }

  /** {@link #runBatch(Bands[], double[], double)} on the bands of bootstrap paths. */
  public Bounds[] runBatch(double[][][] counterfactual, double[] finalErrors, double alpha) {
    Bands[] bands = new Bands[outcomes.length];
    for (int j = 0; j < bands.length; j++) {
      bands[j] = Bands.of(counterfactual, j, alpha);
    }
    return runBatch(bands, finalErrors, alpha);
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

  /** Rows from the first origin to the end of the pre-period. */
  public int span() {
    return span;
  }

  /** Origins used. */
  public int origins() {
    return rows.length;
  }

  /** Normalised scores in the outcome's cumulative pool so far. */
  public int poolSize(int outcome) {
    return cumulativePools[outcome].size;
  }

  /**
   * Whether the pools will give finite bounds at {@code alpha} at step {@code h}, and so at every
   * later step (pools only grow), which is known from the start: the number of scores of the
   * ladder horizons through {@code min(h, maxH)}.
   */
  public boolean boundedFrom(int h, double alpha) {
    int n = 0;
    for (int l = 1; l <= Math.min(h, maxH); l++) {
      if (onLadder(l)) {
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

  /**
   * A growing pool of normalised scores, kept sorted: a ladder horizon's scores are sorted and
   * merged in ({@code O(N)}), after which its conformal quantile is one element ({@link
   * Quantiles#conformal} selects the same {@code k}-th smallest) and a p-value one binary search.
   * Every ladder horizon's scores stay in it: a pool of the long horizons only was tried (the last
   * quarter or half of the calibrated horizons) and covered less on both the drifting and the
   * stationary designs of the studies, since it rests on few non-overlapping windows again.
   */
  private static final class Pool {
    double[] sorted = new double[0];
    int size;
    private double[] batch = new double[16];
    private int batchSize;

    void add(double score) {
      if (batchSize == batch.length) {
        batch = Arrays.copyOf(batch, 2 * batchSize);
      }
      batch[batchSize++] = score;
    }

    /** Merges the scores added since the last call into the sorted pool. */
    void flush() {
      if (batchSize == 0) {
        return;
      }
      double[] in = Arrays.copyOf(batch, batchSize);
      Arrays.sort(in);
      double[] merged = new double[size + in.length];
      int a = 0;
      int b = 0;
      for (int k = 0; k < merged.length; k++) {
        merged[k] =
            b == in.length || (a < size && Double.compare(sorted[a], in[b]) <= 0)
                ? sorted[a++]
                : in[b++];
      }
      sorted = merged;
      size = merged.length;
      batchSize = 0;
    }

    /** {@link Quantiles#conformal} of the pool, or {@code null} when it is too small. */
    Double quantile(double alpha) {
      int k = Quantiles.conformalRank(size, alpha);
      return k > size ? null : sorted[k - 1];
    }

    /** How many scores {@code x} have {@code x >= s} (a NaN score or {@code s} never does). */
    int atLeast(double s) {
      if (Double.isNaN(s)) {
        return 0;
      }
      int numbers = size;
      while (numbers > 0 && Double.isNaN(sorted[numbers - 1])) {
        numbers--;
      }
      int lo = 0;
      int hi = numbers;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (sorted[mid] < s) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return numbers - lo;
    }
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
    private final Accumulator[] accumulators;

    Origins(
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
      stride = Math.max(1, (preEnd - firstOrigin + MAX_ORIGINS - 1) / MAX_ORIGINS);
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
  }

  /**
   * Normal equations of one equation's whitened rows accumulated row by row, in columns scaled by
   * the root mean square of the full window, so that the fit on the rows before any origin costs
   * {@code O(p^2)} per added row plus one {@code p x p} Cholesky solve.
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
        // a selected-away column may be constant zero; any positive scale leaves it out alike
        scale[k] = scale[k] > 0 ? Math.sqrt(scale[k] / n) : 1.0;
        mean[k] /= n;
        double var = scale[k] * scale[k] - mean[k] * mean[k];
        penalty[k] = k == 0 ? 0 : ridge * Math.max(var, 0) / (scale[k] * scale[k]);
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
      try {
        CholeskyDecomposition chol = new CholeskyDecomposition(new Array2DRowRealMatrix(m, false));
        RealVector z = chol.getSolver().solve(new ArrayRealVector(rhs, false));
        double[] c = new double[p];
        for (int a = 0; a < q; a++) {
          c[in[a]] = z.getEntry(a) / scale[in[a]];
        }
        return c;
      } catch (NonPositiveDefiniteMatrixException | NonSymmetricMatrixException e) {
        return null;
      }
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
