package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.causalimpact.monitor.graph.Level;

/**
 * Fits one structural equation whose error follows a {@link NoiseProcess} with a level that may
 * drift: a pure function from the equation's rows to an {@link EquationPosterior}.
 *
 * <p>The process's variance ratios and AR coefficient are not plugged in from one estimate: they
 * range over a grid, and each grid point gets its posterior weight from the restricted (diffuse)
 * likelihood of the generalised-least-squares fit with {@code sigma^2} and the coefficients
 * profiled out (Harvey 1989, sec. 3.4; Tunnicliffe Wilson 1989),
 *
 * <pre>
 *   log L(theta) = -1/2 [ (n - p) log(RSS / (n - p)) + sum_t log F_t + log det(W'W + Lambda) ]
 * </pre>
 *
 * times the prior of the grid point. The level's prior is a half-Cauchy distribution of {@code
 * sqrt(q)}, the level's standard deviation per step relative to the noise's, with scale {@value
 * #LEVEL_SCALE} (Gelman 2006 recommends the half-Cauchy for variance components: it has mass near 0,
 * so a stationary series keeps a level of variance ~0, and a heavy tail, so a drifting one is not
 * held back). The grid of {@code sqrt(q)} has {@value #PER_DECADE} points per decade from {@code
 * 0.1 / n} (below which a level's drift cannot be seen in {@code n} rows) to 10, each with the prior
 * mass of its cell, plus 0 for {@link Level#AUTO}. The AR coefficient of the noise ranges over
 * {@code 0, 0.15, ..., 0.9} uniformly. For a local linear trend the slope's {@code sqrt(qSlope)}
 * has its own half-Cauchy prior of scale {@value #SLOPE_SCALE}, on a coarser grid.
 *
 * <p>The components with the largest posterior weights are kept (at most {@value #MAX_COMPONENTS},
 * none below {@value #MIN_WEIGHT} of the largest), their weights renormalised. Thread-safe
 * (stateless).
 */
final class StateSpaceFitter {
  /** Scale of the half-Cauchy prior of the level's standard deviation relative to the noise's. */
  static final double LEVEL_SCALE = 0.02;

  /** Scale of the half-Cauchy prior of the slope's standard deviation relative to the noise's. */
  static final double SLOPE_SCALE = 0.005;

  static final int PER_DECADE = 5;
  static final int MAX_COMPONENTS = 16;
  static final double MIN_WEIGHT = 1e-4;
  private static final double[] RHO = {0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9};
  private static final double[] RHO_TREND = {0, 0.3, 0.6, 0.9};
  private static final double MAX_SCALE_RATIO = 10;

  private StateSpaceFitter() {}

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

  /**
   * Log-posterior distance from the best coarse point beyond which a coarse point's neighbourhood
   * is not refined: {@code e^-12} is far below {@link #MIN_WEIGHT}, and the posterior changes by
   * much less than that between neighbours.
   */
  private static final double REFINE_WITHIN = 12;

