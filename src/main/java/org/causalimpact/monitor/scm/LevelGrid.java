package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.causalimpact.monitor.graph.Level;

/**
 * The grid of error processes a level model is weighed over, with each point's prior mass.
 *
 * <p>The prior of {@code sqrt(q)}, the level's standard deviation per step relative to the
 * noise's, depends on the level model. For {@link Level#AUTO} it is a spike and slab: a point mass
 * of {@value #NO_LEVEL_PRIOR} at {@code q = 0} (no level: a stationary series keeps sharp
 * intervals at long horizons), and a slab that puts the rest on drifts the pre-period can see
 * ({@link #slab}): mostly a log-normal distribution of median {@value #SLAB_MEDIAN} and log
 * standard deviation {@value #SLAB_LOG_SD}, with a half-Cauchy share of {@value #SLAB_TAIL}, all
 * cut off below {@value #SLAB_FLOOR}. With no mass between "no drift" and a visible one, the data
 * choose between the two instead of settling on a barely drifting level whose forecast is too
 * sure; with a light body, a pre-period too short to see any drift (60-70 rows) is not given a
 * large one by the prior either, as R's CausalImpact concentrates its prior of the level's
 * standard deviation at 0.01 sd(y) with 32 pseudo-observations; the half-Cauchy share keeps a
 * level that drifts fast learnable. Measured against the half-Cauchy slab of scale 0.02 with a
 * point mass of 0.15 that this replaced (coverage of the average effect, conformal / bootstrap,
 * seed 1): the drifting CausalImpact design of the README 87.3% / 89.5% to 88.7% / 92.0% and the
 * stationary one 97.8% / 98.2% to 97.1% / 97.6% (1,000 data sets each); a level drifting at 0.2
 * 91.5% / 91.0% to 91.0% / 91.5%, where the log-normal alone covered 84.5% / 83.0% (200 data
 * sets). Heavy-tailed slabs floored alike reached the band on both designs too, but put
 * arma_data_R's bootstrap interval (70 pre rows) across 0 where R's is [0.27, 1.5] (the README's
 * table of priors). For {@link Level#LOCAL} (a level that always drifts) and {@link Level#TREND}
 * the prior is a half-Cauchy distribution of scale {@value #LEVEL_SCALE} (Gelman 2006 recommends
 * it for variance components: heavy-tailed, so a drifting level is not held back); for a local
 * linear trend the slope's {@code sqrt(qSlope)} has its own half-Cauchy prior of scale {@value
 * #SLOPE_SCALE}, on a coarser grid. The grid of {@code sqrt(q)} has {@value #PER_DECADE} points
 * per decade from {@code 0.1 / n} (below which a level's drift cannot be seen in {@code n} rows)
 * to 10, each with the prior mass of its cell (points without mass are left out), plus 0 for
 * {@link Level#AUTO}. The AR coefficient of the noise ranges over {@code 0, 0.15, ..., 0.9}
 * uniformly. Thread-safe (stateless).
 */
final class LevelGrid {
  /**
   * Scale of the half-Cauchy prior of the level's standard deviation relative to the noise's
   * ({@link Level#LOCAL}, {@link Level#TREND}).
   */
  static final double LEVEL_SCALE = 0.02;

  /** Prior probability of no level at all ({@code q = 0}) for {@link Level#AUTO}. */
  static final double NO_LEVEL_PRIOR = 0.5;

  /** Median of {@link Level#AUTO}'s slab of the level's sd relative to the noise's. */
  static final double SLAB_MEDIAN = 0.045;

  /** Standard deviation of the log of {@link Level#AUTO}'s slab. */
  static final double SLAB_LOG_SD = 0.3;

  /** The least level sd relative to the noise's that {@link Level#AUTO}'s slab holds. */
  static final double SLAB_FLOOR = 0.035;

  /** Share of the half-Cauchy tail in {@link Level#AUTO}'s slab, for levels that drift fast. */
  static final double SLAB_TAIL = 0.2;

  /** Scale of that half-Cauchy tail. */
  static final double SLAB_TAIL_SCALE = 0.1;

  /** Scale of the half-Cauchy prior of the slope's standard deviation relative to the noise's. */
  static final double SLOPE_SCALE = 0.005;

  static final int PER_DECADE = 5;
  private static final double[] RHO = {0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9};
  private static final double[] RHO_TREND = {0, 0.3, 0.6, 0.9};
  private static final double MAX_SCALE_RATIO = 10;

  private LevelGrid() {}

  /**
   * A grid point: the process, the log of its prior mass, and its indexes along the grid's axes
   * (level ratio, slope ratio, AR coefficient), which tell its neighbours.
   */
  record GridPoint(NoiseProcess process, double logPrior, int[] index) {
    GridPoint(NoiseProcess process, double logPrior) {
      this(process, logPrior, new int[0]);
    }

    /** Whether every index is even: the coarse grid scanned first. */
    boolean coarse() {
      for (int i : index) {
        if (i % 2 != 0) {
          return false;
        }
      }
      return true;
    }

    /** Whether this point lies within one step of {@code other} along every axis. */
    boolean near(GridPoint other) {
      for (int a = 0; a < index.length; a++) {
        if (Math.abs(index[a] - other.index[a]) > 1) {
          return false;
        }
      }
      return true;
    }
  }

