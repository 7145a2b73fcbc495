package org.causalimpact.monitor.scm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
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
 * times the prior of the grid point ({@link LevelGrid}). The grid is scanned coarse first (every
 * other point along each axis), then refined around the coarse points within {@value
 * #REFINE_WITHIN} of the best log posterior.
 *
 * <p>The components with the largest posterior weights are kept (at most {@value #MAX_COMPONENTS},
 * none below {@value #MIN_WEIGHT} of the largest), their weights renormalised. Thread-safe
 * (stateless).
 */
final class StateSpaceFitter {
  static final int MAX_COMPONENTS = 16;
  static final double MIN_WEIGHT = 1e-4;

  private StateSpaceFitter() {}

  /**
   * Log-posterior distance from the best coarse point beyond which a coarse point's neighbourhood
   * is not refined: {@code e^-12} is far below {@link #MIN_WEIGHT}, and the posterior changes by
   * much less than that between neighbours.
   */
  private static final double REFINE_WITHIN = 12;

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
    return fit(layout, level, x, y, first, ridge, null, null);
  }

  /**
   * As {@link #fit(EquationLayout, Level, double[][], double[], int, double)}; with {@code forced}
   * not {@code null}, the terms not forced are selected ({@link SubsetSearch}) jointly with the
   * grid point, and each component is the fit of one subset. With {@code base} not {@code null},
   * {@code layout}'s last term is an optional trend that {@code base} (the layout without it)
   * lacks: when no model kept takes the trend, the components are fitted on {@code base}, so an
   * equation without a trend is the one it was before the trend could be selected (the same terms
   * to simulate at every step of a stream).
   */
  static EquationPosterior fit(
      EquationLayout layout,
      Level level,
      double[][] x,
      double[] y,
      int first,
      double ridge,
      boolean[] forced,
      EquationLayout base) {
    int n = y.length;
    int p = layout.size();
    double[][] columns = new double[p + 1][n];
    columns[0] = y.clone();
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < p; k++) {
        columns[k + 1][i] = x[i][k];
      }
    }
    List<LevelGrid.GridPoint> grid = LevelGrid.grid(level, n);
    if (forced != null) {
      return SelectedFit.fit(layout, grid, columns, y, first, ridge, forced, base);
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
    List<LevelGrid.GridPoint> likely = new ArrayList<>();
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
              LevelGrid.GridPoint point = grid.get(g);
              boolean refine = false;
              for (LevelGrid.GridPoint c : likely) {
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

  /** The log posterior of a grid point: its restricted likelihood times its prior. */
  private static double logPosterior(LevelGrid.GridPoint point, double[][] columns, int n, double ridge) {
    double ll;
    if (ridge > 0) {
      Whitened w = point.process().whiten(columns, false);
      ll =
          LeastSquares.restrictedLogLikelihood(
              SubsetSearch.gram(w.columns()), w.logDetF(), n, w.columns(), ridge);
    } else {
      double[][][] gram = point.process().gram(columns);
      ll = LeastSquares.restrictedLogLikelihood(gram[0], gram[1][0][0], n, null, 0);
    }
    return ll + point.logPrior();
  }

  /** The component of grid point {@code point}: whitened with it, then solved. */
  private static FittedEquation component(
      EquationLayout layout,
      LevelGrid.GridPoint point,
      double[][] columns,
      double[] y,
      int first,
      double ridge,
      boolean keepRowStates) {
    Whitened w = point.process().whiten(columns, keepRowStates);
    return component(
        layout, point.process(), w, y, first, ridge, null, null);
  }

  /**
   * The component of {@code process}: the (ridge, or with {@code penalty} shrunk) generalised
   * least squares on its whitened columns {@code w}, of the terms {@code included} ({@code null}:
   * all).
   */
  static FittedEquation component(
      EquationLayout layout,
      NoiseProcess process,
      Whitened w,
      double[] y,
      int first,
      double ridge,
      boolean[] included,
      double[] penalty) {
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
    double[] subPenalty = null;
    if (penalty != null) {
      subPenalty = new double[q];
      for (int j = 0; j < q; j++) {
        subPenalty[j] = penalty[in[j]];
      }
    }
    LeastSquares.Solution s = LeastSquares.normalEquations(sub, z, ridge, subPenalty);
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
    // a shrunk fit spends fewer degrees of freedom than it has terms: tr((W'W + Lambda)^-1 W'W)
    double terms = q;
    if (penalty != null) {
      for (int k = 0; k < p; k++) {
        terms -= inverseGram[k][k] * penalty[k];
      }
    }
    double sigma = Math.sqrt(rss / Math.max(1, n - terms));
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
        included == null ? null : included.clone(),
        penalty);
  }
}