  /** The grid of processes for {@code level} on {@code n} rows ({@link Level#NONE}: white noise). */
  static List<GridPoint> grid(Level level, int n) {
    List<GridPoint> out = new ArrayList<>();
    switch (level) {
      case NONE -> out.add(new GridPoint(NoiseProcess.staticNoise(), 0));
      case AUTO, LOCAL -> {
        double[][] levels = scaleGrid(0.1 / n, PER_DECADE, LEVEL_SCALE, level == Level.AUTO);
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
        double[][] levels = scaleGrid(0.1 / n, 2, LEVEL_SCALE, true);
        double[][] slopes = scaleGrid(0.1 / ((double) n * n), 2, SLOPE_SCALE, true);
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
   * last open-ended), and {@code r = 0} with the mass below the first cell if {@code withZero}
   * (otherwise the first cell reaches down to 0).
   */
  static double[][] scaleGrid(double min, int perDecade, double scale, boolean withZero) {
    int count = (int) Math.floor(Math.log10(MAX_SCALE_RATIO / min) * perDecade) + 1;
    double half = Math.pow(10, 0.5 / perDecade);
    List<double[]> points = new ArrayList<>();
    if (withZero) {
      points.add(new double[] {0, Math.log(halfCauchy(min / half, scale))});
    }
    for (int i = 0; i < count; i++) {
      double r = min * Math.pow(10, (double) i / perDecade);
      double lower = i == 0 && !withZero ? 0 : r / half;
      double upper = i == count - 1 ? Double.POSITIVE_INFINITY : r * half;
      double mass = halfCauchy(upper, scale) - halfCauchy(lower, scale);
      points.add(new double[] {r, Math.log(mass)});
    }
    return points.toArray(new double[0][]);
  }

  /** The half-Cauchy distribution function {@code (2 / pi) atan(r / scale)}. */
  private static double halfCauchy(double r, double scale) {
    return r == Double.POSITIVE_INFINITY ? 1.0 : 2 / Math.PI * Math.atan(r / scale);
  }

  /**
   * Fits the equation of {@code layout} on rows {@code [first, first + n)}.
   *
   * @param layout the equation's terms
   * @param level the level kind (not {@link Level#NONE})
   * @param x the regressors, {@code [row][k]}, of the {@code n} fit rows
   * @param y the response of those rows
   * @param first the row of {@code x[0]}
   * @param ridge the ridge penalty, as {@link LeastSquares}
   * @return the posterior, or {@code null} if no grid point gives a regular fit
   */
  static EquationPosterior fit(
      EquationLayout layout, Level level, double[][] x, double[] y, int first, double ridge) {
    return fit(layout, level, x, y, first, ridge, null);
  }

  /**
   * As {@link #fit(EquationLayout, Level, double[][], double[], int, double)}; with {@code forced}
   * not {@code null}, the terms not forced are selected ({@link SubsetSearch}) jointly with the
   * grid point, and each component is the fit of one subset.
   */
  static EquationPosterior fit(
      EquationLayout layout,
      Level level,
      double[][] x,
      double[] y,
      int first,
      double ridge,
      boolean[] forced) {
    int n = y.length;
    int p = layout.size();
    double[][] columns = new double[p + 1][n];
    columns[0] = y.clone();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < p; k++) {
        columns[k + 1][i] = x[i][k];
      }
    }
    List<GridPoint> grid = grid(level, n);
    if (forced != null) {
      return selected(layout, grid, columns, y, first, ridge, forced);
    }
    double[] logPost = new double[grid.size()];
    Arrays.fill(logPost, Double.NaN);
    // grid points are independent: scanned on every core (each writes only its own slot)
    IntStream.range(0, grid.size())
        .parallel()
        .filter(g -> grid.get(g).coarse())
        .forEach(g -> logPost[g] = logPosterior(grid.get(g), columns, n, ridge));
    double coarseBest = Double.NEGATIVE_INFINITY;
    for (int g = 0; g < grid.size(); g++) {
      if (grid.get(g).coarse()) {
        coarseBest = Math.max(coarseBest, logPost[g]);
      }
    }
    List<GridPoint> likely = new ArrayList<>();
    for (int g = 0; g < grid.size(); g++) {
      if (grid.get(g).coarse() && logPost[g] >= coarseBest - REFINE_WITHIN) {
        likely.add(grid.get(g));
      }
    }
    IntStream.range(0, grid.size())
        .parallel()
        .filter(g -> Double.isNaN(logPost[g]))
        .forEach(
            g -> {
              GridPoint point = grid.get(g);
              boolean refine = false;
              for (GridPoint c : likely) {
                refine |= point.near(c);
              }
              logPost[g] =
                  refine ? logPosterior(point, columns, n, ridge) : Double.NEGATIVE_INFINITY;
            });
    Integer[] order = new Integer[grid.size()];
    for (int g = 0; g < order.length; g++) {
      order[g] = g;
    }
    Arrays.sort(order, Comparator.comparingDouble(g -> -logPost[g]));
    double best = logPost[order[0]];
    if (!Double.isFinite(best)) {
      return null;
    }
    List<Integer> kept = new ArrayList<>();
    for (Integer g : order) {
      double w = Math.exp(logPost[g] - best);
      if (kept.size() == MAX_COMPONENTS || !(w >= MIN_WEIGHT)) {
        break;
      }
      kept.add(g);
    }
    // each component whitens and solves on its own (in parallel); only the best one keeps the
    // filter's state before every row, which the calibration reads
    FittedEquation[] fitted = new FittedEquation[kept.size()];
    IntStream.range(0, kept.size())
        .parallel()
        .forEach(
            c -> fitted[c] = component(layout, grid.get(kept.get(c)), columns, y, first, ridge,
                c == 0));
    int firstFit = 0;
    while (firstFit < fitted.length && fitted[firstFit] == null) {
      firstFit++;
    }
    if (firstFit == fitted.length) {
      return null;
    }
    if (firstFit > 0) {
      int g = kept.get(firstFit);
      fitted[firstFit] = component(layout, grid.get(g), columns, y, first, ridge, true);
    }
    List<FittedEquation> components = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    for (int c = 0; c < fitted.length; c++) {
      if (fitted[c] != null) {
        components.add(fitted[c]);
        weights.add(Math.exp(logPost[kept.get(c)] - best));
      }
    }
    double sum = weights.stream().mapToDouble(Double::doubleValue).sum();
    return new EquationPosterior(
        components, weights.stream().mapToDouble(v -> v / sum).toArray());
  }

