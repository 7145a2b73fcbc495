package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.List;
import org.causalimpact.monitor.graph.Level;

/**
 * The grid of error processes a level model is weighed over, with each point's prior mass.
 *
 * <p>The level's prior is a half-Cauchy distribution of {@code sqrt(q)}, the level's standard
 * deviation per step relative to the noise's, with scale {@value #LEVEL_SCALE} (Gelman 2006
 * recommends the half-Cauchy for variance components: heavy-tailed, so a drifting level is not
 * held back). For {@link Level#AUTO} a point mass of {@value #NO_LEVEL_PRIOR} sits at {@code q =
 * 0}, the model without a level (spike and slab, as R's CausalImpact treats its coefficients): a
 * stationary series then keeps sharp intervals at long horizons, where a level whose drift the
 * pre-period cannot tell from 0 would otherwise still add spread. Measured on the README's
 * simulation studies (200 data sets each, seed 1; coverage of the average effect, conformal /
 * bootstrap), the point mass took the demo monitor from 98.3% / 98.5% to 96.8% / 97.5% (seeds 2
 * and 3: from 97.3% / 97.5% and 98.8% / 99.3% to 96.5% / 96.8% and 98.5% / 99.0%, widths 9% less)
 * and the stationary CausalImpact design from 99.0% / 99.0% to 96.5% / 98.5%, and cost the
 * drifting one half a point (86.5% / 90.0% to 86.0% / 89.5%); 0.3 cost the drifting design 2
 * points and sharpened nothing more. A slab with no mass below a drift of 0.02-0.03 brought
 * both CausalImpact designs near the band at once, but short series have a flat likelihood there,
 * and arma_data_R's bootstrap interval (70 pre rows) then crossed 0 where R's does not (the
 * README's table of priors). The grid of {@code sqrt(q)} has
 * {@value #PER_DECADE} points per decade from {@code 0.1 / n} (below which a level's drift cannot
 * be seen in {@code n} rows) to 10, each with the prior mass of its cell, plus 0 for {@link
 * Level#AUTO}. The AR coefficient of the noise ranges over {@code 0, 0.15, ..., 0.9} uniformly. For
 * a local linear trend the slope's {@code sqrt(qSlope)} has its own half-Cauchy prior of scale
 * {@value #SLOPE_SCALE}, on a coarser grid. Thread-safe (stateless).
 */
final class LevelGrid {
  /** Scale of the half-Cauchy prior of the level's standard deviation relative to the noise's. */
  static final double LEVEL_SCALE = 0.02;

  /** Prior probability of no level at all ({@code q = 0}) for {@link Level#AUTO}. */
  static final double NO_LEVEL_PRIOR = 0.15;

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
                ? scaleGrid(0.1 / n, PER_DECADE, LEVEL_SCALE, NO_LEVEL_PRIOR)
                : scaleGrid(0.1 / n, PER_DECADE, LEVEL_SCALE, -1);
        for (int a = 0; a < RHO.length; a++) {
          for (int i = 0; i < levels.length; i++) {
            double[] r = levels[i];
            out.add(
                new GridPoint(
                    NoiseProcess.localLevel(r[0] * r[0], RHO[a]),
                    r[1] - Math.log(RHO.length),
                    new int[] {i, a}));
          }
        }
      }
      case TREND -> {
        double[][] levels = scaleGrid(0.1 / n, 2, LEVEL_SCALE, 0);
        double[][] slopes = scaleGrid(0.1 / ((double) n * n), 2, SLOPE_SCALE, 0);
        for (int a = 0; a < RHO_TREND.length; a++) {
          for (int i = 0; i < levels.length; i++) {
            for (int j = 0; j < slopes.length; j++) {
              double[] r = levels[i];
              double[] s = slopes[j];
              out.add(
                  new GridPoint(
                      NoiseProcess.localTrend(r[0] * r[0], s[0] * s[0], RHO_TREND[a]),
                      r[1] + s[1] - Math.log(RHO_TREND.length),
                      new int[] {i, j, a}));
            }
          }
        }
      }
      default -> throw new IllegalArgumentException("no grid for level " + level);
    }
    return out;
  }

  /**
   * Points {@code {r, log prior mass}} of a standard-deviation ratio {@code r} under a half-Cauchy
   * prior of scale {@code scale}: {@code perDecade} log-spaced points per decade from {@code min}
   * to {@value #MAX_SCALE_RATIO}, each with its cell's mass (cells between geometric midpoints, the
   * last open-ended). With {@code zeroMass >= 0} the point {@code r = 0} comes first, with {@code
   * zeroMass} plus the half-Cauchy mass below the first cell, and the half-Cauchy's mass is scaled
   * by {@code 1 - zeroMass}; with {@code zeroMass < 0} there is no zero point and the first cell
   * reaches down to 0.
   */
  static double[][] scaleGrid(double min, int perDecade, double scale, double zeroMass) {
    int count = (int) Math.floor(Math.log10(MAX_SCALE_RATIO / min) * perDecade) + 1;
    double half = Math.pow(10, 0.5 / perDecade);
    boolean withZero = zeroMass >= 0;
    double slab = withZero ? 1 - zeroMass : 1;
    List<double[]> points = new ArrayList<>();
    if (withZero) {
      points.add(new double[] {0, Math.log(zeroMass + slab * halfCauchy(min / half, scale))});
    }
    for (int i = 0; i < count; i++) {
      double r = min * Math.pow(10, (double) i / perDecade);
      double lower = i == 0 && !withZero ? 0 : r / half;
      double upper = i == count - 1 ? Double.POSITIVE_INFINITY : r * half;
      double mass = halfCauchy(upper, scale) - halfCauchy(lower, scale);
      points.add(new double[] {r, Math.log(slab * mass)});
    }
    return points.toArray(new double[0][]);
  }

  /** The half-Cauchy distribution function {@code (2 / pi) atan(r / scale)}. */
  private static double halfCauchy(double r, double scale) {
    return r == Double.POSITIVE_INFINITY ? 1.0 : 2 / Math.PI * Math.atan(r / scale);
  }
}