  /** The grid of processes for {@code level} on {@code n} rows ({@link Level#NONE}: white noise). */
  static List<GridPoint> grid(Level level, int n) {
    List<GridPoint> out = new ArrayList<>();
    switch (level) {
      case NONE -> out.add(new GridPoint(NoiseProcess.staticNoise(), 0));
      case AUTO, LOCAL -> {
        double[][] levels =
            level == Level.AUTO
                ? scaleGrid(0.1 / n, PER_DECADE, LevelGrid::slab, NO_LEVEL_PRIOR)
                : scaleGrid(0.1 / n, PER_DECADE, r -> halfCauchy(r, LEVEL_SCALE), -1);
        for (int a = 0; a < RHO.length; a++) {
          for (double[] r : levels) {
            out.add(
                new GridPoint(
                    NoiseProcess.localLevel(r[0] * r[0], RHO[a]),
                    r[1] - Math.log(RHO.length),
                    new int[] {(int) r[2], a}));
          }
        }
      }
      case TREND -> {
        double[][] levels = scaleGrid(0.1 / n, 2, r -> halfCauchy(r, LEVEL_SCALE), 0);
        double[][] slopes =
            scaleGrid(0.1 / ((double) n * n), 2, r -> halfCauchy(r, SLOPE_SCALE), 0);
        for (int a = 0; a < RHO_TREND.length; a++) {
          for (double[] r : levels) {
            for (double[] s : slopes) {
              out.add(
                  new GridPoint(
                      NoiseProcess.localTrend(r[0] * r[0], s[0] * s[0], RHO_TREND[a]),
                      r[1] + s[1] - Math.log(RHO_TREND.length),
                      new int[] {(int) r[2], (int) s[2], a}));
            }
          }
        }
      }
      default -> throw new IllegalArgumentException("no grid for level " + level);
    }
    return out;
  }

  /**
   * Points {@code {r, log prior mass, index}} of a standard-deviation ratio {@code r} under a prior
   * of distribution function {@code cdf}: {@code perDecade} log-spaced points per decade from
   * {@code min} to {@value #MAX_SCALE_RATIO}, each with its cell's mass (cells between geometric
   * midpoints, the last open-ended); a point whose cell has no mass is left out, and the indexes
   * of the others count the points left out too, so that neighbours on the grid stay neighbours.
   * With {@code zeroMass >= 0} the point {@code r = 0} comes first (index 0), with {@code zeroMass}
   * plus the prior's mass below the first cell, and the prior's mass is scaled by {@code 1 -
   * zeroMass}; with {@code zeroMass < 0} there is no zero point and the first cell reaches down to
   * 0.
   */
  static double[][] scaleGrid(
      double min, int perDecade, DoubleUnaryOperator cdf, double zeroMass) {
    int count = (int) Math.floor(Math.log10(MAX_SCALE_RATIO / min) * perDecade) + 1;
    double half = Math.pow(10, 0.5 / perDecade);
    boolean withZero = zeroMass >= 0;
    double slab = withZero ? 1 - zeroMass : 1;
    int shift = withZero ? 1 : 0;
    List<double[]> points = new ArrayList<>();
    if (withZero) {
      points.add(new double[] {0, Math.log(zeroMass + slab * cdf.applyAsDouble(min / half)), 0});
    }
    for (int i = 0; i < count; i++) {
      double r = min * Math.pow(10, (double) i / perDecade);
      double lower = i == 0 && !withZero ? 0 : r / half;
      double upper = i == count - 1 ? Double.POSITIVE_INFINITY : r * half;
      double mass = slab * (cdf.applyAsDouble(upper) - cdf.applyAsDouble(lower));
      if (mass > 0) {
        points.add(new double[] {r, Math.log(mass), i + shift});
      }
    }
    return points.toArray(new double[0][]);
  }

  /** The half-Cauchy distribution function {@code (2 / pi) atan(r / scale)}. */
  static double halfCauchy(double r, double scale) {
    return r == Double.POSITIVE_INFINITY ? 1.0 : 2 / Math.PI * Math.atan(r / scale);
  }

  /**
   * The distribution function of {@link Level#AUTO}'s slab: a mixture of the log-normal of median
   * {@value #SLAB_MEDIAN} and log standard deviation {@value #SLAB_LOG_SD} and, with weight {@value
   * #SLAB_TAIL}, the half-Cauchy of scale {@value #SLAB_TAIL_SCALE}, conditioned on {@code r >=}
   * {@value #SLAB_FLOOR}.
   */
  static double slab(double r) {
    if (r <= SLAB_FLOOR) {
      return 0;
    }
    double below = unfloored(SLAB_FLOOR);
    return (unfloored(r) - below) / (1 - below);
  }

  private static double unfloored(double r) {
    double logNormal =
        r == Double.POSITIVE_INFINITY ? 1.0 : LOG_NORMAL.cumulativeProbability(Math.log(r));
    return (1 - SLAB_TAIL) * logNormal + SLAB_TAIL * halfCauchy(r, SLAB_TAIL_SCALE);
  }

  private static final NormalDistribution LOG_NORMAL =
      new NormalDistribution(null, Math.log(SLAB_MEDIAN), SLAB_LOG_SD);
}