  private static EquationPosterior selected(
      EquationLayout layout,
      List<GridPoint> grid,
      double[][] columns,
      double[] y,
      int first,
      double ridge,
      boolean[] forced) {
    int n = y.length;
    double[][][] grams = new double[grid.size()][][];
    double[] logDetF = new double[grid.size()];
    double[] logPrior = new double[grid.size()];
    for (int g = 0; g < grid.size(); g++) {
      double[][][] gram = grid.get(g).process().gram(columns);
      grams[g] = gram[0];
      logDetF[g] = gram[1][0][0];
      logPrior[g] = grid.get(g).logPrior();
    }
    List<SubsetSearch.Model> models =
        SubsetSearch.search(grams, logDetF, logPrior, forced, n, 4 * MAX_COMPONENTS);
    if (models.isEmpty()) {
      return null;
    }
    double best = models.get(0).logPosterior();
    List<FittedEquation> components = new ArrayList<>();
    List<Double> weights = new ArrayList<>();
    for (SubsetSearch.Model m : models) {
      double w = Math.exp(m.logPosterior() - best);
      if (components.size() == MAX_COMPONENTS || !(w >= MIN_WEIGHT)) {
        break;
      }
      NoiseProcess process = grid.get(m.grid()).process();
      NoiseProcess.Whitened white = process.whiten(columns, components.isEmpty());
      FittedEquation eq =
          component(
              layout,
              process,
              white,
              y,
              first,
              ridge,
              SubsetSearch.mask(m.terms(), layout.size()));
      if (eq != null) {
        components.add(eq);
        weights.add(w);
      }
    }
    if (components.isEmpty()) {
      return null;
    }
    double sum = weights.stream().mapToDouble(Double::doubleValue).sum();
    return new EquationPosterior(
        components, weights.stream().mapToDouble(v -> v / sum).toArray());
  }

  /** The log posterior of a grid point: its restricted likelihood times its prior. */
  private static double logPosterior(GridPoint point, double[][] columns, int n, double ridge) {
    double ll;
    if (ridge > 0) {
      NoiseProcess.Whitened w = point.process().whiten(columns, false);
      ll =
          restrictedLogLikelihood(
              SubsetSearch.gram(w.columns()), w.logDetF(), n, w.columns(), ridge);
    } else {
      double[][][] gram = point.process().gram(columns);
      ll = restrictedLogLikelihood(gram[0], gram[1][0][0], n, null, 0);
    }
    return ll + point.logPrior();
  }

  /**
   * The restricted log-likelihood of the whitened problem with {@code sigma^2} and the
   * coefficients profiled out; {@code -Infinity} when the whitened design is singular.
   */
  static double restrictedLogLikelihood(
      double[][] whitenedGram, double logDetF, int n, double[][] columns, double ridge) {
    int p = whitenedGram.length - 1;
    double[][] gram = new double[p][p];
    double[] moment = new double[p];
    double zz = whitenedGram[0][0];
    for (int a = 0; a < p; a++) {
      moment[a] = whitenedGram[a + 1][0];
      for (int b = 0; b < p; b++) {
        gram[a][b] = whitenedGram[a + 1][b + 1];
      }
    }
    if (ridge > 0) {
      for (int k = 1; k < p; k++) {
        double mean = 0;
        for (int i = 0; i < n; i++) {
          mean += columns[k + 1][i];
        }
        mean /= n;
        double var = gram[k][k] / n - mean * mean;
        gram[k][k] += ridge * n * Math.max(var, 0);
      }
    }
    double[] b;
    double logDet = 0;
    try {
      CholeskyDecomposition chol =
          new CholeskyDecomposition(new Array2DRowRealMatrix(gram, false), 1e-12, 1e-14);
      b = chol.getSolver().solve(new ArrayRealVector(moment))
          .toArray();
      double[][] l = chol.getL().getData();
      for (int k = 0; k < p; k++) {
        logDet += 2 * Math.log(l[k][k]);
      }
    } catch (NonPositiveDefiniteMatrixException
        | org.apache.commons.math3.linear.SingularMatrixException e) {
      return Double.NEGATIVE_INFINITY;
    }
    double rss = zz;
    for (int k = 0; k < p; k++) {
      rss -= b[k] * moment[k];
    }
    int dof = n - p;
    if (!(rss > 0) || dof < 1) {
      return Double.NEGATIVE_INFINITY;
    }
    return -0.5 * (dof * Math.log(rss / dof) + logDetF + logDet);
  }

  /** The component of grid point {@code point}: whitened with it, then solved. */
  private static FittedEquation component(
      EquationLayout layout,
      GridPoint point,
      double[][] columns,
      double[] y,
      int first,
      double ridge,
      boolean keepRowStates) {
    NoiseProcess.Whitened w = point.process().whiten(columns, keepRowStates);
    return component(
        layout, point.process(), w, y, first, ridge, null);
  }

  /**
   * (Ridge) least squares of {@code z} on {@code x} by the Cholesky decomposition of the normal
   * equations in columns scaled to unit root mean square, with {@link LeastSquares}'s penalty
   * {@code lambda n v_k} on every column but the first (the intercept): the solution {@link
   * LeastSquares#solve} gives by QR, to rounding. A component's design has a few columns and
   * thousands of rows, where QR costs many times more; {@code null} when a pivot falls below
   * {@link LeastSquares#COLLINEAR}{@code ^2} (relative), as a QR would report a collinear column.
   */
  static LeastSquares.Solution normalEquations(double[][] x, double[] z, double ridge) {
    int n = x.length;
    int p = x[0].length;
    double[] scale = new double[p];
    double[] mean = new double[p];
    double[][] gram = new double[p][p];
    double[] moment = new double[p];
    for (int i = 0; i < n; i++) {
      double[] row = x[i];
      for (int a = 0; a < p; a++) {
        double xa = row[a];
        scale[a] += xa * xa;
        mean[a] += xa;
        moment[a] += xa * z[i];
        for (int b = 0; b <= a; b++) {
          gram[a][b] += xa * row[b];
        }
      }
    }
    for (int a = 0; a < p; a++) {
      scale[a] = Math.sqrt(scale[a] / n);
      mean[a] /= n;
      if (!(scale[a] > 0)) {
        return null;
      }
    }
    double[][] scaled = new double[p][p];
    double[] rhs = new double[p];
    for (int a = 0; a < p; a++) {
      rhs[a] = moment[a] / scale[a];
      for (int b = 0; b <= a; b++) {
        double v = gram[a][b] / (scale[a] * scale[b]);
        scaled[a][b] = v;
        scaled[b][a] = v;
      }
      if (a > 0 && ridge > 0) {
        double var = scale[a] * scale[a] - mean[a] * mean[a];
        scaled[a][a] += ridge * n * Math.max(var, 0) / (scale[a] * scale[a]);
      }
    }
    CholeskyDecomposition chol;
    try {
      chol =
          new CholeskyDecomposition(
              new Array2DRowRealMatrix(scaled, false),
              1e-12,
              LeastSquares.COLLINEAR * LeastSquares.COLLINEAR * n);
    } catch (NonPositiveDefiniteMatrixException e) {
      return null;
    }
    double[] b = chol.getSolver().solve(new ArrayRealVector(rhs, false)).toArray();
    double[][] inv = chol.getSolver().getInverse().getData();
    double[] coef = new double[p];
    double[][] inverseGram = new double[p][p];
    for (int a = 0; a < p; a++) {
      coef[a] = b[a] / scale[a];
      for (int c = 0; c < p; c++) {
        inverseGram[a][c] = inv[a][c] / (scale[a] * scale[c]);
      }
    }
    return new LeastSquares.Solution(coef, inverseGram, -1);
  }

  private static FittedEquation component(
      EquationLayout layout,
      NoiseProcess process,
      NoiseProcess.Whitened w,
      double[] y,
      int first,
      double ridge,
      boolean[] included) {
    double[][] c = w.columns();
    int n = y.length;
    int p = c.length - 1;
    int m = process.stateSize();
    double[][] design = new double[n][p];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < p; k++) {
        design[i][k] = c[k + 1][i];
      }
    }
    double[] z = c[0];
    int[] in = new int[p];
    int q = 0;
    for (int k = 0; k < p; k++) {
      if (included == null || included[k]) {
        in[q++] = k;
      }
    }
    double[][] sub = new double[n][q];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < q; j++) {
        sub[i][j] = design[i][in[j]];
      }
    }
    LeastSquares.Solution s = normalEquations(sub, z, ridge);
    if (s == null) {
      return null;
    }
    double[] coef = new double[p];
    double[][] inverseGram = new double[p][p];
    for (int a = 0; a < q; a++) {
      coef[in[a]] = s.coefficients()[a];
      for (int b = 0; b < q; b++) {
        inverseGram[in[a]][in[b]] = s.inverseGram()[a][b];
      }
    }
    double[] res = new double[n];
    double rss = 0;
    double innovations = 0;
    double mean = 0;
    for (int i = 0; i < n; i++) {
      double fitted = 0;
      for (int k = 0; k < p; k++) {
        fitted += coef[k] * design[i][k];
      }
      res[i] = z[i] - fitted;
      rss += res[i] * res[i];
      double v = res[i] * w.sqrtF()[i];
      innovations += v * v;
      mean += y[i];
    }
    mean /= n;
    double tss = 0;
    for (double v : y) {
      tss += (v - mean) * (v - mean);
    }
    double[][] states = w.states();
    double[] state = states[0].clone();
    double[][] columnStates = new double[p][];
    for (int k = 0; k < p; k++) {
      columnStates[k] = states[k + 1].clone();
      for (int j = 0; j < m; j++) {
        state[j] -= coef[k] * columnStates[k][j];
      }
    }
    double sigma = Math.sqrt(rss / Math.max(1, n - q));
    double r2 = tss > 0 ? 1 - innovations / tss : Double.NaN;
    return new FittedEquation(
        layout,
        coef,
        design,
        inverseGram,
        res,
        first,
        sigma,
        r2,
        process,
        z.clone(),
        state,
        w.covariance(),
        columnStates,
        w.rowStates(),
        included == null ? null : included.clone());
  }
}
